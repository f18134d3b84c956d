"""What a ConversationRoute can be asked for: the public args every Pulumi language sees."""

from collections.abc import Mapping, Sequence
from typing import NotRequired, TypedDict

import pulumi

from ..bedrock import InferenceMode
from ..function import ApplicationLogLevel, SystemLogLevel


class ConversationModelSettings(TypedDict):
    """Which model answers, and how."""

    model_id: str
    """Base foundation-model id, e.g. ``anthropic.claude-sonnet-4-5-20250929-v1:0`` (no profile prefix)."""
    system_prompt: str
    """Sent with every turn; at most 2,048 bytes of UTF-8 (it travels in the handler's environment)."""
    inference_mode: NotRequired[InferenceMode]
    """in-region, geo (default: the cross-Region profile of the Region's geography) or global."""
    geography: NotRequired[str]
    """Only with mode geo: a narrower profile family such as ``jp`` or ``au``; unset picks the broad one."""
    max_tokens: NotRequired[int]
    """Upper bound on one answer, 1 to 200000 tokens (default 1024)."""
    temperature: NotRequired[float]
    """Sampling temperature 0 to 1; unset keeps the model's default."""


class DataTool(TypedDict):
    """A Query field of the API the model may call; the handler runs it with the signed-in user's own token,
    so the API's rules for that user decide what the model reads."""

    name: str
    """Tool name the model sees: 1 to 64 letters, digits, ``_`` or ``-`` (Bedrock's rule), unique in the route,
    e.g. ``listLeagues``."""
    description: str
    """What the query returns and when to use it (1 to 4,096 characters); the model decides from this text."""
    query_field: str
    """A field of the schema's ``Query`` that Cognito users may call, e.g. ``listLeagues``. Its arguments become
    the tool's input schema; the query selects the return type's scalar and enum fields, nested object types
    three levels deep."""


class ConversationRouteArgs(TypedDict):
    """One Amplify-compatible conversation route (``client.conversations.<route>``) on an existing API."""

    route: str
    """Route name as the frontend uses it, e.g. ``chat``: 1 to 40 letters and digits, starting with a letter."""
    api_id: pulumi.Input[str]
    """Id of the AppSync API the route's data sources and resolvers are added to."""
    graphql_url: pulumi.Input[str]
    """GraphQL endpoint of that API; the handler sends its answers there."""
    schema_sdl: str
    """The API's deployed schema, which must include this route's SDL (``compose_conversation_schema``)."""
    region: str
    """Region of the API and the handler; it decides the model's inference profile and the ARNs."""
    account_id: pulumi.Input[str]
    """Account of the API and the handler (checked when known), for exact ARNs."""
    model: ConversationModelSettings
    """Model id, inference mode, system prompt and inference settings."""
    protect_data: bool
    """Production switch for both tables: point-in-time recovery, deletion protection, protect and retain."""
    api_arn: NotRequired[pulumi.Input[str]]
    """ARN of the same API; when given, the route's data-source roles trust AppSync only for this API."""
    batch_milliseconds: NotRequired[int]
    """The handler sends a batch once this long has passed since the previous one (0 to 60000, default 250)."""
    batch_characters: NotRequired[int]
    """... or once the batch holds this many characters (1 to 100000, default 400), whichever comes first."""
    history_message_limit: NotRequired[int]
    """Most recent messages given to the model as context (1 to 1000, default 50)."""
    data_tools: NotRequired[Sequence[DataTool]]
    """Queries of the API the model may call as the user (at most 50); their definitions reach the handler
    with every turn, in a generated resolver step of at most 32,768 characters. The handler's environment
    holds their digest (``DATA_TOOLS_SHA256``): it refuses a turn event carrying other definitions, or a
    token whose ``sub`` is not the conversation owner's."""
    executable_tools_code_path: NotRequired[str]
    """A folder holding a Python package whose ``__init__.py`` defines ``TOOLS``, a list of ``ExecutableTool``
    run by the handler; shipped beside it as ``<folder name>/`` (a Python identifier, not
    ``conversation_handler``). Relative paths start at the program's folder. Checked before anything is
    declared: imported as the handler imports it, in a child Python process (at most 30 s), so an import
    error, a missing or malformed ``TOOLS``, a bad tool or a name shared with a data tool is refused here."""
    max_tool_iterations: NotRequired[int]
    """Rounds of data or executable tool calls one answer may take, 1 to 20 (default 5); a model asking for
    more fails the turn with ``ToolLoopLimitError`` and nothing is stored."""
    handler_timeout_seconds: NotRequired[int]
    """Lambda timeout, 30 to 900 (default 120); the handler stops streaming 5 s before it and says so."""
    handler_memory_mb: NotRequired[int]
    """Lambda memory, 128 to 10240 MB (default 512)."""
    log_retention_days: NotRequired[int]
    """How long the handler's and the cleanup's logs are kept; a value CloudWatch Logs accepts (default 14)."""
    application_log_level: NotRequired[ApplicationLogLevel]
    """Lowest level of the handler's own records kept (default INFO); no level ever carries message content."""
    system_log_level: NotRequired[SystemLogLevel]
    """Lowest level of Lambda platform records kept (default WARN)."""
    tracing: NotRequired[bool]
    """Sends X-Ray traces of the handler (and grants it the write permission); default false."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for the tables, functions and queue."""
