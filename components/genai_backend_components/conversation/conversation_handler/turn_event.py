"""What starts a turn (the sendMessage resolver's payload) and what a turn reports back.

The payload (invokeHandler.function.js)::

    {"conversationId": "<uuid>", "currentMessageId": "<uuid>", "owner": "<Cognito sub>",
     # only for a route with data tools:
     "toolsConfiguration": {"dataTools": [{"name", "description", "inputSchema": {"json"}, "query"}]},
     "request": {"headers": {"authorization": "<the caller's token>"}}}

``toolsConfiguration`` and ``request.headers.authorization`` have the place and names Amplify's handler
event gives them. The token is kept out of ``repr`` and every message here, so no log line can carry it.

Whoever may ``lambda:InvokeFunction`` the handler can send it any payload, and the handler signs and stores
the answer it then writes. So an event is accepted only as the route's own sendMessage resolver would send
it (``UntrustedTurnEventError`` otherwise):
- its data-tool definitions hash to the route's (``DATA_TOOLS_SHA256``, settings.py ``data_tools_sha256``),
  computed over the list as received: other descriptions, other queries, an extra or a missing tool fail;
- a route without data tools gets neither tools nor a token; a route with them always gets the token;
- the token's ``sub`` claim is the event's ``owner``. Read without checking the signature: AppSync checks
  it when the handler sends a data tool's query with the token, so a forged claim reads nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .settings import data_tools_sha256 as digest_of
from .tools import DataTool

MAX_ID_LENGTH = 128
MAX_TOKEN_LENGTH = 16_384
"""Cognito tokens are a few KB; anything longer is not one."""
MAX_DATA_TOOLS = 100


class InvalidTurnEventError(ValueError):
    """The invocation payload is not what the sendMessage resolver sends."""

    error_type = "InvalidEvent"
    """What the handler returns in ``errorType`` (nobody reads it: the invocation is asynchronous)."""


class UntrustedTurnEventError(InvalidTurnEventError):
    """A well-formed payload the route's sendMessage would not send: other data tools, or another user's token."""

    error_type = "UntrustedEvent"


def _data_tool_list(event: Mapping[str, Any]) -> list[Any]:
    """``toolsConfiguration.dataTools`` as received; an event without ``toolsConfiguration`` has none."""
    configuration = event.get("toolsConfiguration")
    if configuration is None:
        return []
    tools = configuration.get("dataTools") if isinstance(configuration, Mapping) else None
    if not isinstance(tools, list) or len(tools) > MAX_DATA_TOOLS:
        raise InvalidTurnEventError(
            f"event.toolsConfiguration.dataTools: expected a list of at most {MAX_DATA_TOOLS}"
        )
    return tools


def _parsed_data_tools(tools: list[Any]) -> tuple[DataTool, ...]:
    try:
        return tuple(
            DataTool.parse(tool, f"event.toolsConfiguration.dataTools[{index}]")
            for index, tool in enumerate(tools)
        )
    except ValueError as problem:
        raise InvalidTurnEventError(str(problem)) from None


def token_subject(token: str) -> str | None:
    """The ``sub`` claim of a JWT (Cognito access and ID tokens both carry it), signature unchecked; None when
    ``token`` is not a JWT with a text ``sub``."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return None
    subject = claims.get("sub") if isinstance(claims, Mapping) else None
    return subject if isinstance(subject, str) and subject else None


def _check_route_tools(tools: list[Any], token: str | None, owner: str, expected_sha256: str) -> None:
    """Refuses what the route's sendMessage would not send; messages name fields, never the token's content."""
    where = "event.toolsConfiguration.dataTools"
    try:
        digest = digest_of(tools)
    except ValueError:  # NaN or Infinity: JSON the resolver never sends
        raise UntrustedTurnEventError(f"{where}: not the route's data tools (not plain JSON)") from None
    if digest != expected_sha256:
        raise UntrustedTurnEventError(
            f"{where}: not the route's data tools (their digest differs from DATA_TOOLS_SHA256)"
            if tools
            else f"{where}: missing, and the route has data tools"
        )
    authorization = "event.request.headers.authorization"
    if not tools:
        if token is not None:
            raise UntrustedTurnEventError(
                f"{authorization}: a route without data tools is never sent a token"
            )
        return
    if token is None:
        raise UntrustedTurnEventError(f"{authorization}: missing, and the route has data tools")
    if token_subject(token) != owner:
        raise UntrustedTurnEventError(f"{authorization}: the token's sub claim is not event.owner")


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
    def parse(event: Any, *, data_tools_sha256: str) -> TurnEvent:
        """The event, if the route's sendMessage could have sent it; ``data_tools_sha256`` is the route's
        (``HandlerSettings.data_tools_sha256``). Raises InvalidTurnEventError (malformed) or
        UntrustedTurnEventError (well-formed, but not this route's tools or not the owner's token)."""
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
        tools, token = _data_tool_list(event), _user_token(event)
        _check_route_tools(tools, token, values["owner"], data_tools_sha256)
        return TurnEvent(
            conversation_id=values["conversationId"],
            current_message_id=values["currentMessageId"],
            owner=values["owner"],
            data_tools=_parsed_data_tools(tools),
            user_token=token,
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
