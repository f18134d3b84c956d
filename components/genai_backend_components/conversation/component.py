"""One Amplify-compatible conversation route (``client.conversations.<route>``) on an existing AppSync API.

What it declares, and why it differs from Amplify's ``a.conversation``:

- two owner-scoped tables. Conversations: key (owner = Cognito sub, id), index ``byOwnerUpdatedAt``
  (owner, updatedAt) so a user's list is one Query on their own partition, newest first (Amplify
  partitions its index on ``__typename``: one hot partition for all users, filtered after reading).
  Messages: key (conversationId, createdAtId = "<createdAt>#<id>"), i.e. indexed by conversation and
  time in the table itself, so history reads are strongly consistent (an index would not be) and the
  handler always sees the message it was started for; the owner is stored on every message and checked
  on every read;
- deleting a conversation deletes its messages: the conversations table streams its keys, and a cleanup
  Lambda (``conversation_handler/cleanup.py``), sent only REMOVE records, deletes them (``.cleanup``);
- the handler Lambda (``conversation_handler/handler.py``), started asynchronously with Lambda's own
  retries off, since a retried turn would answer twice. Its role may: call the one configured model with
  ``bedrock:InvokeModelWithResponseStream`` only (it uses ConverseStream); ``GetItem`` on conversations
  and ``Query`` on messages; ``appsync:GraphQL`` on exactly the two assistant-response mutation fields.
  It signs its answers with that role, and those two fields accept no one else: their first pipeline
  step (``resolvers/verifyHandlerCaller.function.js``, generated with the role's name) refuses any
  other IAM caller of the account with Unauthorized. A user's token reaches it only on a route with data
  tools, and serves only those queries (Amplify forwards the user's JWT on every turn and uses it for
  everything);
- data sources, pipeline functions and the packaged APPSYNC_JS resolvers (``resolvers/``), checked against
  the API's schema, which must contain this route's SDL (``compose_conversation_schema``);
- tools (``conversation_handler/tools.py``): data tools derived from the schema (``data_tools.py``) travel
  in a generated ``sendMessage`` step; an executable-tools folder ships beside the handler in its archive.

Per-stack values (model, prompt, inference, batching and tool-loop settings) reach only the handler,
through its environment; resolvers need none but the data tools' definitions.
"""

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from .. import bedrock, iam
from ..function import LoggedFunction, LoggedFunctionArgs
from ..graphql import (
    DataSourceModel,
    DynamoDbSourceModel,
    LambdaSourceModel,
    declare_data_source,
    declare_resolvers,
)
from ..package import component_options, component_type
from ..table import Table
from ..validation import check_args
from .args import ConversationRouteArgs
from .checks import MAX_EVENT_AGE_SECONDS, ConversationRouteModel
from .cleanup import MessageCleanup, declare_message_cleanup
from .tables import OWNER_UPDATED_AT_INDEX, conversation_table_args, message_table_args
from .wiring import HANDLER_DIRECTORY, HANDLER_PACKAGE, handler_caller_check_code, resolver_plan

CONVERSATION_TABLE_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
MESSAGE_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
"""GetItem because a retried answer's conditional put fails and AppSync reads the stored item to see it is the same."""


@dataclass(frozen=True)
class _Tables:
    conversations: Table
    messages: Table


class ConversationRoute(pulumi.ComponentResource):
    """Tables, handler, message cleanup, data sources and resolvers of one conversation route on an existing API.

    Python also gets the child components: ``conversations`` and ``messages`` (Table), ``handler``
    (LoggedFunction) and ``cleanup`` (its function, policy, trigger and failure queue).
    """

    conversations_table: aws.dynamodb.Table
    """Conversations, keyed (owner, id)."""
    messages_table: aws.dynamodb.Table
    """Messages, keyed (conversationId, createdAtId)."""
    handler_function: aws.lambda_.Function
    """The turn handler."""
    cleanup_function: aws.lambda_.Function
    """Deletes a deleted conversation's messages."""
    cleanup_failures: aws.sqs.Queue
    """Where stream batches the cleanup gave up on are reported (replay steps: the ``cleanup`` module)."""
    data_sources: dict[str, aws.appsync.DataSource]
    """The route's data sources by AppSync name."""
    functions: dict[str, aws.appsync.Function]
    """The route's pipeline functions by AppSync name."""
    resolvers: dict[str, aws.appsync.Resolver]
    """The route's resolvers by ``Type.field``."""
    route: str
    """The route name."""
    handler_name: pulumi.Output[str]
    """Name of the turn handler function."""
    cleanup_failures_queue_url: pulumi.Output[str]
    """URL of the cleanup's failure queue."""

    def __init__(
        self, name: str, args: ConversationRouteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        spec = check_args(ConversationRouteModel, "ConversationRouteArgs", args)
        names = spec.names
        tools_code = spec.tools_code() if spec.data_tools else None
        sources = names.data_sources
        super().__init__(
            component_type("ConversationRoute"), name, None, component_options("ConversationRoute", opts)
        )
        child = pulumi.ResourceOptions(parent=self)
        self.names = names
        tables = self._declare_tables(name, spec)
        self.conversations, self.messages = tables.conversations, tables.messages

        model = spec.model
        target = bedrock.target_model(
            model.model_id, model.inference_mode.value, spec.region, spec.partition, model.geography
        )
        environment: dict[str, pulumi.Input[str]] = {
            "CONVERSATIONS_TABLE_NAME": self.conversations.name,
            "MESSAGES_TABLE_NAME": self.messages.name,
            "GRAPHQL_URL": spec.graphql_url,
            "STREAM_MUTATION_NAME": names.assistant_response_stream,
            "STREAM_INPUT_TYPE_NAME": names.stream_input_type,
            "RESPONSE_MUTATION_NAME": names.assistant_response,
            "RESPONSE_INPUT_TYPE_NAME": names.response_input_type,
            "MODEL_ID": target.invoke_id,
            "SYSTEM_PROMPT": model.system_prompt,
            "MAX_TOKENS": str(model.max_tokens),
            "TEMPERATURE": "" if model.temperature is None else repr(float(model.temperature)),
            "BATCH_MILLISECONDS": str(spec.batch_milliseconds),
            "BATCH_CHARACTERS": str(spec.batch_characters),
            "HISTORY_MESSAGE_LIMIT": str(spec.history_message_limit),
            "MAX_TOOL_ITERATIONS": str(spec.max_tool_iterations),
            # The only data tools the handler accepts in a turn event: whoever else may invoke it cannot
            # hand the model tools, queries or descriptions of their own (conversation_handler/turn_event.py).
            "DATA_TOOLS_SHA256": spec.data_tools_sha256(),
        }
        extra_code_paths = []
        if spec.executable_tools_code_path is not None:
            extra_code_paths.append(spec.executable_tools_code_path)
            environment["EXECUTABLE_TOOLS_MODULE"] = Path(spec.executable_tools_code_path).resolve().name
        self.handler = LoggedFunction(
            f"{name}-handler",
            LoggedFunctionArgs(
                code_path=str(HANDLER_DIRECTORY),
                handler=f"{HANDLER_PACKAGE}.handler.handler",
                **({"extra_code_paths": extra_code_paths} if extra_code_paths else {}),
                memory_size=spec.handler_memory_mb,
                timeout=spec.handler_timeout_seconds,
                environment=environment,
                log_retention_days=spec.log_retention_days,
                application_log_level=spec.application_log_level,
                system_log_level=spec.system_log_level,
                **({"tracing_mode": "Active"} if spec.tracing else {}),
                **({"tags": spec.tags} if spec.tags is not None else {}),
            ),
            opts=child,
        )
        # ConverseStream only: the handler never calls InvokeModel or Converse.
        model_grant = bedrock.model_invoke_statements(
            model.model_id, model.inference_mode.value, spec.region, spec.account_id, streaming=True,
            synchronous=False, partition=spec.partition, geography=model.geography,
        )  # fmt: skip
        self.model_policy = iam.attach_statements(
            f"{name}-model-invoke", self.handler.role, model_grant, self
        )
        field_arn_prefix = pulumi.Output.all(spec.account_id, spec.api_id).apply(
            lambda values: (
                f"arn:{spec.partition}:appsync:{spec.region}:{values[0]}:apis/{values[1]}/types/Mutation/fields/"
            )
        )
        answer_fields = [names.assistant_response_stream, names.assistant_response]
        self.handler_policy = self.handler.grant(
            "conversation-access",
            [
                iam.statement("ReadConversationOwner", ["dynamodb:GetItem"], [self.conversations.arn]),
                iam.statement("ReadHistory", ["dynamodb:Query"], [self.messages.arn]),
                iam.statement(
                    "SendAnswers",
                    ["appsync:GraphQL"],
                    [pulumi.Output.concat(field_arn_prefix, field) for field in answer_fields],
                ),
            ],
        )
        self.invoke_config = aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-async-invoke",
            function_name=self.handler.name,
            maximum_retry_attempts=0,
            maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS,
            opts=child,
        )
        self.cleanup: MessageCleanup = declare_message_cleanup(
            name,
            code_path=str(HANDLER_DIRECTORY),
            conversations=self.conversations,
            messages=self.messages,
            log_retention_days=spec.log_retention_days,
            application_log_level=spec.application_log_level.value,
            system_log_level=spec.system_log_level.value,
            tracing=spec.tracing,
            parent=self,
            tags=spec.tags,
        )
        data_sources = {
            # Exactly what the packaged resolvers send (the tests compare the two).
            sources["conversations"]: DataSourceModel(
                dynamodb=DynamoDbSourceModel(
                    table_name=self.conversations.name,
                    table_arn=self.conversations.arn,
                    actions=CONVERSATION_TABLE_ACTIONS,
                    indexes=(OWNER_UPDATED_AT_INDEX,),
                )
            ),
            sources["messages"]: DataSourceModel(
                dynamodb=DynamoDbSourceModel(
                    table_name=self.messages.name, table_arn=self.messages.arn, actions=MESSAGE_TABLE_ACTIONS
                )
            ),
            # Resolved only once the handler's policies exist, so the first turn after a deploy cannot race
            # IAM (the data source, and every resolver using it, wait for them).
            sources["handler"]: DataSourceModel(
                function=LambdaSourceModel(
                    function_arn=pulumi.Output.all(
                        self.handler.arn, self.model_policy.id, self.handler_policy.id
                    ).apply(lambda values: values[0])
                )
            ),
            sources["none"]: DataSourceModel(none=True),
        }
        self.data_sources = {
            source: declare_data_source(
                name, source, spec.api_id, model_spec, self, api_arn=spec.api_arn, tags=spec.tags
            )
            for source, model_spec in data_sources.items()
        }
        # Both answer mutations start with a step that accepts only this handler role's sessions: the IAM
        # grant above lets the handler in, but any principal with its own appsync:GraphQL grant would pass
        # IAM too. The role's name is known once the role exists; account and name are stable, so is the code.
        caller_check = pulumi.Output.all(spec.account_id, self.handler.role.name).apply(
            lambda values: handler_caller_check_code(spec.partition, values[0], values[1])
        )
        functions, resolvers = resolver_plan(names, tools_code, handler_caller_code=caller_check)
        declared = declare_resolvers(name, spec.api_id, resolvers, functions, self.data_sources, self)
        self.functions = declared.functions
        self.resolvers = declared.resolvers

        self.conversations_table = self.conversations.table
        self.messages_table = self.messages.table
        self.handler_function = self.handler.function
        self.cleanup_function = self.cleanup.function.function
        self.cleanup_failures = self.cleanup.failures
        self.route = spec.route
        self.handler_name = self.handler.name
        self.cleanup_failures_queue_url = self.cleanup.failures.url
        self.register_outputs(
            {
                "conversations_table": self.conversations_table,
                "messages_table": self.messages_table,
                "handler_function": self.handler_function,
                "cleanup_function": self.cleanup_function,
                "cleanup_failures": self.cleanup_failures,
                "data_sources": self.data_sources,
                "functions": self.functions,
                "resolvers": self.resolvers,
                "route": self.route,
                "handler_name": self.handler_name,
                "cleanup_failures_queue_url": self.cleanup_failures_queue_url,
            }
        )

    def _declare_tables(self, name: str, spec: ConversationRouteModel) -> _Tables:
        child = pulumi.ResourceOptions(parent=self)
        return _Tables(
            Table(f"{name}-conversations", conversation_table_args(spec.protect_data, spec.tags), opts=child),
            Table(f"{name}-messages", message_table_args(spec.protect_data, spec.tags), opts=child),
        )
