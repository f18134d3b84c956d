"""The JSON schema of a generation route's answer, derived from the field's GraphQL return type.

The model is made to answer by calling one tool whose input schema is this JSON schema (as Amplify's
``a.generation`` does), and the resolver checks the tool's input against the same schema before it returns
anything, so a client only ever receives an answer of the declared type. Every return type GraphQL can declare
for a generation works: scalars, enums, lists, custom types, nested and non-null or not. The answer is wrapped
as ``{"value": <answer>}`` because a tool's input must be an object.

Mapping: ``String``, ``ID`` and AppSync's text scalars -> string; ``Int``, ``AWSTimestamp`` -> integer;
``Float`` -> number; ``Boolean`` -> boolean; enum -> string with ``enum``; list -> array; object type ->
object with ``properties``, ``required`` (its non-null fields) and no other properties; ``AWSJSON`` -> any JSON
value (the resolver turns it into the JSON string AppSync expects). A nullable position also admits ``null``.
Interfaces, unions and types that contain themselves are refused: a tool schema cannot express them reliably.
"""

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)

_TEXT = "string"
SCALARS: dict[str, dict[str, Any]] = {
    "String": {"type": _TEXT},
    "ID": {"type": _TEXT},
    "Int": {"type": "integer"},
    "Float": {"type": "number"},
    "Boolean": {"type": "boolean"},
    "AWSDate": {"type": _TEXT, "description": "A date, YYYY-MM-DD."},
    "AWSTime": {"type": _TEXT, "description": "A time of day, hh:mm:ss.sss."},
    "AWSDateTime": {"type": _TEXT, "description": "A date and time, YYYY-MM-DDThh:mm:ss.sssZ."},
    "AWSTimestamp": {"type": "integer", "description": "Seconds since 1970-01-01T00:00Z."},
    "AWSEmail": {"type": _TEXT, "description": "An email address."},
    "AWSURL": {"type": _TEXT, "description": "A URL with a scheme."},
    "AWSPhone": {"type": _TEXT, "description": "A phone number."},
    "AWSIPAddress": {"type": _TEXT, "description": "An IPv4 or IPv6 address."},
    "AWSJSON": {"description": "Any JSON value."},
}
"""JSON schema of each scalar a generation may return (AppSync's scalars included)."""
ANSWER_KEY = "value"


class UnsupportedReturnTypeError(ValueError):
    """The return type cannot be described to the model as a tool's input."""


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "type" not in schema:  # AWSJSON: any JSON value, null included
        return schema
    widened = {**schema, "type": [schema["type"], "null"]}
    if "enum" in schema:
        widened["enum"] = [*schema["enum"], None]
    return widened


def json_schema(graphql_type: GraphQLOutputType, *, where: str = "return type") -> dict[str, Any]:
    """The JSON schema of values of ``graphql_type`` (nullable unless it is non-null)."""
    return _schema(graphql_type, where, ())


def _schema(graphql_type: GraphQLOutputType, where: str, enclosing: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(graphql_type, GraphQLNonNull):
        return _required_schema(graphql_type.of_type, where, enclosing)
    return _nullable(_required_schema(graphql_type, where, enclosing))


def _required_schema(graphql_type: Any, where: str, enclosing: tuple[str, ...]) -> dict[str, Any]:
    if isinstance(graphql_type, GraphQLList):
        return {"type": "array", "items": _schema(graphql_type.of_type, f"{where}[]", enclosing)}
    if isinstance(graphql_type, GraphQLScalarType):
        if graphql_type.name not in SCALARS:
            raise UnsupportedReturnTypeError(f"{where}: scalar {graphql_type.name} has no JSON description")
        return dict(SCALARS[graphql_type.name])
    if isinstance(graphql_type, GraphQLEnumType):
        return {"type": _TEXT, "enum": sorted(graphql_type.values)}
    if isinstance(graphql_type, GraphQLObjectType):
        if graphql_type.name in enclosing:
            raise UnsupportedReturnTypeError(f"{where}: type {graphql_type.name} contains itself")
        inner = (*enclosing, graphql_type.name)
        properties = {
            name: _with_description(_schema(field.type, f"{where}.{name}", inner), field.description)
            for name, field in graphql_type.fields.items()
        }
        required = [
            name for name, field in graphql_type.fields.items() if isinstance(field.type, GraphQLNonNull)
        ]
        described = {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        return _with_description(described, graphql_type.description)
    raise UnsupportedReturnTypeError(
        f"{where}: {graphql_type} is an interface or union, which a tool's input schema cannot express"
    )


def _with_description(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
    return {**schema, "description": description.strip()} if description and description.strip() else schema


def answer_schema(graphql_type: GraphQLOutputType) -> dict[str, Any]:
    """The tool's input schema: ``{"value": <the return type>}``."""
    return {
        "type": "object",
        "properties": {ANSWER_KEY: json_schema(graphql_type)},
        "required": [ANSWER_KEY],
        "additionalProperties": False,
    }
