"""AppSync schemas: parsing them with graphql-core, and adding a route's fields and types to a base schema.

AppSync declares its scalars (``AWSDateTime``...) and auth directives (``@aws_iam``...) implicitly, so a
standard GraphQL parser needs them spelled out first; they live in ``appsync_prelude.graphql`` and are never
deployed. Building the schema of a whole API takes a noticeable share of a synth, and several components
validate against the same SDL, so a successful build is cached by its text.

AppSync does not accept ``extend type Query`` (serverless-appsync-plugin #468 merges extensions for that
reason), so a route's fields are written into the base schema's own ``type Query`` / ``type Mutation`` /
``type Subscription`` (created when absent, and named in a ``schema {}`` block when the base has one), and
its types are appended. Name clashes are refused instead of producing a schema AppSync would reject.
"""

from collections.abc import Mapping
from pathlib import Path

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    ObjectTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    build_ast_schema,
    parse,
)

__all__ = ["APPSYNC_PRELUDE_SDL", "ROOT_TYPES", "add_to_schema", "build_appsync_schema", "read_schema"]

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


ROOT_TYPES = ("Query", "Mutation", "Subscription")


def _defined_names(sdl: str) -> set[str]:
    return {node.name.value for node in parse(sdl).definitions if isinstance(node, TypeDefinitionNode)}


def add_to_schema(base_sdl: str, *, root_fields: Mapping[str, str], types_sdl: str, owner: str) -> str:
    """``base_sdl`` with ``root_fields`` (root type -> field lines) merged in and ``types_sdl`` appended.

    ``owner`` starts every error message, so the caller's argument is named.
    """
    unknown = sorted(set(root_fields) - set(ROOT_TYPES))
    if unknown:
        raise ValueError(
            f"{owner}: root types must be among {', '.join(ROOT_TYPES)}, not {', '.join(unknown)}"
        )
    try:
        document = parse(base_sdl)
        added_names = _defined_names(types_sdl) if types_sdl.strip() else set()
    except GraphQLError as error:
        raise ValueError(f"{owner}: not valid GraphQL SDL: {error.message}") from error
    declared = {
        node.name.value: node for node in document.definitions if isinstance(node, ObjectTypeDefinitionNode)
    }
    for root, lines in root_fields.items():
        existing = {field.name.value for field in declared[root].fields} if root in declared else set()
        try:
            adding = {
                field.name.value for field in parse(f"type {root} {{\n{lines}\n}}").definitions[0].fields
            }  # type: ignore[attr-defined]
        except GraphQLError as error:
            raise ValueError(f"{owner}: {root} fields are not valid GraphQL: {error.message}") from error
        if existing & adding:
            taken = ", ".join(f"{root}.{name}" for name in sorted(existing & adding))
            raise ValueError(f"{owner}: the base schema already has {taken}")
    base_names = {node.name.value for node in document.definitions if isinstance(node, TypeDefinitionNode)}
    clashes = sorted(base_names & added_names)
    if clashes:
        raise ValueError(f"{owner}: the base schema already declares {', '.join(clashes)}")
    insertions: list[tuple[int, str]] = []
    appended = types_sdl
    for root in ROOT_TYPES:
        lines = root_fields.get(root, "").strip("\n")
        if not lines:
            continue
        node = declared.get(root)
        if node is not None and node.loc is not None:
            insertions.append((node.loc.end - 1, lines + "\n"))
        else:
            appended += f"\ntype {root} {{\n{lines}\n}}\n"
    schema_nodes = [node for node in document.definitions if isinstance(node, SchemaDefinitionNode)]
    if schema_nodes and schema_nodes[0].loc is not None:
        named = {operation.type.name.value for operation in schema_nodes[0].operation_types}
        for root in ROOT_TYPES:
            if root_fields.get(root, "").strip() and root not in declared and root not in named:
                insertions.append((schema_nodes[0].loc.end - 1, f"  {root.lower()}: {root}\n"))
    composed = base_sdl
    for offset, text in sorted(insertions, reverse=True):
        composed = composed[:offset] + text + composed[offset:]
    return composed.rstrip("\n") + "\n" + appended


def read_schema(*paths: Path | str) -> str:
    """Concatenates schema files, for callers that split their SDL; components themselves read no files."""
    if not paths:
        raise ValueError("read_schema: give at least one schema file")
    missing = [str(path) for path in paths if not Path(path).is_file()]
    if missing:
        raise ValueError(f"read_schema: no schema file at {', '.join(missing)}")
    return "\n".join(Path(path).read_text(encoding="utf-8") for path in paths)
