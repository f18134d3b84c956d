"""``GraphqlApi``: an AppSync API with Cognito auth, its own log group, exact data-source roles and JS resolvers.

The data-source and resolver helpers are public so other components can extend an API they did not create.
"""

from .api import GraphqlApi
from .args import (
    AdditionalAuthMode,
    DataSource,
    DefaultAction,
    DynamoDbSource,
    FieldLogLevel,
    GraphqlApiArgs,
    HttpSource,
    LambdaSource,
    PipelineFunction,
    Resolver,
)
from .checks import MAX_QUERY_DEPTH, MAX_RESOLVER_COUNT, GraphqlApiModel
from .data_sources import (
    DataSourceModel,
    DynamoDbSourceModel,
    HttpSourceModel,
    LambdaSourceModel,
    appsync_trust_policy,
    declare_data_source,
    role_statements,
)
from .resolvers import (
    APPSYNC_RUNTIME,
    MAX_CODE_LENGTH,
    DeclaredResolvers,
    PipelineFunctionModel,
    ResolverModel,
    declare_resolvers,
    read_code,
    resolver_problems,
)
from .schema import APPSYNC_PRELUDE_SDL, ROOT_TYPES, add_to_schema, build_appsync_schema, read_schema

__all__ = [
    "APPSYNC_PRELUDE_SDL",
    "APPSYNC_RUNTIME",
    "MAX_CODE_LENGTH",
    "MAX_QUERY_DEPTH",
    "MAX_RESOLVER_COUNT",
    "ROOT_TYPES",
    "AdditionalAuthMode",
    "DataSource",
    "DataSourceModel",
    "DeclaredResolvers",
    "DefaultAction",
    "DynamoDbSource",
    "DynamoDbSourceModel",
    "FieldLogLevel",
    "GraphqlApi",
    "GraphqlApiArgs",
    "GraphqlApiModel",
    "HttpSource",
    "HttpSourceModel",
    "LambdaSource",
    "LambdaSourceModel",
    "PipelineFunction",
    "PipelineFunctionModel",
    "Resolver",
    "ResolverModel",
    "add_to_schema",
    "appsync_trust_policy",
    "build_appsync_schema",
    "declare_data_source",
    "declare_resolvers",
    "read_code",
    "read_schema",
    "resolver_problems",
    "role_statements",
]
