"""One conversation turn: read history, stream the model's answer to the client, store it once.

Writes per answer (whatever its length): one DynamoDB PutItem of the answer (and one UpdateItem of
the conversation's updatedAt), made by the ``createAssistantResponse<Route>`` resolver when the
handler persists the finished answer. The
``createAssistantResponseStream<Route>`` mutations (one per batch, see streaming.py) store nothing.

One answer per user message, however often the turn runs. Lambda delivers an asynchronous event at
least once (even with retries off), and the GraphQL client resends a request after a timeout or a
5xx that may follow a write that did happen. So:
- the answer's key derives from the user message alone: it carries the message's stored createdAt
  (see createAssistantResponse.js), never the time of the run, so every run and every resend names
  the same item; a resend of the same body is stored once, a different answer is refused (Conflict);
- a run whose history already holds an answer to its message stops before calling the model (a
  duplicate event arriving after the first run stored its answer);
- a run that loses the race (both read the history before either stored) meets the Conflict and
  ends quietly: the other run's answer is the stored one, and that run ends the turn for the client
  (the parts the losing run streamed did reach the subscriber; only a claim written before the model
  call could prevent that).

No tools are offered to the model (see tools.py): the request never carries ``toolConfig``.

Failures reach the client through the protocol's error path: a stream part with ``errors:
[{errorType, message}]``, which Amplify's ``onStreamEvent`` hands to the subscriber's ``error``
callback. Messages are fixed, user-safe sentences; details (error codes, never content) go to the
function's log at ERROR. The turn then returns normally: an asynchronous invocation that raised would
be retried by Lambda and answer the same message twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, ReadTimeoutError

from .graphql_client import GraphqlClient, GraphqlRequestError
from .history import (
    HistoryError,
    conversation_exists,
    created_at_of,
    is_answered,
    load_recent_messages,
    model_messages,
)
from .settings import HandlerSettings
from .streaming import AnswerStreamer, BatchPolicy, TurnFailureError
from .tools import TOOL_USE_STOP_REASON

logger = logging.getLogger(__name__)

MAX_ID_LENGTH = 128
CONFLICT_ERROR_TYPE = "Conflict"
"""What the store mutation answers when another answer to the same user message is already stored."""

STREAM_PART_SELECTION = (
    "id owner conversationId associatedUserMessageId contentBlockIndex contentBlockText "
    "contentBlockDeltaIndex contentBlockDoneAtIndex contentBlockToolUse { toolUseId name input } "
    "stopReason errors { message errorType } p"
)
"""Every field of the stream part: AppSync hands subscribers only what the mutation selected."""

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "throttlingException",
        "ServiceQuotaExceededException",
        "TooManyRequestsException",
    }
)
TIMEOUT_CODES = frozenset({"ModelTimeoutException", "Timeout"})
MODEL_CODES = frozenset(
    {
        "ModelErrorException", "modelStreamErrorException", "ModelNotReadyException", "ModelStreamErrorException",
        "InternalServerException", "internalServerException", "ServiceUnavailableException",
        "serviceUnavailableException", "IncompleteStream",
    }
)  # fmt: skip
CLIENT_MESSAGES: Mapping[str, str] = {
    "ThrottlingError": "The assistant is handling too many requests right now. Please try again in a moment.",
    "TimeoutError": "The assistant took too long to answer. Please try again.",
    "ModelError": "The model could not finish its answer. Please try again.",
    "ConversationNotFound": "This conversation no longer exists.",
    "InternalError": "The assistant could not answer because of an internal error.",
}
"""errorType -> the message the client shows; nothing from the model or the request is echoed."""


class InvalidTurnEventError(ValueError):
    """The invocation payload is not what the sendMessage resolver sends."""


@dataclass(frozen=True, kw_only=True)
class TurnEvent:
    """The payload of the sendMessage resolver's asynchronous ``Invoke``."""

    conversation_id: str
    """The conversation the user wrote in."""
    current_message_id: str
    """The user message to answer (already stored)."""
    owner: str
    """The user's Cognito ``sub``: the conversation's owner and the only subscriber who gets the answer."""

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


def classify(failure: BaseException) -> str:
    """The client-facing errorType for a failure; the mapping is the one documented in CLIENT_MESSAGES."""
    if isinstance(failure, ReadTimeoutError | ConnectTimeoutError):
        return "TimeoutError"
    code = failure.code if isinstance(failure, TurnFailureError) else None
    if isinstance(failure, ClientError):
        code = failure.response.get("Error", {}).get("Code")
    if code in THROTTLING_CODES:
        return "ThrottlingError"
    if code in TIMEOUT_CODES:
        return "TimeoutError"
    if code in MODEL_CODES:
        return "ModelError"
    return "InternalError"


class Turn:
    """Everything one turn talks to; built per invocation by handler.py (tests build it with fakes)."""

    def __init__(
        self,
        settings: HandlerSettings,
        *,
        dynamodb: Any,
        bedrock: Any,
        graphql: GraphqlClient,
        clock: Callable[[], float],
        time_left: Callable[[], bool],
    ) -> None:
        self.settings = settings
        self.dynamodb = dynamodb
        self.bedrock = bedrock
        self.graphql = graphql
        self.clock = clock
        self.time_left = time_left

    def _mutation(self, name: str, input_type: str, selection: str) -> str:
        return f"mutation Send($input: {input_type}!) {{ {name}(input: $input) {{ {selection} }} }}"

    def _send_part(self, event: TurnEvent, part: Mapping[str, Any]) -> None:
        identity = {
            "conversationId": event.conversation_id,
            "associatedUserMessageId": event.current_message_id,
            "owner": event.owner,
        }
        query = self._mutation(
            self.settings.stream_mutation, self.settings.stream_input_type, STREAM_PART_SELECTION
        )
        self.graphql.execute(query, {"input": {**identity, **part}})

    def _store_answer(self, event: TurnEvent, content: list[dict[str, Any]], asked_at: str) -> bool:
        """Stores the answer; False when another run already stored a different one (Conflict)."""
        query = self._mutation(self.settings.response_mutation, self.settings.response_input_type, "id")
        answer = {
            "conversationId": event.conversation_id,
            "associatedUserMessageId": event.current_message_id,
            "owner": event.owner,
            "content": content,
            # The question's time, not this run's: every run for this message names the same item.
            "createdAt": asked_at,
        }
        try:
            self.graphql.execute(query, {"input": answer})
        except GraphqlRequestError as failure:
            if CONFLICT_ERROR_TYPE in failure.error_types:
                return False
            raise
        return True

    def _request(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        inference: dict[str, Any] = {"maxTokens": self.settings.max_tokens}
        if self.settings.temperature is not None:
            inference["temperature"] = self.settings.temperature
        return {
            "modelId": self.settings.model_id,
            "messages": messages,
            "system": [{"text": self.settings.system_prompt}],
            "inferenceConfig": inference,
        }

    def _answer(self, event: TurnEvent, sent: list[int]) -> TurnReport:
        settings = self.settings
        if not conversation_exists(
            self.dynamodb, settings.conversations_table, event.owner, event.conversation_id
        ):
            raise TurnFailureError("ConversationNotFound", "the conversation does not exist for this owner")
        items = load_recent_messages(
            self.dynamodb, settings.messages_table, event.owner, event.conversation_id, settings.history_limit
        )
        if is_answered(items, event.current_message_id):
            return TurnReport("duplicate")
        messages = model_messages(items, event.current_message_id)
        asked_at = created_at_of(items, event.current_message_id)
        response = self.bedrock.converse_stream(**self._request(messages))

        def send(part: dict[str, Any]) -> None:
            self._send_part(event, part)
            sent[0] += 1

        policy = BatchPolicy(milliseconds=settings.batch_milliseconds, characters=settings.batch_characters)
        answer = AnswerStreamer(policy, send, self.clock, self.time_left).consume(response["stream"])
        if answer.stop_reason == TOOL_USE_STOP_REASON:
            # No toolConfig is sent, so a model should never stop here; if one does, nothing is stored.
            raise TurnFailureError("UnsupportedToolUse", "the model asked for a tool, but none are offered")
        if not answer.content:
            raise TurnFailureError("IncompleteStream", "the model returned no text")
        if not self._store_answer(event, answer.content, asked_at):
            # The run that stored first ends the turn for the client; an error part now would contradict it.
            return TurnReport("duplicate", parts_sent=sent[0])
        send({"contentBlockIndex": answer.last_block_index, "stopReason": answer.stop_reason})
        return TurnReport("answered", parts_sent=sent[0], stop_reason=answer.stop_reason)

    def run(self, event: TurnEvent) -> TurnReport:
        """Answers ``event``; every failure is reported to the client and logged without content."""
        sent = [0]
        ids = {"conversationId": event.conversation_id, "messageId": event.current_message_id}
        try:
            report = self._answer(event, sent)
        except (ClientError, BotoCoreError, TurnFailureError, HistoryError, GraphqlRequestError) as failure:
            error_type = (
                "ConversationNotFound"
                if isinstance(failure, TurnFailureError) and (failure.code == "ConversationNotFound")
                else classify(failure)
            )
            code = failure.code if isinstance(failure, TurnFailureError) else type(failure).__name__
            if isinstance(failure, ClientError):
                code = failure.response.get("Error", {}).get("Code", code)
            logger.error("turn failed", extra={**ids, "errorType": error_type, "cause": code})
            try:
                self._send_part(
                    event, {"errors": [{"errorType": error_type, "message": CLIENT_MESSAGES[error_type]}]}
                )
                sent[0] += 1
            except GraphqlRequestError:
                logger.error("could not report the failure to the client", extra=ids)
            return TurnReport("failed", error_type=error_type, parts_sent=sent[0])
        if report.status == "duplicate":
            logger.info(
                "turn skipped: the message is already answered", extra={**ids, "partsSent": report.parts_sent}
            )
            return report
        logger.info(
            "turn answered", extra={**ids, "partsSent": report.parts_sent, "stopReason": report.stop_reason}
        )
        return report
