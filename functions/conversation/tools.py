"""The seam where model tools will plug in; this handler ships without any.

Amplify's handler knows three kinds of tools: data tools (GraphQL queries run for the user), client
tools (declared by the browser in ``sendMessage.toolConfiguration`` and answered by the UI) and
executable tools (Python code here). Adding them means: implement ``ToolProvider`` and pass it to
``run_turn``; the turn then sends ``tool_configuration()`` as ConverseStream ``toolConfig`` and, on
``stopReason == "tool_use"``, asks ``run`` for each ``toolUse`` block and continues the turn with the
results. Until then the model is never offered a tool, so it cannot request one; history blocks of
earlier tool use are dropped (Bedrock rejects them without a matching ``toolConfig``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class ToolProvider(Protocol):
    """What the turn needs from a set of tools."""

    def tool_configuration(self) -> dict[str, Any] | None:
        """ConverseStream ``toolConfig`` (``{"tools": [{"toolSpec": ...}]}``), or None to offer no tools."""
        ...

    def run(self, tool_use: Mapping[str, Any]) -> dict[str, Any]:
        """Executes one ``toolUse`` block and returns the matching ``toolResult`` content block."""
        ...


class NoTools:
    """The default: no tools are offered, so the model never asks to use one."""

    def tool_configuration(self) -> dict[str, Any] | None:
        return None

    def run(self, tool_use: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError("this handler offers no tools; implement ToolProvider to add some")
