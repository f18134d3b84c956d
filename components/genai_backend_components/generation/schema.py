"""The generation route's GraphQL: the Insights type and its query field, merged into a base schema."""

import re

from ..graphql import add_to_schema, build_appsync_schema

_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


def _check_field(field: str) -> None:
    if not isinstance(field, str) or not _GRAPHQL_NAME.fullmatch(field):
        raise ValueError(f"field: {field!r} is not a GraphQL name")


def _insights_type() -> str:
    return "type Insights @aws_cognito_user_pools {\n  summary: String!\n  highlights: [String!]!\n}\n"


def _query_field(field: str) -> str:
    _check_field(field)
    return f"{field}(requirement: String!): Insights @aws_cognito_user_pools"


def generation_schema_sdl(field: str = "generateInsights") -> str:
    """The route's SDL fragment: the Insights type and the query, for signed-in user-pool callers only.

    The fragment uses ``extend type Query``; a schema deployed to AppSync should have it folded into
    its one ``type Query`` (``schema_with_generation``), since AppSync is reported not to accept
    object extensions (serverless-appsync-plugin #468 merges them for that reason).
    """
    return f"{_insights_type()}\nextend type Query {{\n  {_query_field(field)}\n}}\n"


def schema_with_generation(base_schema: str, field: str = "generateInsights") -> str:
    """``base_schema`` with the route's query added to its ``type Query`` and the Insights type appended."""
    merged = add_to_schema(
        base_schema, root_fields={"Query": f"  {_query_field(field)}"}, types_sdl=f"\n{_insights_type()}",
        owner="schema_with_generation",
    )  # fmt: skip
    build_appsync_schema(merged, owner="schema_with_generation")
    return merged
