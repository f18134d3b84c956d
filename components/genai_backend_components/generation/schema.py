"""Adding a generation route's field (and the types it returns) to a schema, from Python.

Any Pulumi language can write the field in its SDL itself; this helper only spares Python programs the string
work and refuses what AppSync would: the field goes into the schema's own ``type Query`` (AppSync rejects
``extend type``), for signed-in user-pool callers (``@aws_cognito_user_pools``, optionally limited to groups).
"""

import re
from collections.abc import Mapping, Sequence

from ..graphql import add_to_schema, build_appsync_schema

_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def generation_field_sdl(
    field: str,
    arguments: Mapping[str, str],
    returns: str,
    *,
    groups: Sequence[str] = (),
    description: str = "",
) -> str:
    """One Query field line: ``generateInsights(requirement: String!): Answer! @aws_cognito_user_pools``."""
    for name in (field, *arguments):
        if not _GRAPHQL_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a GraphQL name")
    argument_list = ", ".join(f"{name}: {kind}" for name, kind in arguments.items())
    signature = f"{field}({argument_list})" if argument_list else field
    directive = "@aws_cognito_user_pools"
    if groups:
        directive += "(cognito_groups: [" + ", ".join(f'"{group}"' for group in groups) + "])"
    quoted = f'  """{description}"""\n' if description else ""
    return f"{quoted}  {signature}: {returns} {directive}"


def schema_with_generation(
    base_schema: str,
    field: str,
    arguments: Mapping[str, str],
    returns: str,
    *,
    types_sdl: str = "",
    groups: Sequence[str] = (),
    description: str = "",
) -> str:
    """``base_schema`` with the generation field added to its ``type Query`` and ``types_sdl`` appended.

    ``returns`` is a GraphQL type reference (``String!``, ``[Tip!]!``, ``GenerateInsightsReturnType``);
    custom types and enums it uses go in ``types_sdl``, with ``@aws_cognito_user_pools`` on object types so
    user-pool callers may read them on an API that also allows IAM.
    """
    merged = add_to_schema(
        base_schema,
        root_fields={
            "Query": generation_field_sdl(field, arguments, returns, groups=groups, description=description)
        },
        types_sdl=f"\n{types_sdl.strip()}\n" if types_sdl.strip() else "",
        owner="schema_with_generation",
    )
    build_appsync_schema(merged, owner="schema_with_generation")
    return merged
