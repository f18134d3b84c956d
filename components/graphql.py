"""An AppSync GraphQL API with Cognito user pools as the default auth, least-privilege logging and JS resolvers.

Amplify gives AppSync's log role the managed ``AWSAppSyncPushToCloudWatchLogs`` policy, which allows
writing to every log group in the account; here the role may only write to the API's own log group,
which this component creates with a retention.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.function import RETENTION_DAYS
from components.graphql_data_sources import DataSourceSpec, declare_data_source, validate_data_source
from components.graphql_resolvers import (
    PipelineFunction,
    Resolver,
    build_appsync_schema,
    declare_resolvers,
    validate_resolvers,
)
from components.iam import attach_statements, service_trust_policy, statement

PRIMARY_AUTHENTICATION_TYPE = "AMAZON_COGNITO_USER_POOLS"
ADDITIONAL_AUTHENTICATION_TYPES = ("AWS_IAM",)
"""Modes that need no extra resource or config. API_KEY is left out: its key must expire, which needs a timestamp."""
DEFAULT_ACTIONS = ("ALLOW", "DENY")
FIELD_LOG_LEVELS = ("NONE", "ERROR", "INFO", "DEBUG", "ALL")
INTROSPECTION_CONFIGS = ("ENABLED", "DISABLED")
VISIBILITY = "GLOBAL"
MAX_QUERY_DEPTH = 75
MAX_RESOLVER_COUNT = 10000


@dataclass(frozen=True, kw_only=True)
class GraphqlApiArgs:
    """Everything the API needs; resources it uses (user pool, tables, functions) are passed in, never created."""

    schema: str
    """The GraphQL SDL, deployed as is (see ``read_schema``); resolvers are checked against it."""
    user_pool_id: pulumi.Input[str]
    """Cognito user pool whose tokens authorize requests by default."""
    user_pool_region: pulumi.Input[str] | None = None
    """Region of the user pool; unset means the API's own region."""
    default_action: str = "ALLOW"
    """What user-pool callers may do on fields without auth directives: ALLOW, or DENY (only without
    additional modes; AppSync requires ALLOW when it has them)."""
    additional_auth_modes: Sequence[str] = ("AWS_IAM",)
    """Extra auth modes, used through schema directives such as ``@aws_iam``; empty for user pools only."""
    field_log_level: str = "ERROR"
    """NONE, ERROR, INFO, DEBUG or ALL. DEBUG and ALL log resolved requests and results, user data included."""
    exclude_verbose_content: bool = True
    """Keeps headers, context and evaluated mapping templates out of the logs whatever the level."""
    log_retention_days: int = 30
    """How long the API's log group keeps events (a value CloudWatch Logs accepts)."""
    xray_enabled: bool = False
    """Sends traces to X-Ray, to follow a request through resolvers and data sources."""
    introspection: str = "ENABLED"
    """ENABLED or DISABLED; disabling stops clients from downloading the schema in production."""
    query_depth_limit: int = 0
    """Maximum nesting of a query, 1 to 75; 0 means unlimited."""
    resolver_count_limit: int = 0
    """Maximum resolvers one request may run, 1 to 10000; 0 means AppSync's default (10000)."""
    data_sources: Mapping[str, DataSourceSpec] = field(default_factory=dict)
    """Data sources by AppSync name (letters, digits, underscores), e.g. ``{"LeagueTable": DynamoDbDataSource(...)}``."""
    functions: Mapping[str, PipelineFunction] = field(default_factory=dict)
    """Pipeline functions by AppSync name, for pipeline resolvers to reference."""
    resolvers: Mapping[str, Resolver] = field(default_factory=dict)
    """Resolvers keyed ``"Type.field"``; each key must name a field of ``schema``."""
    api_name: str | None = None
    """Name shown in the AppSync console; unset lets Pulumi derive a unique one from the component name."""


def read_schema(*paths: Path | str) -> str:
    """Concatenates schema files, for callers that split their SDL; the component itself reads no files."""
    if not paths:
        raise ValueError("read_schema: give at least one schema file")
    missing = [str(path) for path in paths if not Path(path).is_file()]
    if missing:
        raise ValueError(f"read_schema: no schema file at {', '.join(missing)}")
    return "\n".join(Path(path).read_text(encoding="utf-8") for path in paths)


def _check_choice(field_name: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        raise ValueError(
            f"GraphqlApiArgs.{field_name}: {value!r} is not one of {', '.join(map(str, allowed))}"
        )


def _check_range(field_name: str, value: object, highest: int, meaning_of_zero: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= highest:
        raise ValueError(
            f"GraphqlApiArgs.{field_name}: {value!r} must be an integer from 1 to {highest}, {meaning_of_zero}"
        )


def validate_args(args: GraphqlApiArgs) -> None:
    """Raises ``ValueError`` naming the field for what AppSync would only reject minutes into a deploy."""
    build_appsync_schema(args.schema, owner="GraphqlApiArgs.schema")
    if isinstance(args.user_pool_id, str) and not args.user_pool_id.strip():
        raise ValueError("GraphqlApiArgs.user_pool_id: must not be empty")
    _check_choice("default_action", args.default_action, DEFAULT_ACTIONS)
    if isinstance(args.additional_auth_modes, str):
        raise ValueError("GraphqlApiArgs.additional_auth_modes: give a list of modes, e.g. ('AWS_IAM',)")
    for mode in args.additional_auth_modes:
        _check_choice("additional_auth_modes", mode, ADDITIONAL_AUTHENTICATION_TYPES)
    if len(set(args.additional_auth_modes)) != len(args.additional_auth_modes):
        raise ValueError("GraphqlApiArgs.additional_auth_modes: lists a mode twice")
    if args.additional_auth_modes and args.default_action != "ALLOW":
        raise ValueError(
            "GraphqlApiArgs.default_action: must be ALLOW when additional_auth_modes is set (AppSync rule); "
            "restrict fields with directives such as @aws_cognito_user_pools(cognito_groups: [...]) instead"
        )
    _check_choice("field_log_level", args.field_log_level, FIELD_LOG_LEVELS)
    _check_choice("log_retention_days", args.log_retention_days, RETENTION_DAYS)
    _check_choice("introspection", args.introspection, INTROSPECTION_CONFIGS)
    _check_range("query_depth_limit", args.query_depth_limit, MAX_QUERY_DEPTH, "or 0 for unlimited")
    _check_range(
        "resolver_count_limit", args.resolver_count_limit, MAX_RESOLVER_COUNT, "or 0 for the default"
    )
    for flag in ("exclude_verbose_content", "xray_enabled"):
        if not isinstance(getattr(args, flag), bool):
            raise ValueError(f"GraphqlApiArgs.{flag}: must be True or False")
    if args.api_name is not None and not args.api_name.strip():
        raise ValueError("GraphqlApiArgs.api_name: must not be empty (leave it unset for a derived name)")
    for name, spec in args.data_sources.items():
        validate_data_source(name, spec, owner="GraphqlApiArgs.data_sources")
    validate_resolvers(
        args.schema, args.resolvers, args.functions, list(args.data_sources), owner="GraphqlApiArgs"
    )


class GraphqlApi(pulumi.ComponentResource):
    """AppSync API, its log group and log role, data sources with their roles, functions and resolvers."""

    def __init__(self, name: str, args: GraphqlApiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_args(args)
        super().__init__("genai:index:GraphqlApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        self.logs_role = aws.iam.Role(
            f"{name}-logs-role", assume_role_policy=service_trust_policy("appsync.amazonaws.com"), opts=child
        )
        user_pool_config: dict[str, pulumi.Input[str]] = {
            "user_pool_id": args.user_pool_id,
            "default_action": args.default_action,
        }
        if args.user_pool_region is not None:
            user_pool_config["aws_region"] = args.user_pool_region
        additional = [{"authentication_type": mode} for mode in args.additional_auth_modes]
        self.api = aws.appsync.GraphQLApi(
            f"{name}-api",
            name=args.api_name,
            authentication_type=PRIMARY_AUTHENTICATION_TYPE,
            user_pool_config=user_pool_config,
            additional_authentication_providers=additional or None,
            schema=args.schema,
            log_config={
                "cloudwatch_logs_role_arn": self.logs_role.arn,
                "field_log_level": args.field_log_level,
                "exclude_verbose_content": args.exclude_verbose_content,
            },
            xray_enabled=args.xray_enabled,
            introspection_config=args.introspection,
            query_depth_limit=args.query_depth_limit,
            resolver_count_limit=args.resolver_count_limit,
            visibility=VISIBILITY,
            opts=child,
        )
        # The group takes the name AppSync writes to. The role gets no logs:CreateLogGroup: if AppSync
        # could create the group on an early request, creating it here would fail with "already exists"
        # and the group would keep events forever.
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=pulumi.Output.concat("/aws/appsync/apis/", self.api.id),
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.logs_policy = attach_statements(
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

        # Data source roles trust AppSync only for this API. The log role above cannot: the API needs its
        # ARN before the API (and so the API's own ARN) exists, a cycle.
        self.data_sources: dict[str, aws.appsync.DataSource] = {
            source_name: declare_data_source(name, source_name, self.api.id, spec, self, api_arn=self.api.arn)
            for source_name, spec in args.data_sources.items()
        }
        declared = declare_resolvers(
            name, self.api.id, args.schema, args.resolvers, args.functions, self.data_sources, self
        )
        self.functions: dict[str, aws.appsync.Function] = declared.functions
        self.resolvers: dict[str, aws.appsync.Resolver] = declared.resolvers

        self.api_id: pulumi.Output[str] = self.api.id
        self.arn: pulumi.Output[str] = self.api.arn
        self.graphql_url: pulumi.Output[str] = self.api.uris.apply(lambda uris: uris["GRAPHQL"])
        self.realtime_url: pulumi.Output[str] = self.api.uris.apply(lambda uris: uris["REALTIME"])
        self.schema_sdl: str = args.schema
        self.data_source_names: list[str] = sorted(args.data_sources)
        self.register_outputs(
            {
                "api_id": self.api_id,
                "arn": self.arn,
                "graphql_url": self.graphql_url,
                "realtime_url": self.realtime_url,
                "data_source_names": self.data_source_names,
                "schema_sdl": self.schema_sdl,
            }
        )
