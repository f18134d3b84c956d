"""The deployed GraphQL schema and which League resolver runs on which data source.

The schema is ``resolvers/schema.graphql`` with the generation route's field and the conversation route's
protocol merged in, the way AppSync needs them (no ``extend type``).
"""

from __future__ import annotations

from functools import cache

from app.component_args import CONVERSATION_ROUTE, GENERATION_FIELD
from app.paths import RESOLVERS
from genai_backend_components.conversation import compose_conversation_schema
from genai_backend_components.generation import schema_with_generation
from genai_backend_components.graphql import read_schema

RESOLVER_DATA_SOURCES = {
    "Query.getLeague": "LeagueTable",
    "Query.listLeagues": "LeagueTable",
    "Query.myFollows": "FollowsTable",
    "Mutation.action": "FollowsTable",
    "Mutation.unfollow": "FollowsTable",
    "Mutation.upsertLeague": "LeagueFunction",
}
"""Which data source each resolver file in resolvers/ runs against."""


GENERATION_RETURN_TYPE_SDL = """
\"\"\"What generateInsights answers: the insights the requirement asked for.\"\"\"
type GenerateInsightsReturnType @aws_cognito_user_pools {
  insights: String!
}
"""
"""The return type of the app's generation route, exactly as the frontend's Amplify schema declares it:
``a.generation(...).arguments({requirement: a.string().required()}).returns(a.customType({insights:
a.string().required()})).authorization(allow => [allow.authenticated()])``."""


@cache
def api_schema() -> str:
    """The deployed schema: resolvers/schema.graphql with the generation and conversation routes merged in."""
    base = read_schema(RESOLVERS / "schema.graphql")
    with_generation = schema_with_generation(
        base,
        GENERATION_FIELD,
        {"requirement": "String!"},
        "GenerateInsightsReturnType",
        types_sdl=GENERATION_RETURN_TYPE_SDL,
        description="Insights about leagues, seasons and teams for a requirement, from one model call.",
    )
    return compose_conversation_schema(with_generation, [CONVERSATION_ROUTE])
