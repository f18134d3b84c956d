"""The deployed schema as AppSync builds it: its implicit definitions and the behaviour of its scalars.

AppSync adds its scalars (``AWSDateTime``, ``AWSJSON``, ...) and directives to every schema without them being
declared, and checks a scalar's value where graphql-core would accept any string: ``build_schema`` prepends the
prelude and gives each scalar AppSync's parsing and serialization (AppSync developer guide, "Scalar types in
AWS AppSync").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLScalarType, GraphQLSchema, build_ast_schema, parse
from graphql.language import ValueNode
from graphql.utilities import value_from_ast_untyped

from genai_backend_components.graphql import APPSYNC_PRELUDE_SDL

_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_OFFSET = r"(Z|[+-]\d{2}:\d{2}(:\d{2})?)"
_SCALAR_PATTERNS = {
    "AWSDate": re.compile(rf"^{_DATE}{_OFFSET}?$"),
    "AWSTime": re.compile(rf"^{_TIME}{_OFFSET}?$"),
    "AWSDateTime": re.compile(rf"^{_DATE}T{_TIME}{_OFFSET}$"),
    "AWSEmail": re.compile(r"^[^@\s]+@[^@\s]+$"),
    "AWSURL": re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$"),
    "AWSPhone": re.compile(r"^\+?[0-9 ()-]{3,}$"),
    "AWSIPAddress": re.compile(r"^[0-9A-Fa-f:.]+(/\d{1,3})?$"),
}


def _string_scalar(name: str) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    pattern = _SCALAR_PATTERNS[name]

    def parse_value(value: Any) -> Any:
        if not isinstance(value, str) or not pattern.match(value):
            raise GraphQLError(f"Variable value {value!r} is not a valid {name}")
        return value

    return parse_value, parse_value


def _parse_json(value: Any) -> Any:
    """AWSJSON arrives as a JSON string and reaches resolvers parsed (maps, lists, scalars)."""
    if not isinstance(value, str):
        raise GraphQLError(f"AWSJSON value {value!r} must be a string holding JSON")
    try:
        return json.loads(value)
    except json.JSONDecodeError as error:
        raise GraphQLError(f"AWSJSON value is not valid JSON: {error.msg}") from None


def _serialize_json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _parse_timestamp(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise GraphQLError(f"AWSTimestamp value {value!r} must be an integer (seconds since the epoch)")
    return value


def _install_scalars(schema: GraphQLSchema) -> None:
    for name in _SCALAR_PATTERNS:
        scalar = schema.type_map.get(name)
        if isinstance(scalar, GraphQLScalarType):
            scalar.parse_value, scalar.serialize = _string_scalar(name)
            scalar.parse_literal = _literal(scalar.parse_value)
    json_scalar = schema.type_map["AWSJSON"]
    assert isinstance(json_scalar, GraphQLScalarType)
    json_scalar.parse_value, json_scalar.serialize = _parse_json, _serialize_json
    json_scalar.parse_literal = _literal(_parse_json)
    stamp = schema.type_map["AWSTimestamp"]
    assert isinstance(stamp, GraphQLScalarType)
    stamp.parse_value, stamp.serialize = _parse_timestamp, _parse_timestamp
    stamp.parse_literal = _literal(_parse_timestamp)


def _literal(parse_value: Callable[[Any], Any]) -> Callable[..., Any]:
    def parse_literal(node: ValueNode, variables: Any = None) -> Any:
        return parse_value(value_from_ast_untyped(node, variables))

    return parse_literal


def build_schema(schema_sdl: str) -> GraphQLSchema:
    """The deployed schema with AppSync's implicit definitions and scalar behaviour."""
    schema = build_ast_schema(parse(APPSYNC_PRELUDE_SDL + "\n" + schema_sdl))
    _install_scalars(schema)
    return schema
