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
b, contentBlockDoneAtIndex: last d}``. A client tool's ``toolUse`` block is sent whole, as Amplify's
handler sends it: ``{contentBlockIndex: b, contentBlockToolUse: <JSON of {toolUseId, name, input}>}``.
The toolUse blocks of data and executable tools stay inside the handler (the client sees their outcome
in the text that follows). ``b`` counts the blocks the client sees, across every model call of a turn,
so a tool loop's answers continue one message. The turn's final ``{stopReason}`` part is sent by the
turn after the answer is stored, so a client that reloads on it finds the message.
"""

from __future__ import annotations

import json
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
    """What one model call produced: what the client saw, what the model said, why it stopped."""

    content: list[dict[str, Any]] = field(default_factory=list)
    """Blocks the client saw (text, client toolUse), to store with the answer."""
    model_content: list[dict[str, Any]] = field(default_factory=list)
    """The assistant message as the model sent it (text and every toolUse), for the next model call."""
    tool_uses: list[dict[str, Any]] = field(default_factory=list)
    """Every ``toolUse`` block: ``{toolUseId, name, input}``."""
    stop_reason: str | None = None
    last_block_index: int | None = None
    """Client block index of the last block the client saw; None when it saw none."""
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


class _ToolUseBlock:
    """A toolUse block being received: its id, name and the JSON fragments of its input."""

    def __init__(self, start: Mapping[str, Any]) -> None:
        self.tool_use_id = str(start.get("toolUseId", ""))
        self.name = str(start.get("name", ""))
        self.input_parts: list[str] = []

    def block(self) -> dict[str, Any]:
        text = "".join(self.input_parts)
        try:
            # Bedrock requires an input object in the history, so an empty input is {} (as Amplify does).
            tool_input = json.loads(text) if text.strip() else {}
        except ValueError:
            raise TurnFailureError("InvalidToolInput", "the model sent tool input that is not JSON") from None
        if not isinstance(tool_input, dict):
            raise TurnFailureError("InvalidToolInput", "the model sent tool input that is not an object")
        return {"toolUseId": self.tool_use_id, "name": self.name, "input": tool_input}


class AnswerStreamer:
    """Consumes a turn's model calls, one event at a time; ``send`` is called for each part as soon as it is
    due. One streamer serves the whole turn, so block indices continue from one model call to the next."""

    def __init__(
        self,
        policy: BatchPolicy,
        send: SendPart,
        clock: Callable[[], float],
        time_left: Callable[[], bool] = lambda: True,
        is_client_tool: Callable[[str], bool] = lambda name: False,
    ) -> None:
        self._policy = policy
        self._send = send
        self._clock = clock
        self._time_left = time_left
        self._is_client_tool = is_client_tool
        self._answer = StreamedAnswer()
        self._block: _TextBlock | None = None
        self._tool: _ToolUseBlock | None = None
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

    def _on_tool_use_stop(self, tool: _ToolUseBlock) -> None:
        block = tool.block()
        self._answer.model_content.append({"toolUse": block})
        self._answer.tool_uses.append(block)
        if not self._is_client_tool(block["name"]):
            return
        index = self._next_block_index
        self._next_block_index += 1
        self._emit({"contentBlockIndex": index, "contentBlockToolUse": json.dumps(block, ensure_ascii=False)})
        self._answer.content.append({"toolUse": block})
        self._answer.last_block_index = index

    def _on_block_stop(self) -> None:
        if self._tool is not None:
            tool, self._tool = self._tool, None
            self._on_tool_use_stop(tool)
            return
        block, self._block = self._block, None
        if block is None:  # a block with no text (e.g. reasoning): nothing to show or store
            return
        self._flush(block)
        self._emit({"contentBlockIndex": block.index, "contentBlockDoneAtIndex": block.next_delta_index - 1})
        text = {"text": "".join(block.text)}
        self._answer.content.append(text)
        self._answer.model_content.append(dict(text))
        self._answer.last_block_index = block.index

    def consume(self, events: Iterable[Mapping[str, Any]]) -> StreamedAnswer:
        """Reads one model call's stream; raises TurnFailureError if it breaks off, errs or outlives the
        deadline."""
        self._answer = StreamedAnswer()
        self._block = self._tool = None
        for event in events:
            if not self._time_left():
                raise TurnFailureError("Timeout", "the function is about to time out")
            if "contentBlockStart" in event:
                start = event["contentBlockStart"].get("start") or {}
                if "toolUse" in start:
                    self._tool = _ToolUseBlock(start["toolUse"])
            elif "contentBlockDelta" in event:
                delta = event["contentBlockDelta"].get("delta", {})
                if "text" in delta:
                    self._on_text(delta["text"])
                elif "toolUse" in delta and self._tool is not None:
                    self._tool.input_parts.append(str(delta["toolUse"].get("input", "")))
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
        if self._block is not None or self._tool is not None or self._answer.stop_reason is None:
            raise TurnFailureError("IncompleteStream", "the model stream ended before messageStop")
        logger.debug(
            "answer streamed",
            extra={
                "deltas": self._answer.deltas_received,
                "partsSent": self._answer.parts_sent,
                "outputTokens": self._answer.output_tokens,
                "toolUses": len(self._answer.tool_uses),
                "characters": sum(len(block.get("text", "")) for block in self._answer.content),
            },
        )
        return self._answer
