"""What starts a turn (the sendMessage resolver's payload) and what a turn reports back.

The payload (invokeHandler.function.js)::

    {"conversationId": "<uuid>", "currentMessageId": "<uuid>", "owner": "<Cognito sub>",
     # only for a route with data tools:
     "toolsConfiguration": {"dataTools": [{"name", "description", "inputSchema": {"json"}, "query"}]},
     "request": {"headers": {"authorization": "<the caller's token>"}}}

``toolsConfiguration`` and ``request.headers.authorization`` have the place and names Amplify's handler
event gives them. The token is kept out of ``repr`` and every message here, so no log line can carry it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .tools import DataTool

MAX_ID_LENGTH = 128
MAX_TOKEN_LENGTH = 16_384
"""Cognito tokens are a few KB; anything longer is not one."""
MAX_DATA_TOOLS = 100


class InvalidTurnEventError(ValueError):
    """The invocation payload is not what the sendMessage resolver sends."""


def _data_tools(event: Mapping[str, Any]) -> tuple[DataTool, ...]:
    configuration = event.get("toolsConfiguration")
    if configuration is None:
        return ()
    tools = configuration.get("dataTools") if isinstance(configuration, Mapping) else None
    if not isinstance(tools, list) or len(tools) > MAX_DATA_TOOLS:
        raise InvalidTurnEventError(
            f"event.toolsConfiguration.dataTools: expected a list of at most {MAX_DATA_TOOLS}"
        )
    try:
        return tuple(
            DataTool.parse(tool, f"event.toolsConfiguration.dataTools[{index}]")
            for index, tool in enumerate(tools)
        )
    except ValueError as problem:
        raise InvalidTurnEventError(str(problem)) from None


def _user_token(event: Mapping[str, Any]) -> str | None:
    request = event.get("request")
    headers = request.get("headers") if isinstance(request, Mapping) else None
    token = headers.get("authorization") if isinstance(headers, Mapping) else None
    if token is None:
        return None
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
        raise InvalidTurnEventError(
            f"event.request.headers.authorization: expected a token of 1..{MAX_TOKEN_LENGTH} characters"
        )
    return token


@dataclass(frozen=True, kw_only=True)
class TurnEvent:
    """The payload of the sendMessage resolver's asynchronous ``Invoke``."""

    conversation_id: str
    """The conversation the user wrote in."""
    current_message_id: str
    """The user message to answer (already stored)."""
    owner: str
    """The user's Cognito ``sub``: the conversation's owner and the only subscriber who gets the answer."""
    data_tools: tuple[DataTool, ...] = ()
    """The route's data tools (none for a route without them)."""
    user_token: str | None = field(default=None, repr=False)
    """The caller's token, for data-tool queries only; present when the route has data tools."""

    @staticmethod
    def parse(event: Any) -> TurnEvent:
        if not isinstance(event, Mapping):
            raise InvalidTurnEventError("event: expected an object")
        values = {}
        for key in ("conversationId", "currentMessageId", "owner"):
            value = event.get(key)
            if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_LENGTH:
                raise InvalidTurnEventError(
                    f"event.{key}: expected a string of 1..{MAX_ID_LENGTH} characters"
                )
            values[key] = value
        return TurnEvent(
            conversation_id=values["conversationId"],
            current_message_id=values["currentMessageId"],
            owner=values["owner"],
            data_tools=_data_tools(event),
            user_token=_user_token(event),
        )


@dataclass(frozen=True)
class TurnReport:
    """Outcome of a turn, returned by the handler (visible in tests; async callers ignore it)."""

    status: str
    """"answered", "failed", or "duplicate" (the message was or is being answered by another run)."""
    error_type: str | None = None
    """The errorType sent to the client when the turn failed."""
    parts_sent: int = 0
    """Stream mutations sent, the final stopReason part included."""
    stop_reason: str | None = None
    tool_rounds: int = 0
    """Rounds of data or executable tool calls the answer took."""
