"""Parsing AppSync schemas with graphql-core: one prelude and one cached parser for every component.

AppSync declares its scalars (``AWSDateTime``…) and auth directives (``@aws_iam``…) implicitly, so a
standard GraphQL parser needs them spelled out first; they live in ``appsync_prelude.graphql`` and are
never deployed. Building the schema of the whole API takes a noticeable share of a synth, and several
components validate against the same SDL, so a successful build is cached by its text.
"""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLError, GraphQLSchema, build_ast_schema, parse
from graphql.language import DocumentNode

APPSYNC_PRELUDE_SDL = (Path(__file__).parent / "appsync_prelude.graphql").read_text(encoding="utf-8")
"""AppSync's implicit scalars and directives, so graphql-core can parse an AppSync schema."""

_PRELUDE = parse(APPSYNC_PRELUDE_SDL)
_IMPLICIT_NAMES = frozenset(node.name.value for node in _PRELUDE.definitions)  # type: ignore[attr-defined]
_BUILT: dict[str, GraphQLSchema] = {}


def build_appsync_schema(schema_sdl: str, *, owner: str = "schema") -> GraphQLSchema:
    """The schema for ``schema_sdl``; bad SDL raises a ValueError that starts with ``owner``."""
    if schema_sdl in _BUILT:
        return _BUILT[schema_sdl]
    if not schema_sdl.strip():
        raise ValueError(f"{owner}: the GraphQL schema is empty")
    try:
        document = parse(schema_sdl)
        declared = {getattr(node, "name", None) and node.name.value for node in document.definitions}  # type: ignore[attr-defined]
        redeclared = sorted(_IMPLICIT_NAMES & declared)
        if redeclared:
            raise ValueError(
                f"{owner}: declares {', '.join(redeclared)}, which AppSync defines itself; remove them"
            )
        schema = build_ast_schema(DocumentNode(definitions=(*_PRELUDE.definitions, *document.definitions)))
    except (GraphQLError, TypeError) as error:
        raise ValueError(f"{owner}: not valid GraphQL SDL: {error}") from error
    _BUILT[schema_sdl] = schema
    return schema
