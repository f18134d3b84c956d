"""Adds AI generation to a GraphQL API: a query whose answer one Bedrock call produces, in a declared shape.

The route's contract is the schema: ``summarizeRequirement(requirement: String!): RequirementSummary`` with the
``RequirementSummary`` type below. ``schema_with_generation`` writes the field into the API's schema;
``GenerationRoute`` reads the field's arguments and return type from it, makes the model answer through a tool
whose input schema is that type, and checks the answer against it before a client sees it. It declares a
SigV4-signed HTTP data source on Bedrock runtime, whose role may call the one configured model, and a pipeline
resolver whose code ships inside the library.
"""

import pulumi
import pulumi_aws as aws

from genai_backend_components.auth import Auth, AuthArgs
from genai_backend_components.generation import GenerationRoute, GenerationRouteArgs, schema_with_generation
from genai_backend_components.graphql import GraphqlApi, GraphqlApiArgs

# The same defaults as Pulumi.yaml declares.
DEFAULT_MODEL_ID = "amazon.nova-lite-v1:0"
DEFAULT_SYSTEM_PROMPT = "You summarise requirements for a software team. Be brief and concrete."
# The app's own schema; the route's query lands in its `type Query`.
BASE_SCHEMA = """
type Query {
  # Lets a client check it can reach the API; it has no resolver, so it answers null.
  ping: String
}
"""
# What the model must answer with. Non-null fields are required; the route refuses anything else.
ANSWER_TYPES = """
enum Effort { SMALL MEDIUM LARGE }
type RequirementSummary @aws_cognito_user_pools {
  summary: String!
  risks: [String!]!
  effort: Effort!
  estimateDays: Int
}
"""

config = pulumi.Config()
region = pulumi.Config("aws").require("region")
account_id = aws.get_caller_identity_output().account_id
schema = schema_with_generation(
    BASE_SCHEMA,
    "summarizeRequirement",
    {"requirement": "String!"},
    "RequirementSummary",
    types_sdl=ANSWER_TYPES,
    description="A summary, the risks and an effort estimate of a requirement.",
)

auth = Auth("auth", AuthArgs(region=region, protect_data=False))
api = GraphqlApi("insights", GraphqlApiArgs(schema_sdl=schema, user_pool_id=auth.user_pool_id))
generation = GenerationRoute(
    "insights-generation",
    GenerationRouteArgs(
        api_id=api.api_id,
        api_arn=api.arn,
        schema_sdl=schema,
        field_name="summarizeRequirement",
        region=region,
        account_id=account_id,
        model_id=config.get("modelId") or DEFAULT_MODEL_ID,
        inference_mode=config.get("inferenceMode") or "geo",
        system_prompt=config.get("systemPrompt") or DEFAULT_SYSTEM_PROMPT,
        max_tokens=600,
    ),
    # The resolver needs the query in the deployed schema: create it once the whole API exists.
    opts=pulumi.ResourceOptions(depends_on=[api]),
)

pulumi.export("graphqlUrl", api.graphql_url)
pulumi.export("modelInvokeId", generation.model_invoke_id)
