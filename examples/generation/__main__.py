"""Adds AI generation to a GraphQL API: ``generateInsights(requirement)`` answered by one Bedrock call.

``schema_with_generation`` writes the route's query and its ``Insights`` type into the API's schema;
``GenerationRoute`` then adds what answers it: a SigV4-signed HTTP data source on Bedrock runtime, whose role
may call the one configured model, and a pipeline resolver whose code ships inside the library.
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

config = pulumi.Config()
region = pulumi.Config("aws").require("region")
account_id = aws.get_caller_identity_output().account_id

auth = Auth("auth", AuthArgs(region=region, protect_data=False))
api = GraphqlApi(
    "insights",
    GraphqlApiArgs(schema_sdl=schema_with_generation(BASE_SCHEMA), user_pool_id=auth.user_pool_id),
)
generation = GenerationRoute(
    "insights-generation",
    GenerationRouteArgs(
        api_id=api.api_id,
        api_arn=api.arn,
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
