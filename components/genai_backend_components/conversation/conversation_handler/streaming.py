"""Turns a Bedrock ConverseStream event stream into the stream parts the Amplify client reassembles.

Amplify's handler sends one AppSync mutation per text delta, and its resolver rewrites the stored
answer each time: one DynamoDB UpdateItem per delta (hundreds per answer). Here deltas are
batched: a batch is sent when ``batch_milliseconds`` have passed since the previous one OR it holds
``batch_characters`` characters, whichever comes first (time is checked as deltas arrive; there is
no background timer, so a silent model delays the batch, never splits it). The stream mutation is
pass-through (no storage); the finished answer is stored once (see turn.py).

Parts sent for one text block ``b`` (field names of the stream mutation's input, protocol of
@aws-amplify/ui-react-ai ``useAIConversation``): ``{contentBlockIndex: b, contentBlockDeltaIndex:
d, contentBlockText}`` for d = 0, 1, ... (the client orders chunks by d), then ``{contentBlockIndex:
b, contentBlockDoneAtIndex: last d}``. The turn's final ``{stopReason}`` part is sent by the turn
after the answer is stored, so a client that reloads on it finds the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

SendPart = Callable[[dict[str, Any]], None]


class TurnFailureError(Exception):
    """The model stream ended badly; ``code`` is the Bedrock error code or a local reason."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


@dataclass(frozen=True, kw_only=True)
class BatchPolicy:
    milliseconds: int
    """Send pending text once this long has passed since the previous batch was sent."""
    characters: int
    """Send pending text once it is at least this long."""


@dataclass
class StreamedAnswer:
    """What the stream produced: the content to store, why the model stopped, and how much was sent."""

    content: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str | None = None
    last_block_index: int = 0
    parts_sent: int = 0
    deltas_received: int = 0
    output_tokens: int | None = None


class _TextBlock:
    """Pending text of the block being streamed, and the index of its next batch."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.next_delta_index = 0
        self.pending: list[str] = []
        self.pending_length = 0
        self.text: list[str] = []


class AnswerStreamer:
    """Consumes events one by one; ``send`` is called for each part as soon as it is due."""

    def __init__(
        self,
        policy: BatchPolicy,
        send: SendPart,
        clock: Callable[[], float],
        time_left: Callable[[], bool] = lambda: True,
    ) -> None:
        self._policy = policy
        self._send = send
        self._clock = clock
        self._time_left = time_left
        self._answer = StreamedAnswer()
        self._block: _TextBlock | None = None
        self._next_block_index = 0
        self._last_sent_at = clock()

    def _emit(self, part: dict[str, Any]) -> None:
        self._send(part)
        self._answer.parts_sent += 1

    def _flush(self, block: _TextBlock) -> None:
        if not block.pending:
            return
        self._emit(
            {
                "contentBlockIndex": block.index,
                "contentBlockDeltaIndex": block.next_delta_index,
                "contentBlockText": "".join(block.pending),
            }
        )
        block.next_delta_index += 1
        block.pending, block.pending_length = [], 0
        self._last_sent_at = self._clock()

    def _on_text(self, text: str) -> None:
        if self._block is None:
            self._block = _TextBlock(self._next_block_index)
            self._next_block_index += 1
        block = self._block
        block.pending.append(text)
        block.pending_length += len(text)
        block.text.append(text)
        self._answer.deltas_received += 1
        elapsed_milliseconds = (self._clock() - self._last_sent_at) * 1000
        if (
            block.pending_length >= self._policy.characters
            or elapsed_milliseconds >= self._policy.milliseconds
        ):
            self._flush(block)

    def _on_block_stop(self) -> None:
        block, self._block = self._block, None
        if block is None:  # a non-text block (tool use) ended; none are offered, see tools.py
            return
        self._flush(block)
        self._emit({"contentBlockIndex": block.index, "contentBlockDoneAtIndex": block.next_delta_index - 1})
        self._answer.content.append({"text": "".join(block.text)})
        self._answer.last_block_index = block.index

    def consume(self, events: Iterable[Mapping[str, Any]]) -> StreamedAnswer:
        """Reads the whole stream; raises TurnFailureError if it breaks off, errs or outlives the deadline."""
        for event in events:
            if not self._time_left():
                raise TurnFailureError("Timeout", "the function is about to time out")
            if "contentBlockDelta" in event:
                delta = event["contentBlockDelta"].get("delta", {})
                if "text" in delta:
                    self._on_text(delta["text"])
            elif "contentBlockStop" in event:
                self._on_block_stop()
            elif "messageStop" in event:
                self._answer.stop_reason = event["messageStop"].get("stopReason")
            elif "metadata" in event:
                self._answer.output_tokens = event["metadata"].get("usage", {}).get("outputTokens")
            else:
                error_code = next((name for name in event if name.endswith("Exception")), None)
                if error_code is not None:
                    raise TurnFailureError(error_code, "the model stream reported an error")
        if self._block is not None or self._answer.stop_reason is None:
            raise TurnFailureError("IncompleteStream", "the model stream ended before messageStop")
        logger.debug(
            "answer streamed",
            extra={
                "deltas": self._answer.deltas_received,
                "partsSent": self._answer.parts_sent,
                "outputTokens": self._answer.output_tokens,
                "characters": sum(len(block["text"]) for block in self._answer.content),
            },
        )
        return self._answer
