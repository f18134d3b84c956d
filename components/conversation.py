"""One Amplify-compatible conversation route (``client.conversations.<route>``) on an existing AppSync API.

What it declares, and why it differs from Amplify's ``a.conversation``:

- two owner-scoped tables. Conversations: key (owner = Cognito sub, id), index ``byOwnerUpdatedAt``
  (owner, updatedAt) so a user's list is one Query on their own partition, newest first (Amplify
  partitions its index on ``__typename``: one hot partition for all users, filtered after reading).
  Messages: key (conversationId, createdAtId = "<createdAt>#<id>"), i.e. indexed by conversation and
  time in the table itself, so history reads are strongly consistent (an index would not be) and
  the handler always sees the message it was started for; the owner is stored on every message and
  checked on every read;
- deleting a conversation deletes its messages: the conversations table streams its keys, and a
  cleanup Lambda (functions/conversation/cleanup.py), sent only REMOVE records, deletes them; its
  role may only ``Query`` and ``BatchWriteItem`` messages and read that stream. (A retention TTL on
  messages would need the period in the resolvers that write them, which take no per-stack values);
- the handler Lambda (functions/conversation), started asynchronously (``invocationType: 'Event'``)
  with Lambda's own retries off, since a retried turn would answer twice. Its role may: call the one
  configured model with ``bedrock:InvokeModelWithResponseStream`` only (it uses ConverseStream, never
  InvokeModel/Converse); ``GetItem`` on conversations and ``Query`` on messages; ``appsync:GraphQL``
  on exactly the two assistant-response mutation fields. It signs with that role, so no user token
  ever reaches it (Amplify forwards the user's JWT);
- data sources, pipeline functions and APPSYNC_JS resolvers (resolvers/conversation), added to the
  API through components/graphql_resolvers.py and checked against the API's schema, which must
  contain this route's SDL (components/conversation_schema.py ``compose_conversation_schema``).

Per-stack values (model, prompt, inference and batching settings) reach only the handler, through
its environment; resolvers need none, so no generated resolver code is involved.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws

from components import bedrock, iam
from components.conversation_args import (
    MAX_EVENT_AGE_SECONDS,
    ConversationRouteArgs,
    validate_conversation_args,
)
from components.conversation_cleanup import declare_message_cleanup
from components.conversation_names import RouteNames
from components.function import LoggedFunction, LoggedFunctionArgs
from components.graphql_data_sources import (
    DynamoDbDataSource,
    LambdaDataSource,
    NoneDataSource,
    declare_data_source,
)
from components.graphql_resolvers import PipelineFunction, Resolver, declare_resolvers, validate_resolvers
from components.table import GlobalSecondaryIndex, Table, TableArgs

OWNER_UPDATED_AT_INDEX = "byOwnerUpdatedAt"
"""Also named in resolvers/conversation/listConversations.js."""
CONVERSATIONS_STREAM_VIEW = "KEYS_ONLY"
"""The cleanup needs only (owner, id) of a deleted conversation, so the stream carries no content."""
CONVERSATION_TABLE_ACTIONS = (
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
MESSAGE_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
"""GetItem because a retried answer's conditional put fails and AppSync reads the stored item to see it is the same."""


def _resolver_plan(names: RouteNames, code: Path) -> tuple[dict[str, PipelineFunction], dict[str, Resolver]]:
    """Which code file serves which field, on which data source: the route's whole GraphQL wiring."""
    sources, prefix = names.data_sources, f"Conversation{names.suffix}"
    verify, touch, write = f"{prefix}VerifyOwner", f"{prefix}TouchConversation", f"{prefix}WriteMessage"
    invoke, query = f"{prefix}InvokeHandler", f"{prefix}QueryMessages"

    def step(source: str, file: str) -> PipelineFunction:
        return PipelineFunction(data_source=sources[source], code_path=code / f"{file}.function.js")

    functions = {
        verify: step("conversations", "verifyConversationOwner"),
        touch: step("conversations", "touchConversation"),
        write: step("messages", "writeMessage"),
        invoke: step("handler", "invokeHandler"),
        query: step("messages", "queryMessages"),
    }

    def unit(source: str, file: str) -> Resolver:
        return Resolver(code_path=code / f"{file}.js", data_source=sources[source])

    def pipeline(file: str, *steps: str) -> Resolver:
        return Resolver(code_path=code / f"{file}.js", pipeline=steps)

    resolvers = {
        f"Query.{names.get_conversation}": unit("conversations", "getConversation"),
        f"Query.{names.list_conversations}": unit("conversations", "listConversations"),
        f"Query.{names.list_messages}": pipeline("listMessages", verify, query),
        f"Mutation.{names.create_conversation}": unit("conversations", "createConversation"),
        f"Mutation.{names.update_conversation}": unit("conversations", "updateConversation"),
        f"Mutation.{names.delete_conversation}": unit("conversations", "deleteConversation"),
        f"Mutation.{names.send_message}": pipeline("sendMessage", touch, write, invoke),
        f"Mutation.{names.assistant_response}": pipeline("createAssistantResponse", touch, write),
        f"Mutation.{names.assistant_response_stream}": unit("none", "createAssistantResponseStream"),
        f"Subscription.{names.assistant_response_subscription}": pipeline(
            "onCreateAssistantResponse", verify
        ),
    }
    return functions, resolvers


class ConversationRoute(pulumi.ComponentResource):
    """Tables, handler, data sources and resolvers of one conversation route on an existing API."""

    def __init__(
        self, name: str, args: ConversationRouteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        names = validate_conversation_args(args)
        code = Path(args.resolver_code_path)
        functions, resolvers = _resolver_plan(names, code)
        sources = names.data_sources
        validate_resolvers(
            args.schema_sdl, resolvers, functions, list(sources.values()), owner="ConversationRouteArgs"
        )
        super().__init__("genai:index:ConversationRoute", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = bedrock.partition_for_region(args.region)
        self.names = names

        self.conversations = Table(
            f"{name}-conversations",
            TableArgs(
                hash_key="owner",
                range_key="id",
                attribute_types={"owner": "S", "id": "S", "updatedAt": "S"},
                global_secondary_indexes=[
                    GlobalSecondaryIndex(name=OWNER_UPDATED_AT_INDEX, hash_key="owner", range_key="updatedAt")
                ],
                protect_data=args.protect_data,
                stream_view_type=CONVERSATIONS_STREAM_VIEW,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.messages = Table(
            f"{name}-messages",
            TableArgs(
                hash_key="conversationId",
                range_key="createdAtId",
                attribute_types={"conversationId": "S", "createdAtId": "S"},
                protect_data=args.protect_data,
            ),
            opts=child,
        )

        model = args.model
        target = bedrock.target_model(
            model.model_id, model.inference_mode, args.region, partition, model.geography
        )
        account = pulumi.Output.from_input(args.account_id)
        environment: dict[str, pulumi.Input[str]] = {
            "CONVERSATIONS_TABLE_NAME": self.conversations.name,
            "MESSAGES_TABLE_NAME": self.messages.name,
            "GRAPHQL_URL": args.graphql_url,
            "STREAM_MUTATION_NAME": names.assistant_response_stream,
            "STREAM_INPUT_TYPE_NAME": names.stream_input_type,
            "RESPONSE_MUTATION_NAME": names.assistant_response,
            "RESPONSE_INPUT_TYPE_NAME": names.response_input_type,
            "MODEL_ID": target.invoke_id,
            "SYSTEM_PROMPT": model.system_prompt,
            "MAX_TOKENS": str(model.max_tokens),
            "TEMPERATURE": "" if model.temperature is None else repr(float(model.temperature)),
            "BATCH_MILLISECONDS": str(args.batch_milliseconds),
            "BATCH_CHARACTERS": str(args.batch_characters),
            "HISTORY_MESSAGE_LIMIT": str(args.history_message_limit),
        }
        self.handler = LoggedFunction(
            f"{name}-handler",
            LoggedFunctionArgs(
                code_path=args.handler_code_path,
                handler=f"{Path(args.handler_code_path).resolve().name}.handler.handler",
                memory_size=args.handler_memory_mb,
                timeout=args.handler_timeout_seconds,
                environment=environment,
                log_retention_days=args.log_retention_days,
                application_log_level=args.application_log_level,
                system_log_level=args.system_log_level,
                tracing_mode="Active" if args.tracing else None,
            ),
            opts=child,
        )
        # ConverseStream only: the handler never calls InvokeModel or Converse.
        model_grant = bedrock.model_invoke_statements(
            model.model_id, model.inference_mode, args.region, args.account_id, streaming=True,
            synchronous=False, partition=partition, geography=model.geography,
        )  # fmt: skip
        self.model_policy = iam.attach_statements(
            f"{name}-model-invoke", self.handler.role, model_grant, self
        )
        field_arn_prefix = pulumi.Output.all(account, args.api_id).apply(
            lambda values: (
                f"arn:{partition}:appsync:{args.region}:{values[0]}:apis/{values[1]}/types/Mutation/fields/"
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

        self.cleanup = declare_message_cleanup(
            name,
            code_path=args.handler_code_path,
            conversations=self.conversations,
            messages=self.messages,
            log_retention_days=args.log_retention_days,
            application_log_level=args.application_log_level,
            system_log_level=args.system_log_level,
            tracing=args.tracing,
            parent=self,
        )

        specs = {
            # Exactly what resolvers/conversation/*.js send (tests/test_stack.py compares the two).
            sources["conversations"]: DynamoDbDataSource(
                table_name=self.conversations.name,
                table_arn=self.conversations.arn,
                actions=CONVERSATION_TABLE_ACTIONS,
                indexes=(OWNER_UPDATED_AT_INDEX,),
            ),
            sources["messages"]: DynamoDbDataSource(
                table_name=self.messages.name, table_arn=self.messages.arn, actions=MESSAGE_TABLE_ACTIONS
            ),
            # Resolved only once the handler's policies exist, so the first turn after a deploy
            # cannot race IAM (the data source, and every resolver using it, wait for them).
            sources["handler"]: LambdaDataSource(
                function_arn=pulumi.Output.all(
                    self.handler.arn, self.model_policy.id, self.handler_policy.id
                ).apply(lambda values: values[0])
            ),
            sources["none"]: NoneDataSource(),
        }
        self.data_sources = {
            source: declare_data_source(name, source, args.api_id, spec, self, api_arn=args.api_arn)
            for source, spec in specs.items()
        }
        declared = declare_resolvers(
            name, args.api_id, args.schema_sdl, resolvers, functions, self.data_sources, self
        )
        self.functions = declared.functions
        self.resolvers = declared.resolvers

        self.register_outputs(
            {
                "route": args.route,
                "conversationsTableName": self.conversations.name,
                "messagesTableName": self.messages.name,
                "handlerName": self.handler.name,
                "handlerArn": self.handler.arn,
                "cleanupName": self.cleanup.function.name,
                "cleanupFailuresQueueUrl": self.cleanup.failures.url,
            }
        )
