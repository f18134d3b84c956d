"""Executable tools: Python callables the conversation handler runs when the model asks for them.

A route's own tools live in a folder of the project (``ConversationRouteArgs.executable_tools_code_path``),
a Python package shipped beside this one in the handler's archive. Its ``__init__.py`` defines ``TOOLS``, a
list of ``ExecutableTool``; the handler imports it once per cold start::

    # chat_tools/__init__.py
    from conversation_handler.executable_tools import ExecutableTool, ToolContext, ToolError

    def _convert(tool_input: dict, context: ToolContext) -> dict:
        if tool_input["currency"] not in RATES:
            raise ToolError(f"unknown currency {tool_input['currency']}")  # the model reads this message
        return {"amount": tool_input["amount"] * RATES[tool_input["currency"]]}

    TOOLS = [
        ExecutableTool(
            name="convertCurrency",
            description="Converts an amount of euros into another currency.",
            input_schema={"type": "object", "properties": {...}, "required": ["amount", "currency"]},
            run=_convert,
        )
    ]

Contract of ``run(tool_input, context)``: ``tool_input`` is the model's input (a dict, not checked against
``input_schema``: the model usually follows it, the tool must still check what it relies on); ``context``
says for whom it runs (the conversation owner's Cognito ``sub``). Return a ``str`` (sent as text) or a
JSON-serializable dict or list (sent as JSON). Raise ``ToolError`` for a failure the model should read;
any other exception is sent as "the tool failed", and only its type is logged. A turn may run twice for
one message (Lambda delivers an event at least once; only one answer is stored), so a tool with side
effects must tolerate a repeat. Tools run inside the handler, with its role and its time limit; give the
role what a tool calls (Python: ``route.handler.grant(...)``).

Outside Lambda (a project's own tests) the same class is
``genai_backend_components.conversation.ExecutableTool``; the handler accepts any object with the four
attributes, so either import works.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
"""Bedrock's rule for a tool name (ToolSpecification.name)."""
TOOLS_ATTRIBUTE = "TOOLS"
"""What the tools package must define."""


class ToolConfigurationError(ValueError):
    """The route's tools cannot be offered as configured (bad definition, duplicate name, import failure)."""


class ToolError(Exception):
    """Raised by a tool for a failure the model should know about; its message is sent to the model."""


@dataclass(frozen=True)
class ToolContext:
    """For whom and where a tool runs."""

    owner: str
    """The conversation owner's Cognito ``sub``: the user the answer is for."""
    conversation_id: str
    """The conversation being answered."""
    message_id: str
    """The user message being answered."""


def check_input_schema(schema: Any, where: str) -> dict[str, Any]:
    """A tool's input schema must be a JSON object schema: Bedrock passes it to the model as the arguments."""
    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        raise ToolConfigurationError(f'{where}: must be a JSON schema with "type": "object"')
    try:
        json.dumps(schema)
    except (TypeError, ValueError):
        raise ToolConfigurationError(f"{where}: must be JSON (dicts, lists, strings, numbers)") from None
    return dict(schema)


@dataclass(frozen=True)
class ExecutableTool:
    """One tool the handler runs itself: its name, what it does, its input schema and the code."""

    name: str
    """1 to 64 letters, digits, ``_`` or ``-``; unique among the route's tools."""
    description: str
    """What the tool does and when to use it; the model decides from this text."""
    input_schema: Mapping[str, Any]
    """JSON schema of the input, ``{"type": "object", "properties": {...}, "required": [...]}``."""
    run: Callable[[dict[str, Any], ToolContext], Any]
    """``run(tool_input, context)`` -> ``str`` or a JSON-serializable dict or list."""

    def __post_init__(self) -> None:
        where = f"executable tool {self.name!r}"
        if not isinstance(self.name, str) or not TOOL_NAME.fullmatch(self.name):
            raise ToolConfigurationError(f"{where}: name must match {TOOL_NAME.pattern}")
        if not isinstance(self.description, str) or not self.description.strip():
            raise ToolConfigurationError(f"{where}: description must be non-empty text")
        object.__setattr__(
            self, "input_schema", check_input_schema(self.input_schema, f"{where}.input_schema")
        )
        if not callable(self.run):
            raise ToolConfigurationError(f"{where}: run must be callable as run(tool_input, context)")


def executable_tool_problems(values: Any, where: str) -> tuple[tuple[ExecutableTool, ...], list[str]]:
    """The valid tools of ``values``, and one problem per invalid tool (named by its index and name) plus
    one for repeated names; any object with the four attributes counts as a tool.

    ``executable_tools_of`` (the handler, on a cold start) raises on any problem; the ConversationRoute
    checks run this same function at deploy time, in a child process, to list every problem at once.
    """
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence):
        return (), [f"{where}: must be a list of ExecutableTool, got {type(values).__name__}"]
    tools, problems = [], []
    for index, value in enumerate(values):
        attributes = {
            name: getattr(value, name, None) for name in ("name", "description", "input_schema", "run")
        }
        if any(attribute is None for attribute in attributes.values()):
            problems.append(
                f"{where}[{index}]: is not an ExecutableTool (name, description, input_schema, run)"
            )
            continue
        try:
            tools.append(value if isinstance(value, ExecutableTool) else ExecutableTool(**attributes))
        except ToolConfigurationError as problem:
            problems.append(f"{where}[{index}]: {problem}")
    names = [tool.name for tool in tools]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        problems.append(f"{where}: tool names must be unique; repeated: {', '.join(repeated)}")
    return tuple(tools), problems


def executable_tools_of(values: Any, where: str) -> tuple[ExecutableTool, ...]:
    """``values`` as checked ExecutableTools with unique names; any problem raises ToolConfigurationError."""
    tools, problems = executable_tool_problems(values, where)
    if problems:
        raise ToolConfigurationError("; ".join(problems))
    return tools


def load_executable_tools(module_name: str | None) -> tuple[ExecutableTool, ...]:
    """The ``TOOLS`` of the route's tools package (none when the route has no package)."""
    if not module_name:
        return ()
    try:
        module = importlib.import_module(module_name)
    except Exception as failure:  # any import-time error of the project's code must reach the log
        raise ToolConfigurationError(
            f"tools package {module_name!r} failed to import ({type(failure).__name__})"
        ) from failure
    if not hasattr(module, TOOLS_ATTRIBUTE):
        raise ToolConfigurationError(f"tools package {module_name!r} defines no {TOOLS_ATTRIBUTE}")
    return executable_tools_of(getattr(module, TOOLS_ATTRIBUTE), f"{module_name}.{TOOLS_ATTRIBUTE}")
