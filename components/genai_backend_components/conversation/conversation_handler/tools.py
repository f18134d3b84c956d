"""Model tools: this handler offers none, and this module records what offering them would take.

Nothing here is active. A turn never sends ``toolConfig``, so the model cannot ask for a tool; a
model that stops with ``tool_use`` anyway fails the turn with an error to the client and nothing is
stored (turn.py). Earlier tool blocks in the history are dropped (history.py), since Bedrock rejects
them without a matching ``toolConfig``.

Amplify's handler knows three kinds of tools: data tools (GraphQL queries run for the user), client
tools (declared by the browser in ``sendMessage.toolConfiguration`` and answered by the UI) and
executable tools (code run here). Adding any of them is one change, made whole or not at all, so the
model is never offered a tool the turn cannot run:

- ``Turn`` takes a ``ToolProvider`` and ``Turn._request`` sends its ``tool_configuration()`` as
  ``toolConfig``;
- ``AnswerStreamer`` keeps ``toolUse`` blocks (``contentBlockStart.start.toolUse`` and the JSON
  fragments of ``contentBlockDelta.delta.toolUse.input``) instead of skipping them;
- on ``TOOL_USE_STOP_REASON`` the turn calls ``ToolProvider.run`` for each ``toolUse`` block, appends
  the assistant's ``toolUse`` message and a user message of the ``toolResult`` blocks, and calls
  ConverseStream again, a bounded number of times, continuing the client's content-block indices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

TOOL_USE_STOP_REASON = "tool_use"
"""Bedrock's ``stopReason`` when the model waits for tool results."""


class ToolProvider(Protocol):
    """The interface that change would give ``Turn``; no code accepts one yet (see the module docstring)."""

    def tool_configuration(self) -> dict[str, Any]:
        """ConverseStream ``toolConfig``: ``{"tools": [{"toolSpec": ...}]}``."""
        ...

    def run(self, tool_use: Mapping[str, Any]) -> dict[str, Any]:
        """Executes one ``toolUse`` block and returns the matching ``toolResult`` content block."""
        ...
