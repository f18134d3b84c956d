"""Conversation handler: answers one user message of an Amplify-style conversation route.

Invocation: asynchronous (``invocationType: 'Event'``) by the ``sendMessage<Route>`` resolver, after
it stored the user message, with the payload (turn_event.py)::

    {"conversationId": "<uuid>", "currentMessageId": "<uuid>", "owner": "<Cognito sub>",
     "toolsConfiguration": {...}, "request": {"headers": {"authorization": "..."}}}

The last two only for a route with data tools: their definitions, and the caller's token, used for
those queries alone (see graphql_client.py). What the handler sends back, through AppSync signed with
its IAM role:

- ``createAssistantResponseStream<Route>(input: CreateConversationMessage<Route>AssistantStreamingInput!)``
  with ``input = {conversationId, associatedUserMessageId, owner, contentBlockIndex?,
  contentBlockDeltaIndex?, contentBlockText?, contentBlockToolUse?, contentBlockDoneAtIndex?,
  stopReason?, errors?}``, once per batch (streaming.py); subscribers of
  ``onCreateAssistantResponse<Route>(conversationId)`` whose sub equals ``owner`` receive it;
- ``createAssistantResponse<Route>(input: CreateConversationMessage<Route>AssistantInput!)`` with
  ``input = {conversationId, associatedUserMessageId, owner, content, createdAt}``, once per answer,
  which stores the assistant message; ``createdAt`` is the user message's own stored createdAt, so the
  answer's key derives from the message it answers and a resend, or a duplicate event for the same
  message, cannot store a second answer (see turn.py).

The route's executable tools (``EXECUTABLE_TOOLS_MODULE``, executable_tools.py) are imported on the
first turn of a cold start and kept while warm.

The returned ``status`` is ``answered``, ``failed``, ``duplicate`` (the message was already answered:
no model call, nothing sent) or ``rejected``: the payload is not a turn event (``InvalidEvent``), or not
one this route's sendMessage would send (``UntrustedEvent``: data tools other than the route's, whose
digest is ``DATA_TOOLS_SHA256``, or a token that is not the owner's; see turn_event.py). A rejected event
runs no turn: no model call, nothing read, stored or published, one error line without the payload.

Logging: stdlib ``logging`` only (the Lambda runtime formats JSON and applies the configured level).
INFO and above carry ids, counts, tool names and error codes; message text, prompts, model output, tool
input and results, and the user's token are never logged at any level; DEBUG adds sizes and counts only.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from .executable_tools import ExecutableTool, load_executable_tools
from .graphql_client import GraphqlClient
from .settings import HandlerSettings, load_settings
from .turn import InvalidTurnEventError, Turn, TurnEvent

logger = logging.getLogger(__name__)

DEADLINE_MARGIN_MILLISECONDS = 5_000
"""Stop streaming this long before Lambda's timeout, leaving time to tell the client what happened."""


@functools.cache
def _settings() -> HandlerSettings:
    return load_settings()


@functools.cache
def _executable_tools(module_name: str | None) -> tuple[ExecutableTool, ...]:
    """Imported once per cold start; a failure is not cached, so every turn reports it (turn.py)."""
    return load_executable_tools(module_name)


@functools.cache
def _clients(region: str) -> tuple[Any, Any, Any]:
    """boto3 clients are created on first use (after tests install moto), then reused while warm."""
    import boto3
    from botocore.config import Config

    session = boto3.Session(region_name=region)
    bedrock = session.client(
        "bedrock-runtime",
        config=Config(connect_timeout=5, read_timeout=60, retries={"mode": "standard", "max_attempts": 3}),
    )
    return session, session.client("dynamodb"), bedrock


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda entry point: ``conversation_handler.handler.handler``."""
    settings = _settings()
    try:
        turn_event = TurnEvent.parse(event, data_tools_sha256=settings.data_tools_sha256)
    except InvalidTurnEventError as problem:
        # Nothing is sent to a client: an untrusted event's ids may name another user's conversation, and
        # without valid ids there is none. The payload (its token included) is not logged; the problem
        # names the field only.
        logger.error("invalid turn event", extra={"problem": str(problem), "errorType": problem.error_type})
        return {"status": "rejected", "errorType": problem.error_type}
    session, dynamodb, bedrock = _clients(settings.region)
    # Frozen per request: a refresh between reading the key and the token would mix two credential sets.
    graphql = GraphqlClient(
        settings.graphql_url, settings.region, lambda: session.get_credentials().get_frozen_credentials()
    )
    turn = Turn(
        settings,
        dynamodb=dynamodb,
        bedrock=bedrock,
        graphql=graphql,
        clock=time.monotonic,
        time_left=lambda: context.get_remaining_time_in_millis() > DEADLINE_MARGIN_MILLISECONDS,
        executable_tools=lambda: _executable_tools(settings.executable_tools_module),
    )
    report = turn.run(turn_event)
    return {"status": report.status, "errorType": report.error_type, "partsSent": report.parts_sent}
