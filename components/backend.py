"""The whole backend for one stack: composes the reusable components from validated settings.

This is the only module that knows this repository's layout (functions/, resolvers/) and the
settings model; every component it uses takes typed args and works alone elsewhere. The order is
the dependency order, so nothing is circular: auth, then data (tables and the League function),
then the API that reads them, then the AI routes that extend the API, then the client config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components.auth import Auth
from components.auth_args import client_facts
from components.backend_auth import auth_args
from components.backend_data import SEASON_INDEX, LeagueData, declare_league_data
from components.backend_outputs import amplify_outputs, check_client_config, data_outputs
from components.bedrock import partition_for_region
from components.conversation import ConversationRoute
from components.conversation_args import ConversationModelSettings, ConversationRouteArgs
from components.conversation_schema import compose_conversation_schema
from components.generation import GenerationRoute, GenerationRouteArgs, schema_with_generation
from components.graphql import GraphqlApi, GraphqlApiArgs, read_schema
from components.graphql_data_sources import DynamoDbDataSource, LambdaDataSource
from components.graphql_resolvers import Resolver
from components.hosting import Hosting, HostingArgs
from components.settings_model import StackSettings

ROOT = Path(__file__).resolve().parent.parent
RESOLVERS = ROOT / "resolvers"
FUNCTIONS = ROOT / "functions"
GENERATION_FIELD = "generateInsights"
CONVERSATION_ROUTE = "chat"

# Which data source each resolver file in resolvers/ runs against.
RESOLVER_DATA_SOURCES = {
    "Query.getLeague": "LeagueTable",
    "Query.listLeagues": "LeagueTable",
    "Query.myFollows": "FollowsTable",
    "Mutation.action": "FollowsTable",
    "Mutation.unfollow": "FollowsTable",
    "Mutation.upsertLeague": "LeagueFunction",
}


def api_schema() -> str:
    """The deployed schema: resolvers/schema.graphql with the generation and conversation routes merged in."""
    base = read_schema(RESOLVERS / "schema.graphql")
    return compose_conversation_schema(schema_with_generation(base, GENERATION_FIELD), [CONVERSATION_ROUTE])


class FullstackBackend(pulumi.ComponentResource):
    """Cognito + AppSync + Lambda + DynamoDB + Bedrock, as Amplify Gen 2 would deploy them, for one stack."""

    def __init__(
        self, name: str, settings: StackSettings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Everything that can be checked without the cloud is checked before the first resource.
        authentication = auth_args(settings.auth, region=settings.region, protect_data=settings.protect_data)
        schema = api_schema()
        client_data = data_outputs(
            region=settings.region,
            schema_sdl=schema,
            additional_authorization_types=("AWS_IAM",),
            generation_routes=(GENERATION_FIELD,),
            conversation_routes=(CONVERSATION_ROUTE,),
        )
        check_client_config(client_facts(authentication), client_data)
        super().__init__("genai:index:FullstackBackend", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = partition_for_region(settings.region)
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id

        self.auth = Auth(f"{name}-auth", authentication, opts=child)
        self.data: LeagueData = declare_league_data(
            name, settings, account_id=account_id, partition=partition, parent=self
        )
        self.api = GraphqlApi(
            f"{name}-api",
            GraphqlApiArgs(
                schema=schema,
                user_pool_id=self.auth.user_pool_id,
                user_pool_region=settings.region,
                additional_auth_modes=("AWS_IAM",),
                field_log_level=settings.api.field_log_level,
                exclude_verbose_content=settings.api.exclude_verbose_content,
                log_retention_days=settings.log_retention_days,
                xray_enabled=settings.tracing,
                introspection="ENABLED" if settings.api.introspection else "DISABLED",
                query_depth_limit=settings.api.query_depth_limit,
                # Each role may do exactly what its resolvers send (resolvers/<field>.js): getLeague a
                # GetItem, listLeagues a Query on the season index; league writes only through the
                # League function, which validates them. Follows: action, unfollow, myFollows.
                data_sources={
                    "LeagueTable": DynamoDbDataSource(
                        table_name=self.data.league_table_name,
                        table_arn=self.data.league_table_arn,
                        actions=("dynamodb:GetItem",),
                        indexes=(SEASON_INDEX,),
                    ),
                    "FollowsTable": DynamoDbDataSource(
                        table_name=self.data.follows.name,
                        table_arn=self.data.follows.arn,
                        # GetItem: after a failed delete condition AppSync reads the item to tell "already gone".
                        actions=(
                            "dynamodb:UpdateItem",
                            "dynamodb:DeleteItem",
                            "dynamodb:Query",
                            "dynamodb:GetItem",
                        ),
                    ),
                    "LeagueFunction": LambdaDataSource(
                        function_arn=self.data.league_function.arn,
                        depends_on=[self.data.league_function_grant],
                    ),
                },
                resolvers={
                    field: Resolver(code_path=RESOLVERS / f"{field}.js", data_source=data_source)
                    for field, data_source in RESOLVER_DATA_SOURCES.items()
                },
            ),
            opts=child,
        )
        self.generation = GenerationRoute(
            f"{name}-generation",
            GenerationRouteArgs(
                api_id=self.api.api_id,
                api_arn=self.api.arn,
                region=settings.region,
                account_id=account_id,
                partition=partition,
                model_id=settings.ai.model_id,
                inference_mode=settings.ai.inference_mode,
                system_prompt=settings.ai.system_prompt,
                max_tokens=settings.ai.max_tokens,
                temperature=settings.ai.temperature,
                field_name=GENERATION_FIELD,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.api]),
        )
        self.conversation = ConversationRoute(
            f"{name}-{CONVERSATION_ROUTE}",
            ConversationRouteArgs(
                route=CONVERSATION_ROUTE,
                api_id=self.api.api_id,
                api_arn=self.api.arn,
                graphql_url=self.api.graphql_url,
                schema_sdl=schema,
                region=settings.region,
                account_id=account_id,
                model=ConversationModelSettings(
                    model_id=settings.ai.model_id,
                    system_prompt=settings.ai.system_prompt,
                    inference_mode=settings.ai.inference_mode,
                    max_tokens=settings.ai.max_tokens,
                    temperature=settings.ai.temperature,
                ),
                handler_code_path=str(FUNCTIONS / "conversation"),
                resolver_code_path=str(RESOLVERS / "conversation"),
                protect_data=settings.protect_data,
                batch_milliseconds=settings.ai.stream_batch_ms,
                batch_characters=settings.ai.stream_batch_chars,
                log_retention_days=settings.log_retention_days,
                application_log_level=settings.functions.application_level,
                system_log_level=settings.functions.system_level,
                tracing=settings.tracing,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.api]),
        )
        self.amplify_outputs = amplify_outputs(self.auth, client_data, self.api.graphql_url)
        self.hosting: Hosting | None = None
        if settings.hosting.enabled:
            self.hosting = Hosting(
                f"{name}-hosting",
                HostingArgs(
                    repository=settings.hosting.repository,
                    branch=settings.hosting.branch,
                    access_token=pulumi.Output.secret(settings.hosting.access_token.get_secret_value()),
                    production=settings.is_production,
                    amplify_outputs=self.amplify_outputs,
                ),
                opts=child,
            )
        self.register_outputs(self.stack_outputs())

    def stack_outputs(self) -> dict[str, Any]:
        """What `pulumi stack output` shows: ids and URLs a frontend or operator needs, no secrets."""
        return {
            "region": self.auth.client_facts.region,
            "userPoolId": self.auth.user_pool_id,
            "userPoolClientId": self.auth.client_id,
            "authDomain": self.auth.domain,
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
