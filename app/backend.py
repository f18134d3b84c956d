"""The whole backend for one stack: the library's components, composed from checked settings.

The order is the dependency order, so nothing is circular: auth, then the League data (tables and the League
function), then the API that reads them, then the AI routes that extend the API, then the client config and
the optional hosting that is fed it.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from app import component_args as build
from app.league import LeagueData, declare_league_data, league_data_sources, league_resolvers
from app.settings import StackSettings
from genai_backend_components.auth import Auth
from genai_backend_components.bedrock import partition_for_region
from genai_backend_components.client_config import amplify_outputs, data_outputs
from genai_backend_components.conversation import ConversationRoute
from genai_backend_components.generation import GenerationRoute
from genai_backend_components.graphql import GraphqlApi
from genai_backend_components.hosting import Hosting


class FullstackBackend(pulumi.ComponentResource):
    """Cognito + AppSync + Lambda + DynamoDB + Bedrock, as Amplify Gen 2 would deploy them, for one stack."""

    def __init__(
        self, name: str, settings: StackSettings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genai:index:FullstackBackend", name, None, opts)
        values, schema = settings.values, settings.schema_sdl
        child = pulumi.ResourceOptions(parent=self)
        after_api = lambda: pulumi.ResourceOptions(parent=self, depends_on=[self.api])  # noqa: E731
        partition = partition_for_region(settings.region)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        auth_args, _ = build.auth_args(values)
        self.auth = Auth(f"{name}-auth", auth_args, opts=child)
        self.data: LeagueData = declare_league_data(
            name, values, account_id=account_id, partition=partition, parent=self
        )
        self.api = GraphqlApi(
            f"{name}-api",
            build.api_args(
                values,
                schema_sdl=schema,
                user_pool_id=self.auth.user_pool_id,
                data_sources=league_data_sources(
                    league_table_name=self.data.league_table_name,
                    league_table_arn=self.data.league_table_arn,
                    follows_name=self.data.follows.name,
                    follows_arn=self.data.follows.arn,
                    # Resolved once the function's table grant exists, so no first call races IAM.
                    league_function_arn=pulumi.Output.all(
                        self.data.league_function.arn, self.data.league_function_grant.id
                    ).apply(lambda pair: pair[0]),
                ),
                resolvers=league_resolvers(),
            ),
            opts=child,
        )
        self.generation = GenerationRoute(
            f"{name}-generation",
            build.generation_args(
                values, schema_sdl=schema, api_id=self.api.api_id, api_arn=self.api.arn, account_id=account_id
            ),
            opts=after_api(),
        )
        self.conversation = ConversationRoute(
            f"{name}-{build.CONVERSATION_ROUTE}",
            build.conversation_args(
                values,
                schema_sdl=schema,
                api_id=self.api.api_id,
                api_arn=self.api.arn,
                graphql_url=self.api.graphql_url,
                account_id=account_id,
            ),
            opts=after_api(),
        )
        client_data = data_outputs(
            region=settings.region,
            schema_sdl=schema,
            additional_authorization_types=("AWS_IAM",),
            generation_routes=(build.GENERATION_FIELD,),
            conversation_routes=(build.CONVERSATION_ROUTE,),
        )
        self.amplify_outputs = amplify_outputs(self.auth, client_data, self.api.graphql_url)
        hosting_args = build.hosting_args(values, amplify_outputs=self.amplify_outputs)
        self.hosting = Hosting(f"{name}-hosting", hosting_args, opts=child) if hosting_args else None
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, Any]:
        """What `pulumi stack output` shows: ids and URLs a frontend or operator needs, no secrets."""
        return {
            "region": self.auth.client_facts.region,
            "userPoolId": self.auth.user_pool_id,
            "userPoolClientId": self.auth.client_id,
            "authDomain": self.auth.managed_login_host,
            "issuerUrl": self.auth.issuer_url,
            "graphqlUrl": self.api.graphql_url,
            "leagueTableName": self.data.league_table_name,
            "leagueFunctionName": self.data.league_function.name,
            "modelInvokeId": self.generation.model_invoke_id,
            "conversationFunctionName": self.conversation.handler.name,
            "conversationCleanupFailuresQueueUrl": self.conversation.cleanup.failures.url,
            "amplifyOutputs": self.amplify_outputs,
            **({"hostingUrl": self.hosting.url} if self.hosting else {}),
        }
