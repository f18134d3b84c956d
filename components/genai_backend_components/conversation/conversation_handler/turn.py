"""One conversation turn: read history, stream the model's answer (calling tools on the way), store it once.

Writes per answer (whatever its length): one DynamoDB PutItem of the answer (and one UpdateItem of
the conversation's updatedAt), made by the ``createAssistantResponse<Route>`` resolver when the
handler persists the finished answer. The
``createAssistantResponseStream<Route>`` mutations (one per batch, see streaming.py) store nothing.

Tools (tools.py): when the model stops with ``tool_use`` for data or executable tools, the turn runs
them, appends the model's message and the results, and calls the model again, at most
``max_tool_iterations`` rounds; one more request for tools fails the turn (``ToolLoopLimitError``)
with nothing stored. Every call streams into the same answer (block indices continue). When the model
asks for a client tool, the turn ends there: the ``toolUse`` block was streamed, is stored with the
answer, and the final part carries ``stopReason: "tool_use"``; the UI's ``toolResult`` arrives as the
next user message, whose turn continues from the history. Bedrock gets ``toolConfig`` whenever a tool is
offered or the history holds tool blocks.

One answer per user message, however often the turn runs. Lambda delivers an asynchronous event at
least once (even with retries off), and the GraphQL client resends a request after a timeout or a
5xx that may follow a write that did happen. So:
- the answer's key derives from the user message alone: it carries the message's stored createdAt
  (see createAssistantResponse.js), never the time of the run, so every run and every resend names
  the same item; a resend of the same body is stored once, a different answer is refused (Conflict);
- a run whose history already holds an answer to its message stops before calling the model or any
  tool (a duplicate event arriving after the first run stored its answer);
- a run that loses the race (both read the history before either stored) meets the Conflict and
  ends quietly: the other run's answer is the stored one, and that run ends the turn for the client
  (the parts the losing run streamed did reach the subscriber, and its tools did run: executable tools
  must tolerate a repeat).

Failures reach the client through the protocol's error path (failures.py): a stream part with
``errors: [{errorType, message}]``, which Amplify's ``onStreamEvent`` hands to the subscriber's
``error`` callback. The turn then returns normally: an asynchronous invocation that raised would be
retried by Lambda and answer the same message twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .executable_tools import ExecutableTool, ToolConfigurationError, ToolContext
from .failures import CLIENT_MESSAGES, TOOL_LOOP_LIMIT, cause_of, classify
from .graphql_client import GraphqlClient, GraphqlRequestError
from .history import (
    HistoryError,
    client_tool_declarations,
    conversation_exists,
    created_at_of,
    is_answered,
    load_recent_messages,
    model_messages,
    tool_names_used,
)
from .settings import HandlerSettings
from .streaming import AnswerStreamer, BatchPolicy, TurnFailureError
from .tools import TOOL_USE_STOP_REASON, TurnTools
from .turn_event import InvalidTurnEventError, TurnEvent, TurnReport

__all__ = ["CLIENT_MESSAGES", "InvalidTurnEventError", "Turn", "TurnEvent", "TurnReport", "classify"]

logger = logging.getLogger(__name__)

CONFLICT_ERROR_TYPE = "Conflict"
"""What the store mutation answers when another answer to the same user message is already stored."""

STREAM_PART_SELECTION = (
    "id owner conversationId associatedUserMessageId contentBlockIndex contentBlockText "
    "contentBlockDeltaIndex contentBlockDoneAtIndex contentBlockToolUse { toolUseId name input } "
    "stopReason errors { message errorType } p"
)
"""Every field of the stream part: AppSync hands subscribers only what the mutation selected."""


@dataclass
class _Outcome:
    """What the model calls of one turn produced for the client."""

    content: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str | None = None
    last_block_index: int = 0
    tool_rounds: int = 0


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
        executable_tools: Callable[[], Sequence[ExecutableTool]] = tuple,
    ) -> None:
        self.settings = settings
        self.dynamodb = dynamodb
        self.bedrock = bedrock
        self.graphql = graphql
        self.clock = clock
        self.time_left = time_left
        # Called per turn: a tools package that failed to import fails each turn visibly, not the cold start.
        self.executable_tools = executable_tools

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
            "content": [_stored_block(block) for block in content],
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

    def _request(self, messages: list[dict[str, Any]], tools: TurnTools) -> dict[str, Any]:
        inference: dict[str, Any] = {"maxTokens": self.settings.max_tokens}
        if self.settings.temperature is not None:
            inference["temperature"] = self.settings.temperature
        request = {
            "modelId": self.settings.model_id,
            "messages": messages,
            "system": [{"text": self.settings.system_prompt}],
            "inferenceConfig": inference,
        }
        tool_config = tools.tool_config()
        if tool_config is not None:
            request["toolConfig"] = tool_config
        return request

    def _tools(
        self, event: TurnEvent, items: list[dict[str, Any]], messages: list[dict[str, Any]]
    ) -> TurnTools:
        current, earlier = client_tool_declarations(items, event.current_message_id)
        tools = TurnTools(
            data=event.data_tools,
            executable=self.executable_tools(),
            client=current,
            graphql=self.graphql,
            user_token=event.user_token,
            context=ToolContext(event.owner, event.conversation_id, event.current_message_id),
        )
        tools.declare_history_tools(tool_names_used(messages), earlier)
        return tools

    def _converse(
        self, messages: list[dict[str, Any]], tools: TurnTools, streamer: AnswerStreamer
    ) -> _Outcome:
        """Calls the model until it answers, asks for a client tool, or exceeds the tool rounds."""
        outcome = _Outcome()
        while True:
            if not self.time_left():
                raise TurnFailureError("Timeout", "the function is about to time out")
            reply = streamer.consume(self.bedrock.converse_stream(**self._request(messages, tools))["stream"])
            outcome.content += reply.content
            outcome.stop_reason = reply.stop_reason
            if reply.last_block_index is not None:
                outcome.last_block_index = reply.last_block_index
            if reply.stop_reason != TOOL_USE_STOP_REASON:
                return outcome
            if not reply.tool_uses:
                raise TurnFailureError("ToolUseWithoutTool", "the model stopped for a tool but named none")
            if any(tools.is_client(tool_use["name"]) for tool_use in reply.tool_uses):
                # The UI runs it: the turn ends with the toolUse block (Amplify ignores other tools then).
                return outcome
            if outcome.tool_rounds == self.settings.max_tool_iterations:
                raise TurnFailureError(TOOL_LOOP_LIMIT, "the model asked for more tool rounds than allowed")
            outcome.tool_rounds += 1
            results = []
            for tool_use in reply.tool_uses:
                if not self.time_left():
                    raise TurnFailureError("Timeout", "the function is about to time out")
                results.append(tools.run(tool_use))
            messages = [
                *messages,
                {"role": "assistant", "content": reply.model_content},
                {"role": "user", "content": results},
            ]

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
        tools = self._tools(event, items, messages)

        def send(part: dict[str, Any]) -> None:
            self._send_part(event, part)
            sent[0] += 1

        policy = BatchPolicy(milliseconds=settings.batch_milliseconds, characters=settings.batch_characters)
        streamer = AnswerStreamer(policy, send, self.clock, self.time_left, tools.is_client)
        outcome = self._converse(messages, tools, streamer)
        if not outcome.content:
            raise TurnFailureError("IncompleteStream", "the model returned no text")
        if not self._store_answer(event, outcome.content, asked_at):
            # The run that stored first ends the turn for the client; an error part now would contradict it.
            return TurnReport("duplicate", parts_sent=sent[0])
        send({"contentBlockIndex": outcome.last_block_index, "stopReason": outcome.stop_reason})
        return TurnReport(
            "answered", parts_sent=sent[0], stop_reason=outcome.stop_reason, tool_rounds=outcome.tool_rounds
        )

    def run(self, event: TurnEvent) -> TurnReport:
        """Answers ``event``; every failure is reported to the client and logged without content."""
        sent = [0]
        ids = {"conversationId": event.conversation_id, "messageId": event.current_message_id}
        try:
            report = self._answer(event, sent)
        except (
            ClientError, BotoCoreError, TurnFailureError, HistoryError, GraphqlRequestError, ToolConfigurationError,
        ) as failure:  # fmt: skip
            error_type = classify(failure)
            extra = {**ids, "errorType": error_type, "cause": cause_of(failure)}
            if isinstance(failure, ToolConfigurationError):
                extra["problem"] = str(failure)  # names and paths of the route's own tools, never content
            logger.error("turn failed", extra=extra)
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
            "turn answered",
            extra={
                **ids, "partsSent": report.parts_sent, "stopReason": report.stop_reason,
                "toolRounds": report.tool_rounds,
            },
        )  # fmt: skip
        return report


def _stored_block(block: Mapping[str, Any]) -> dict[str, Any]:
    """A content block as the store mutation's input takes it: a toolUse's input is AWSJSON (a JSON string)."""
    if "toolUse" in block:
        tool_use = block["toolUse"]
        return {"toolUse": {**tool_use, "input": json.dumps(tool_use["input"], ensure_ascii=False)}}
    return dict(block)
