"""The conversation route's arguments and every check on them that needs no deployed resource.

Kept apart from the component so the route's wiring (tables, handler, resolvers) reads on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi

from components import bedrock
from components.conversation_names import RouteNames
from components.function import (
    APPLICATION_LOG_LEVELS,
    MEMORY_RANGE,
    RETENTION_DAYS,
    SYSTEM_LOG_LEVELS,
    TIMEOUT_RANGE,
)

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
    api_arn: pulumi.Input[str] | None = None
    """ARN of the same API; when given, the route's data-source roles trust AppSync only for this API."""
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
    """Folder of the handler package (``functions/conversation``): entry modules ``handler.py`` (the turn)
    and ``cleanup.py`` (deletes a deleted conversation's messages)."""
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


def validate_conversation_args(args: ConversationRouteArgs) -> RouteNames:
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
    for module in ("handler.py", "cleanup.py"):  # the turn's entry module, and the message cleanup's
        if not (Path(args.handler_code_path) / module).is_file():
            raise ValueError(
                f"ConversationRouteArgs.handler_code_path: no {module} in {args.handler_code_path!r}"
            )
    return names
