"""One Amplify-compatible conversation route (``client.conversations.<route>``) on an existing AppSync API.

What it declares, and why it differs from Amplify's ``a.conversation``:

- two owner-scoped tables. Conversations: key (owner = Cognito sub, id), index ``byOwnerUpdatedAt``
  (owner, updatedAt) so a user's list is one Query on their own partition, newest first (Amplify
  partitions its index on ``__typename``: one hot partition for all users, filtered after reading).
  Messages: key (conversationId, createdAtId = "<createdAt>#<id>"), i.e. indexed by conversation and
  time in the table itself, so history reads are strongly consistent (an index would not be) and
  the handler always sees the message it was started for; the owner is stored on every message and
  checked on every read;
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

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components import bedrock, iam
from components.conversation_schema import RouteNames
from components.function import (
    APPLICATION_LOG_LEVELS,
    MEMORY_RANGE,
    RETENTION_DAYS,
    SYSTEM_LOG_LEVELS,
    TIMEOUT_RANGE,
    LoggedFunction,
    LoggedFunctionArgs,
)
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
MAX_SYSTEM_PROMPT_BYTES = 2048
"""Lambda allows 4 KB of environment in total; the prompt may take half."""
MAX_EVENT_AGE_SECONDS = 300
"""A turn still queued after this long is dropped: nobody is waiting for it any more."""
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


@dataclass(frozen=True, kw_only=True)
class ConversationModelSettings:
    """Which model answers, and how."""

    model_id: str
    """Base foundation-model id, e.g. ``anthropic.claude-sonnet-4-5-20250929-v1:0`` (no profile prefix)."""
    system_prompt: str
    """Sent with every turn; at most 2048 UTF-8 bytes (it travels in the handler's environment)."""
    inference_mode: bedrock.InferenceMode = "geo"
    """``in-region``, ``geo`` (cross-Region profile of the Region's geography) or ``global``."""
    geography: str | None = None
    """Only with mode ``geo``: a narrower profile family such as ``jp`` or ``au``; None picks the broad one."""
    max_tokens: int = 1024
    """Upper bound on one answer, 1..200000 tokens."""
    temperature: float | None = None
    """Sampling temperature 0..1; None keeps the model's default."""


@dataclass(frozen=True, kw_only=True)
class ConversationRouteArgs:
    """The route, the API it joins, the model, and the handler's operating settings."""

    route: str
    """Route name as the frontend uses it (``client.conversations.<route>``), e.g. ``chat``."""
    api_id: pulumi.Input[str]
    """Id of the AppSync API the route's data sources and resolvers are added to."""
    graphql_url: pulumi.Input[str]
    """GraphQL endpoint of that API; the handler sends its answers there."""
    schema_sdl: str
    """The API's deployed schema, which must include this route's SDL; every resolver is checked against it."""
    region: str
    """Region of the API and the handler; it decides the model's inference profile and the ARNs."""
    account_id: pulumi.Input[str]
    """Account of the API and the handler (e.g. from ``aws.get_caller_identity``), for exact ARNs."""
    model: ConversationModelSettings
    """Model id, inference mode, system prompt and inference settings."""
    handler_code_path: str
    """Folder of the handler package (``functions/conversation``); its ``handler.py`` is the entry module."""
    resolver_code_path: str
    """Folder of the route's APPSYNC_JS files (``resolvers/conversation``)."""
    protect_data: bool
    """Production switch for both tables: point-in-time recovery, deletion protection, protect + retain."""
    batch_milliseconds: int = 250
    """The handler sends a batch once this long has passed since the previous one (0..60000)."""
    batch_characters: int = 400
    """... or once the batch holds this many characters (1..100000), whichever comes first."""
    history_message_limit: int = 50
    """Most recent messages given to the model as context (1..1000)."""
    handler_timeout_seconds: int = 120
    """Lambda timeout; the handler stops streaming 5 s before it and tells the client."""
    handler_memory_mb: int = 512
    """Lambda memory (128..10240 MB)."""
    log_retention_days: int = 14
    """How long the handler's logs are kept; a value CloudWatch Logs accepts."""
    application_log_level: str = "INFO"
    """Lowest level of the handler's own logs kept (TRACE..FATAL); no level ever carries message content."""
    system_log_level: str = "WARN"
    """Lowest level of Lambda platform logs kept (DEBUG, INFO, WARN)."""
    tracing: bool = False
    """Sends X-Ray traces of the handler (and grants it the write permission)."""


def _in_range(field_name: str, value: Any, low: int | float, high: int | float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(
            f"ConversationRouteArgs.{field_name}: {value!r} is not allowed; use a number {low}..{high}"
        )


def _one_of(field_name: str, value: Any, allowed: tuple[Any, ...]) -> None:
    if value not in allowed:
        raise ValueError(
            f"ConversationRouteArgs.{field_name}: {value!r} is not allowed; use one of {', '.join(map(str, allowed))}"
        )


def _validate(args: ConversationRouteArgs) -> RouteNames:
    """Every check that does not need a deployed resource, before anything is declared."""
    try:
        names = RouteNames.of(args.route)
        bedrock.check_model_choice(
            args.model.model_id, args.model.inference_mode, args.region, bedrock.partition_for_region(args.region),
            args.model.geography,
        )  # fmt: skip
    except ValueError as problem:
        where = "" if str(problem).startswith("route:") else "model: "
        raise ValueError(f"ConversationRouteArgs.{where}{problem}") from None
    prompt = args.model.system_prompt
    if not isinstance(prompt, str) or not prompt.strip() or len(prompt.encode()) > MAX_SYSTEM_PROMPT_BYTES:
        raise ValueError(
            f"ConversationRouteArgs.model.system_prompt: must be non-empty and at most {MAX_SYSTEM_PROMPT_BYTES} "
            "UTF-8 bytes (it travels in the handler's 4 KB environment)"
        )
    _in_range("model.max_tokens", args.model.max_tokens, 1, 200_000)
    if not isinstance(args.model.max_tokens, int):
        raise ValueError("ConversationRouteArgs.model.max_tokens: must be an integer")
    if args.model.temperature is not None:
        _in_range("model.temperature", args.model.temperature, 0, 1)
    for field_name, low, high in (
        ("batch_milliseconds", 0, 60_000), ("batch_characters", 1, 100_000), ("history_message_limit", 1, 1_000),
        ("handler_timeout_seconds", 30, TIMEOUT_RANGE[1]), ("handler_memory_mb", *MEMORY_RANGE),
    ):  # fmt: skip
        value = getattr(args, field_name)
        _in_range(field_name, value, low, high)
        if not isinstance(value, int):
            raise ValueError(f"ConversationRouteArgs.{field_name}: must be an integer")
    _one_of("log_retention_days", args.log_retention_days, RETENTION_DAYS)
    _one_of("application_log_level", args.application_log_level, APPLICATION_LOG_LEVELS)
    _one_of("system_log_level", args.system_log_level, SYSTEM_LOG_LEVELS)
    _one_of("protect_data", args.protect_data, (True, False))
    _one_of("tracing", args.tracing, (True, False))
    for field_name in ("api_id", "graphql_url"):
        value = getattr(args, field_name)
        if isinstance(value, str) and not value.strip():
            raise ValueError(f"ConversationRouteArgs.{field_name}: must not be empty")
    if isinstance(args.account_id, str) and not _ACCOUNT_ID.fullmatch(args.account_id):
        raise ValueError(
            f"ConversationRouteArgs.account_id: {args.account_id!r} is not a 12-digit AWS account id"
        )
    if not (Path(args.handler_code_path) / "handler.py").is_file():
        raise ValueError(
            f"ConversationRouteArgs.handler_code_path: no handler.py in {args.handler_code_path!r}"
        )
    return names


def _data_source_names(names: RouteNames) -> dict[str, str]:
    suffix = names.suffix
    return {
        "conversations": f"Conversation{suffix}Table",
        "messages": f"ConversationMessage{suffix}Table",
        "handler": f"Conversation{suffix}Handler",
        "none": f"Conversation{suffix}None",
    }


def _resolver_plan(names: RouteNames, code: Path) -> tuple[dict[str, PipelineFunction], dict[str, Resolver]]:
    """Which code file serves which field, on which data source: the route's whole GraphQL wiring."""
    sources, prefix = _data_source_names(names), f"Conversation{names.suffix}"
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


def _stream_only(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ConverseStream needs InvokeModelWithResponseStream alone; the shared helper also grants InvokeModel."""
    return [{**statement, "Action": [bedrock.STREAM_ACTION]} for statement in statements]


class ConversationRoute(pulumi.ComponentResource):
    """Tables, handler, data sources and resolvers of one conversation route on an existing API."""

    def __init__(
        self, name: str, args: ConversationRouteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        names = _validate(args)
        code = Path(args.resolver_code_path)
        functions, resolvers = _resolver_plan(names, code)
        sources = _data_source_names(names)
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
            ),
            opts=child,
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

        def resolved(account: str) -> bedrock.ResolvedModel:
            return bedrock.resolve_model(
                model.model_id, model.inference_mode, args.region, account, partition, model.geography
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
            "MODEL_ID": account.apply(lambda value: resolved(value).invoke_id),
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
        self.model_policy = aws.iam.RolePolicy(
            f"{name}-model-invoke",
            role=self.handler.role.id,
            policy=account.apply(
                lambda value: iam.policy_document(
                    _stream_only(bedrock.invoke_statements(resolved(value), True))
                )
            ),
            opts=child,
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

        specs = {
            sources["conversations"]: DynamoDbDataSource(
                table_name=self.conversations.name, table_arn=self.conversations.arn
            ),
            sources["messages"]: DynamoDbDataSource(
                table_name=self.messages.name, table_arn=self.messages.arn
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
            source: declare_data_source(name, source, args.api_id, spec, self)
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
            }
        )
