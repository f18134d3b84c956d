"""The tools one turn offers the model, and how each kind is answered (Amplify's three kinds).

- data tools: a Query field of the route's API, declared with the route (``data_tools``). The component
  derives each one's input schema and query document from the schema; they arrive with every turn event
  (``toolsConfiguration.dataTools``). The handler runs the query with the caller's own token, so the
  API's rules for that user decide what the model sees (another user's data is refused as it would be
  to the user);
- executable tools: Python callables of the route's tools package (executable_tools.py), run here;
- client tools: declared by the frontend in ``sendMessage``'s ``toolConfiguration`` (stored on the user
  message). The handler does not run them: when the model asks for one, the turn ends with the
  ``toolUse`` block, streamed and stored, and the UI answers with a user message holding a ``toolResult``.

Names are unique across data and executable tools (a clash is a configuration error); a client tool
named like one of them is ignored, so a browser cannot replace a route's tool. Bedrock requires a
``toolConfig`` whenever the history holds tool blocks, so a client tool used earlier in the conversation
is declared again from its earlier declaration (or as unavailable) when the current message does not.

Tool results never reach the log; only tool names, outcomes and error types do.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .executable_tools import (
    TOOL_NAME,
    ExecutableTool,
    ToolConfigurationError,
    ToolContext,
    ToolError,
    check_input_schema,
)
from .graphql_client import GraphqlClient, GraphqlRequestError

logger = logging.getLogger(__name__)

TOOL_USE_STOP_REASON = "tool_use"
"""Bedrock's ``stopReason`` when the model waits for tool results."""
MAX_TOOL_RESULT_CHARACTERS = 100_000
"""A larger result is refused (the model is told to ask for less): it would crowd out the conversation."""
UNAVAILABLE_TOOL_DESCRIPTION = "No longer available; do not use."
"""Declared for a tool the history used but nobody offers now, so Bedrock accepts the history."""
_IGNORED = " \t\r\n,\ufeff"
"""GraphQL's ignored characters (whitespace, line terminators, commas, the byte-order mark); ``#`` starts a comment."""
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def _skip_ignored(document: str, index: int) -> int:
    while index < len(document):
        if document[index] in _IGNORED:
            index += 1
        elif document[index] == "#":
            while index < len(document) and document[index] not in "\r\n":
                index += 1
        else:
            break
    return index


def _string_end(document: str, index: int) -> int:
    """Index just after the string literal starting at ``index`` (``"..."`` or a ``\"\"\"`` block); -1 if open."""
    if document.startswith('"""', index):
        position = index + 3
        while (found := document.find('"""', position)) != -1:
            if document[found - 1] != "\\":
                return found + 3
            position = found + 3
        return -1
    position = index + 1
    while position < len(document) and document[position] not in "\r\n":
        if document[position] == "\\":
            position += 2
        elif document[position] == '"':
            return position + 1
        else:
            position += 1
    return -1


def is_one_query(document: str) -> bool:
    """True when ``document`` is a single query operation: its first token (after comments and ignored
    characters) is ``query``, and nothing but ignored characters follows the operation's selection set.

    A lexical check, enough for the documents data_tools.py derives (the handler's archive has no GraphQL
    parser): a mutation, a subscription, the ``{ ... }`` shorthand, a second operation or a fragment fails.
    """
    index = _skip_ignored(document, 0)
    name = _GRAPHQL_NAME.match(document, index)
    if name is None or name.group() != "query":
        return False
    index, parentheses, braces, selected = name.end(), 0, 0, False
    while (index := _skip_ignored(document, index)) < len(document):
        if selected and braces == 0:
            return False  # something follows the operation
        character = document[index]
        if character == '"':
            index = _string_end(document, index)
            if index == -1:
                return False
            continue
        if character == "(":
            parentheses += 1
        elif character == ")":
            parentheses -= 1
        elif character == "{":
            selected = selected or (parentheses == 0 and braces == 0)
            braces += 1
        elif character == "}":
            braces -= 1
        if parentheses < 0 or braces < 0:
            return False
        index += 1
    return selected and braces == 0 and parentheses == 0


@dataclass(frozen=True)
class ToolSpec:
    """What the model is told about one tool."""

    name: str
    description: str | None
    input_schema: dict[str, Any]

    def bedrock(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": self.name, "inputSchema": {"json": self.input_schema}}
        if self.description:
            spec["description"] = self.description
        return {"toolSpec": spec}


@dataclass(frozen=True)
class DataTool:
    """A query of the API run as the caller; built by the component (``conversation/data_tools.py``)."""

    spec: ToolSpec
    query: str
    """The GraphQL document; its variables are the field's arguments."""
    arguments: tuple[str, ...]

    @staticmethod
    def parse(value: Any, where: str) -> DataTool:
        if not isinstance(value, Mapping):
            raise ValueError(f"{where}: expected an object")
        name, description, query = value.get("name"), value.get("description"), value.get("query")
        schema = (value.get("inputSchema") or {}).get("json")
        if not isinstance(name, str) or not TOOL_NAME.fullmatch(name):
            raise ValueError(f"{where}.name: expected a tool name")
        if not isinstance(description, str) or not isinstance(query, str) or not query.strip():
            raise ValueError(f"{where}: description and query must be text")
        if not is_one_query(query):
            # A data tool reads as the user; a mutation in its place would act as the user.
            raise ValueError(f"{where}.query: must be one query operation (a document starting with 'query')")
        try:
            schema = check_input_schema(schema, f"{where}.inputSchema.json")
        except ToolConfigurationError as problem:
            raise ValueError(str(problem)) from None
        return DataTool(ToolSpec(name, description, schema), query, tuple(schema.get("properties") or {}))


def client_tool_specs(tool_configuration: Any) -> list[ToolSpec]:
    """The tools of one stored ``toolConfiguration`` (as Amplify's client sends it); malformed ones are skipped."""
    if isinstance(tool_configuration, str):
        try:
            tool_configuration = json.loads(tool_configuration)
        except ValueError:
            return []
    tools = tool_configuration.get("tools") if isinstance(tool_configuration, Mapping) else None
    specs = []
    for tool in tools if isinstance(tools, list) else []:
        spec = tool.get("toolSpec") if isinstance(tool, Mapping) else None
        if not isinstance(spec, Mapping) or not TOOL_NAME.fullmatch(str(spec.get("name", ""))):
            continue
        schema = (spec.get("inputSchema") or {}).get("json")
        if isinstance(schema, str):
            try:
                schema = json.loads(schema)
            except ValueError:
                continue
        try:
            schema = check_input_schema(schema, "toolSpec.inputSchema.json")
        except ToolConfigurationError:
            continue
        description = spec.get("description")
        specs.append(ToolSpec(spec["name"], description if isinstance(description, str) else None, schema))
    return specs


def tool_result(tool_use_id: str, content: list[dict[str, Any]], *, failed: bool = False) -> dict[str, Any]:
    """A ``toolResult`` content block; ``status`` only on failure, as Amplify's handler sends it."""
    result: dict[str, Any] = {"toolUseId": tool_use_id, "content": content}
    if failed:
        result["status"] = "error"
    return {"toolResult": result}


def _error(tool_use_id: str, text: str) -> dict[str, Any]:
    return tool_result(tool_use_id, [{"text": text}], failed=True)


def _value_content(value: Any) -> list[dict[str, Any]] | None:
    """A tool's return value as toolResult content; None when it is neither text nor JSON."""
    if isinstance(value, str):
        content: list[dict[str, Any]] = [{"text": value}]
    elif isinstance(value, Mapping | list):
        content = [{"json": value}]
    else:
        return None
    try:
        json.dumps(content)
    except (TypeError, ValueError):
        return None
    return content


@dataclass
class TurnTools:
    """Every tool one turn offers, and how each is run."""

    data: Sequence[DataTool] = ()
    executable: Sequence[ExecutableTool] = ()
    client: Sequence[ToolSpec] = ()
    graphql: GraphqlClient | None = None
    user_token: str | None = field(default=None, repr=False)
    context: ToolContext | None = None

    def __post_init__(self) -> None:
        names = [tool.spec.name for tool in self.data] + [tool.name for tool in self.executable]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ToolConfigurationError(f"data and executable tools share the name(s) {', '.join(repeated)}")
        self._data = {tool.spec.name: tool for tool in self.data}
        self._executable = {tool.name: tool for tool in self.executable}
        ignored = sorted({spec.name for spec in self.client if spec.name in names})
        if ignored:
            logger.warning("client tools named like the route's tools are ignored", extra={"tools": ignored})
        self._client = {spec.name: spec for spec in self.client if spec.name not in names}

    def declare_history_tools(self, referenced: Iterable[str], declared: Mapping[str, ToolSpec]) -> None:
        """Declares tools the history's tool blocks name but nobody offers now (Bedrock requires them)."""
        for name in sorted(set(referenced)):
            if name not in self._data and name not in self._executable and name not in self._client:
                self._client[name] = declared.get(name) or ToolSpec(
                    name, UNAVAILABLE_TOOL_DESCRIPTION, {"type": "object", "properties": {}}
                )

    def tool_config(self) -> dict[str, Any] | None:
        """ConverseStream ``toolConfig``; None when no tool is offered (the request then has none)."""
        specs = [
            *(tool.spec for tool in self._data.values()),
            *(
                ToolSpec(tool.name, tool.description, dict(tool.input_schema))
                for tool in self._executable.values()
            ),
            *self._client.values(),
        ]
        return {"tools": [spec.bedrock() for spec in specs]} if specs else None

    def is_client(self, name: str) -> bool:
        return name in self._client

    def run(self, tool_use: Mapping[str, Any]) -> dict[str, Any]:
        """Runs one data or executable ``toolUse`` block; returns its ``toolResult`` block, also on failure."""
        tool_use_id, name = str(tool_use.get("toolUseId", "")), str(tool_use.get("name", ""))
        tool_input = tool_use.get("input")
        if not isinstance(tool_input, Mapping):
            return _error(tool_use_id, "The tool input must be a JSON object.")
        if name in self._data:
            result = self._run_data(tool_use_id, self._data[name], dict(tool_input))
        elif name in self._executable:
            result = self._run_executable(tool_use_id, self._executable[name], dict(tool_input))
        else:
            logger.warning("the model asked for a tool that is not offered", extra={"tool": name})
            return _error(tool_use_id, f"There is no tool named {name!r}.")
        if len(json.dumps(result, ensure_ascii=False)) > MAX_TOOL_RESULT_CHARACTERS:
            return _error(
                tool_use_id,
                f"The result is longer than {MAX_TOOL_RESULT_CHARACTERS:,} characters; ask for less "
                "(e.g. a smaller limit).",
            )
        return result

    def _run_data(self, tool_use_id: str, tool: DataTool, tool_input: dict[str, Any]) -> dict[str, Any]:
        if self.graphql is None or not self.user_token:
            logger.error(
                "a data tool was asked for, but the turn has no user token", extra={"tool": tool.spec.name}
            )
            return _error(tool_use_id, "The query cannot run: the user's session is not available.")
        variables = {name: tool_input[name] for name in tool.arguments if name in tool_input}
        try:
            data = self.graphql.execute(tool.query, variables, user_token=self.user_token)
        except GraphqlRequestError as failure:
            logger.info(
                "data tool query refused or failed",
                extra={"tool": tool.spec.name, "errorTypes": sorted(failure.error_types)},
            )
            details = "; ".join(detail for detail in failure.details if detail)
            return _error(tool_use_id, f"The query failed: {failure}" + (f": {details}" if details else ""))
        logger.info("data tool ran", extra={"tool": tool.spec.name})
        return tool_result(tool_use_id, [{"json": data}])

    def _run_executable(
        self, tool_use_id: str, tool: ExecutableTool, tool_input: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            value = tool.run(tool_input, self.context)  # type: ignore[arg-type]
        except ToolError as failure:
            logger.info("executable tool reported an error", extra={"tool": tool.name})
            return _error(tool_use_id, str(failure) or "The tool failed.")
        except Exception as failure:  # a tool's own bug must not end the turn without an answer
            logger.error("executable tool failed", extra={"tool": tool.name, "cause": type(failure).__name__})
            return _error(tool_use_id, "The tool failed.")
        content = _value_content(value)
        if content is None:
            logger.error("executable tool returned neither text nor JSON", extra={"tool": tool.name})
            return _error(tool_use_id, "The tool returned a value that is neither text nor JSON.")
        logger.info("executable tool ran", extra={"tool": tool.name})
        return tool_result(tool_use_id, content)
