"""Data tools of a conversation route: Query fields of the API the model may call, run as the user.

For each ``DataTool`` (a name, a description, a Query field) the component derives from the API's
schema what Amplify's transformer derives from ``a.ai.dataTool``:

- the tool's input JSON schema, from the field's arguments: ``String``/``ID`` and AppSync's text scalars
  are strings (``AWSDateTime`` with ``format: date-time``...), ``Int``/``AWSTimestamp`` integers,
  ``Float`` numbers, ``Boolean`` booleans, ``AWSJSON`` a JSON document as text, enums strings with
  ``enum``, lists arrays, input types objects (an input type that contains itself is cut to a plain
  object at the repeat); non-null arguments without a default are ``required``; SDL descriptions are
  kept;
- a query document: the field with every argument as a variable, selecting the scalar and enum fields
  of the return type and of nested object types down to ``SELECTION_DEPTH`` levels, without arguments
  (a field with a required argument is left out), and only fields a Cognito user may read
  (``@aws_cognito_user_pools``/``@aws_auth``, or no auth directive on the field and its type).

The handler sends that document with the caller's own token, so the API's resolvers apply their rules
for that user. The definitions reach it in every turn event: a generated pipeline step of
``sendMessage<Route>`` (``tools_settings_code``) puts them in ``ctx.stash.conversationTools``, and
``invokeHandler.function.js`` sends them as ``toolsConfiguration.dataTools`` (Amplify's place for them).
The handler accepts only that list: its environment holds the list's digest (``data_tools_digest``), and an
event carrying other definitions is refused (conversation_handler/turn_event.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    parse,
    validate,
)

from ..generation.settings_step import stash_settings_code
from .conversation_handler.executable_tools import TOOL_NAME
from .conversation_handler.settings import data_tools_sha256

__all__ = [
    "SELECTION_DEPTH",
    "STASH_KEY",
    "TOOL_NAME",
    "DataToolDefinition",
    "DataToolError",
    "data_tool_definition",
    "data_tools_digest",
    "data_tools_payload",
    "tools_settings_code",
]

SELECTION_DEPTH = 3
"""Object levels a query selects: e.g. LeagueConnection -> items (League) -> teams (Team)."""
STASH_KEY = "conversationTools"
"""``ctx.stash`` key the generated step fills and invokeHandler.function.js reads."""
USER_POOL_DIRECTIVES = frozenset({"aws_cognito_user_pools", "aws_auth"})
AUTH_DIRECTIVES = USER_POOL_DIRECTIVES | {"aws_iam", "aws_api_key", "aws_oidc", "aws_lambda"}
SCALAR_SCHEMAS: dict[str, dict[str, Any]] = {
    "String": {"type": "string"},
    "ID": {"type": "string"},
    "Int": {"type": "integer"},
    "Float": {"type": "number"},
    "Boolean": {"type": "boolean"},
    "AWSDate": {"type": "string", "format": "date"},
    "AWSTime": {"type": "string", "description": "a time, hh:mm:ss.sss"},
    "AWSDateTime": {"type": "string", "format": "date-time"},
    "AWSTimestamp": {"type": "integer", "description": "seconds since 1970-01-01T00:00:00Z"},
    "AWSEmail": {"type": "string", "format": "email"},
    "AWSJSON": {"type": "string", "description": "a JSON document, as text"},
    "AWSURL": {"type": "string", "format": "uri"},
    "AWSPhone": {"type": "string"},
    "AWSIPAddress": {"type": "string"},
}


class DataToolError(ValueError):
    """The Query field cannot be offered as a data tool; the message says why."""


@dataclass(frozen=True)
class DataToolDefinition:
    """What the handler gets for one data tool."""

    name: str
    description: str
    query_field: str
    input_schema: dict[str, Any]
    query: str

    def payload(self) -> dict[str, Any]:
        """The tool as the turn event carries it (``toolsConfiguration.dataTools[i]``)."""
        return {
            "name": self.name,
            "description": self.description,
            "inputSchema": {"json": self.input_schema},
            "query": self.query,
        }


def _auth_directives(named: Any) -> set[str]:
    node = getattr(named, "ast_node", None)
    return (
        {directive.name.value for directive in (node.directives or ())} & AUTH_DIRECTIVES if node else set()
    )


def _user_may_read(field: GraphQLField, parent: GraphQLNamedType) -> bool:
    """A field's own auth directives decide; without any, its type's; without those, the API's default."""
    directives = _auth_directives(field) or _auth_directives(parent)
    return not directives or bool(directives & USER_POOL_DIRECTIVES)


def _unwrapped(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _described(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
    if description and "description" not in schema:
        return {**schema, "description": description.strip()}
    return schema


def _is_required(argument: GraphQLArgument) -> bool:
    return isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined


def _input_schema(type_: Any, seen: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(type_, GraphQLNonNull):
        return _input_schema(type_.of_type, seen)
    if isinstance(type_, GraphQLList):
        return {"type": "array", "items": _input_schema(type_.of_type, seen)}
    if isinstance(type_, GraphQLScalarType):
        return dict(SCALAR_SCHEMAS.get(type_.name, {}))
    if isinstance(type_, GraphQLEnumType):
        return _described({"type": "string", "enum": list(type_.values)}, type_.description)
    if isinstance(type_, GraphQLInputObjectType):
        if type_.name in seen:
            return {"type": "object", "description": f"a {type_.name}, as above"}
        return _object_schema(type_.fields, (*seen, type_.name), type_.description)
    raise DataToolError(f"argument type {type_} cannot be described as JSON")


def _object_schema(fields: Any, seen: tuple[str, ...], description: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            name: _described(_input_schema(field.type, seen), field.description)
            for name, field in fields.items()
        },
    }
    required = [name for name, field in fields.items() if _is_required(field)]
    if required:
        schema["required"] = required
    return _described(schema, description)


def _selection(type_: Any, depth: int) -> str | None:
    """The selection set of ``type_`` (``""`` for a leaf), or None when nothing of it can be selected."""
    named = _unwrapped(type_)
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return ""
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        return "__typename"
    if not isinstance(named, GraphQLObjectType) or depth > SELECTION_DEPTH:
        return None
    directives = _auth_directives(named)
    if directives and not directives & USER_POOL_DIRECTIVES:
        return None
    parts = []
    for name, field in named.fields.items():
        if any(_is_required(argument) for argument in field.args.values()) or not _user_may_read(
            field, named
        ):
            continue
        nested = _selection(field.type, depth + 1)
        if nested is not None:
            parts.append(name if nested == "" else f"{name} {{ {nested} }}")
    return " ".join(parts) or None


def data_tool_definition(
    schema: GraphQLSchema, name: str, description: str, query_field: str
) -> DataToolDefinition:
    """The tool for ``Query.<query_field>``; raises DataToolError when that field cannot be one."""
    query = schema.query_type
    field = query.fields.get(query_field) if query else None
    if query is None or field is None:
        known = ", ".join(sorted(query.fields)) if query else "none"
        raise DataToolError(f"the schema's Query has no field {query_field!r} (it has: {known})")
    if not _user_may_read(field, query):
        raise DataToolError(
            f"Query.{query_field} is not open to Cognito user pools callers (add @aws_cognito_user_pools): "
            "a data tool runs with the user's own token"
        )
    selection = _selection(field.type, 1)
    if selection is None:
        raise DataToolError(
            f"Query.{query_field} returns {_unwrapped(field.type)}, of which a Cognito user may read no field "
            f"without arguments within {SELECTION_DEPTH} levels"
        )
    input_schema = _object_schema(field.args, ())
    variables = ", ".join(f"${arg_name}: {argument.type}" for arg_name, argument in field.args.items())
    arguments = ", ".join(f"{arg_name}: ${arg_name}" for arg_name in field.args)
    document = "query" + (f" ({variables})" if variables else "") + " { " + query_field
    document += (f"({arguments})" if arguments else "") + (f" {{ {selection} }}" if selection else "") + " }"
    errors = validate(schema, parse(document))
    if errors:  # a bug here, not the caller's: the document is built from the schema itself
        raise DataToolError(f"the derived query is not valid against the schema: {errors[0].message}")
    return DataToolDefinition(name, description, query_field, input_schema, document)


def data_tools_payload(definitions: Sequence[DataToolDefinition]) -> list[dict[str, Any]]:
    """The ``dataTools`` list the generated step stashes and invokeHandler sends (``[]``: no data tools)."""
    return [definition.payload() for definition in definitions]


def tools_settings_code(definitions: Sequence[DataToolDefinition]) -> str:
    """The generated sendMessage step: the route's data tools in ``ctx.stash.conversationTools``."""
    return stash_settings_code(STASH_KEY, {"dataTools": data_tools_payload(definitions)})


def data_tools_digest(definitions: Sequence[DataToolDefinition]) -> str:
    """The handler's ``DATA_TOOLS_SHA256``: the digest of exactly the list ``tools_settings_code`` stashes
    (for no definitions, of ``[]``, the list the packaged step stashes)."""
    return data_tools_sha256(data_tools_payload(definitions))
