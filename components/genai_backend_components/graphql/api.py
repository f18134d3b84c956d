"""An AppSync GraphQL API with Cognito user pools as the default auth, least-privilege logging and JS resolvers.

Amplify gives AppSync's log role the managed ``AWSAppSyncPushToCloudWatchLogs`` policy, which allows writing
to every log group in the account; here the role may only write to the API's own log group, which this
component creates with a retention.
"""

import pulumi
import pulumi_aws as aws

from ..iam import attach_statements, service_trust_policy, statement
from ..package import component_options, component_type
from ..validation import check_args
from .args import GraphqlApiArgs
from .checks import GraphqlApiModel
from .data_sources import declare_data_source
from .resolvers import declare_resolvers

PRIMARY_AUTHENTICATION_TYPE = "AMAZON_COGNITO_USER_POOLS"
VISIBILITY = "GLOBAL"


class GraphqlApi(pulumi.ComponentResource):
    """AppSync API, its log group and log role, data sources with their roles, functions and resolvers."""

    api: aws.appsync.GraphQLApi
    """The AppSync API."""
    logs_role: aws.iam.Role
    """Role AppSync writes field logs with; it may write to the API's own log group only."""
    log_group: aws.cloudwatch.LogGroup
    """The API's log group, with the retention asked for."""
    data_sources: dict[str, aws.appsync.DataSource]
    """Data sources by AppSync name."""
    functions: dict[str, aws.appsync.Function]
    """Pipeline functions by AppSync name."""
    resolvers: dict[str, aws.appsync.Resolver]
    """Resolvers by ``Type.field``."""
    api_id: pulumi.Output[str]
    """API id."""
    arn: pulumi.Output[str]
    """API ARN."""
    graphql_url: pulumi.Output[str]
    """HTTPS endpoint for queries and mutations."""
    realtime_url: pulumi.Output[str]
    """WebSocket endpoint for subscriptions."""

    def __init__(self, name: str, args: GraphqlApiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        spec = check_args(GraphqlApiModel, "GraphqlApiArgs", args)
        super().__init__(component_type("GraphqlApi"), name, None, component_options("GraphqlApi", opts))
        child = pulumi.ResourceOptions(parent=self)

        self.logs_role = aws.iam.Role(
            f"{name}-logs-role",
            assume_role_policy=service_trust_policy("appsync.amazonaws.com"),
            tags=spec.tags,
            opts=child,
        )
        user_pool_config: dict[str, pulumi.Input[str]] = {
            "user_pool_id": spec.user_pool_id,
            "default_action": spec.default_action.value,
        }
        if spec.user_pool_region is not None:
            user_pool_config["aws_region"] = spec.user_pool_region
        additional = [{"authentication_type": mode.value} for mode in spec.additional_auth_modes]
        self.api = aws.appsync.GraphQLApi(
            f"{name}-api",
            name=spec.api_name,
            authentication_type=PRIMARY_AUTHENTICATION_TYPE,
            user_pool_config=user_pool_config,
            additional_authentication_providers=additional or None,
            schema=spec.schema_sdl,
            log_config={
                "cloudwatch_logs_role_arn": self.logs_role.arn,
                "field_log_level": spec.field_log_level.value,
                "exclude_verbose_content": spec.exclude_verbose_content,
            },
            xray_enabled=spec.xray_enabled,
            introspection_config="ENABLED" if spec.introspection else "DISABLED",
            query_depth_limit=spec.query_depth_limit,
            resolver_count_limit=spec.resolver_count_limit,
            visibility=VISIBILITY,
            tags=spec.tags,
            opts=child,
        )
        # The group takes the name AppSync writes to. The role gets no logs:CreateLogGroup: if AppSync could
        # create the group on an early request, creating it here would fail with "already exists" and the
        # group would keep events forever.
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=pulumi.Output.concat("/aws/appsync/apis/", self.api.id),
            retention_in_days=spec.log_retention_days,
            tags=spec.tags,
            opts=child,
        )
        attach_statements(
            f"{name}-logs-policy",
            self.logs_role,
            [
                statement(
                    "WriteApiLogs",
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [pulumi.Output.concat(self.log_group.arn, ":*")],
                )
            ],
            self,
        )
        # Data source roles trust AppSync only for this API. The log role above cannot: the API needs its ARN
        # before the API (and so the API's own ARN) exists, a cycle.
        self.data_sources = {
            source_name: declare_data_source(
                name, source_name, self.api.id, source, self, api_arn=self.api.arn, tags=spec.tags
            )
            for source_name, source in spec.data_sources.items()
        }
        declared = declare_resolvers(
            name, self.api.id, spec.resolvers, spec.functions, self.data_sources, self
        )
        self.functions = declared.functions
        self.resolvers = declared.resolvers

        self.api_id = self.api.id
        self.arn = self.api.arn
        self.graphql_url = self.api.uris.apply(lambda uris: uris["GRAPHQL"])
        self.realtime_url = self.api.uris.apply(lambda uris: uris["REALTIME"])
        self.register_outputs(
            {
                "api": self.api,
                "logs_role": self.logs_role,
                "log_group": self.log_group,
                "data_sources": self.data_sources,
                "functions": self.functions,
                "resolvers": self.resolvers,
                "api_id": self.api_id,
                "arn": self.arn,
                "graphql_url": self.graphql_url,
                "realtime_url": self.realtime_url,
            }
        )
