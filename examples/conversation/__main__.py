"""A chat route an unchanged Amplify frontend uses as ``client.conversations.chat``, answered by Bedrock.

``compose_conversation_schema`` writes the route's types and fields into the API's schema. ``ConversationRoute``
adds the rest to that API: owner-scoped conversation and message tables, the streaming handler Lambda (its
code ships inside the library), the cleanup of a deleted conversation's messages, and the route's resolvers.
The model can call the executable tools in ``chat_tools/`` (shipped beside the handler) and any client tool
the frontend declares when it sends a message.
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from genai_backend_components.auth import Auth, AuthArgs
from genai_backend_components.conversation import (
    ConversationModelSettings,
    ConversationRoute,
    ConversationRouteArgs,
    compose_conversation_schema,
)
from genai_backend_components.graphql import GraphqlApi, GraphqlApiArgs

ROUTE = "chat"
# The same defaults as Pulumi.yaml declares.
DEFAULT_MODEL_ID = "anthropic.claude-haiku-4-5-20251001-v1:0"
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant for a notes app. Answer briefly."
# The app's own schema; the route's queries, mutations and subscription land in its root types.
BASE_SCHEMA = """
type Query {
  # Lets a client check it can reach the API; it has no resolver, so it answers null.
  ping: String
}
"""

config = pulumi.Config()
region = pulumi.Config("aws").require("region")
account_id = aws.get_caller_identity_output().account_id
protect_data = config.get_bool("protectData") or False
schema = compose_conversation_schema(BASE_SCHEMA, [ROUTE])

auth = Auth("auth", AuthArgs(region=region, protect_data=protect_data))
# The handler sends its answers with IAM-signed mutations: the API keeps AWS_IAM as an additional auth mode
# (GraphqlApi's default).
api = GraphqlApi("assistant", GraphqlApiArgs(schema_sdl=schema, user_pool_id=auth.user_pool_id))
chat = ConversationRoute(
    ROUTE,
    ConversationRouteArgs(
        route=ROUTE,
        api_id=api.api_id,
        api_arn=api.arn,
        graphql_url=api.graphql_url,
        schema_sdl=schema,
        region=region,
        account_id=account_id,
        model=ConversationModelSettings(
            model_id=config.get("modelId") or DEFAULT_MODEL_ID,
            system_prompt=config.get("systemPrompt") or DEFAULT_SYSTEM_PROMPT,
            # The cross-Region profile of the Region's geography (us., eu., ...).
            inference_mode="geo",
            max_tokens=1024,
        ),
        protect_data=protect_data,
        # Python tools the handler runs itself (chat_tools/__init__.py defines TOOLS).
        executable_tools_code_path=str(Path(__file__).parent / "chat_tools"),
        max_tool_iterations=3,
    ),
    # The resolvers need the route's fields in the deployed schema: create them once the whole API exists.
    opts=pulumi.ResourceOptions(depends_on=[api]),
)

pulumi.export("graphqlUrl", api.graphql_url)
pulumi.export("conversationHandlerName", chat.handler_name)
pulumi.export("cleanupFailuresQueueUrl", chat.cleanup_failures_queue_url)
