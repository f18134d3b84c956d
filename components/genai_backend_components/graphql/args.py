"""What a GraphqlApi can be asked for: the public args every Pulumi language sees.

Data sources are one object per kind of target (no union type): exactly one of ``dynamodb``, ``function``,
``http`` or ``none`` is set on each.
"""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, NotRequired, TypedDict

import pulumi


class DefaultAction(StrEnum):
    """What user-pool callers may do on fields without auth directives."""

    ALLOW = "ALLOW"
    """Allowed (required when the API has additional auth modes)."""
    DENY = "DENY"
    """Denied."""


class AdditionalAuthMode(StrEnum):
    """Auth modes beside Cognito user pools that need no extra resource or secret."""

    AWS_IAM = "AWS_IAM"
    """SigV4-signed calls, e.g. from Lambda functions; fields opt in with ``@aws_iam``."""


class FieldLogLevel(StrEnum):
    """How much AppSync logs per field."""

    NONE = "NONE"
    """Nothing."""
    ERROR = "ERROR"
    """Errors only."""
    INFO = "INFO"
    """Errors and info, including request content."""
    DEBUG = "DEBUG"
    """Debug records, including request content."""
    ALL = "ALL"
    """Every field resolution, including resolved requests and results."""


class DynamoDbSource(TypedDict):
    """A DynamoDB table, reached with a role allowed exactly the item actions and indexes listed."""

    table_name: pulumi.Input[str]
    """Name of the table, as AppSync addresses it."""
    table_arn: pulumi.Input[str]
    """ARN of the same table; actions are granted on it, index queries on ``<arn>/index/<name>``."""
    actions: NotRequired[Sequence[str]]
    """Item actions the resolvers send to the table itself, e.g. ``dynamodb:GetItem`` (Scan is not
    offered). Empty when the resolvers only query indexes."""
    indexes: NotRequired[Sequence[str]]
    """Global secondary indexes the resolvers query, by name; each gets ``dynamodb:Query`` on its own ARN."""


class LambdaSource(TypedDict):
    """A Lambda function that AppSync invokes; its role may invoke that one function only."""

    function_arn: pulumi.Input[str]
    """ARN of the function. To make the data source wait for something the function needs (e.g. its table
    grant), pass an Output that resolves only after it."""


class HttpSource(TypedDict):
    """An HTTP endpoint, optionally signed with SigV4 (the data source's role does the calling)."""

    endpoint: str
    """Scheme and host, e.g. ``https://bedrock-runtime.us-east-1.amazonaws.com``; resolvers give the path."""
    signing_region: NotRequired[str]
    """Region for SigV4 signing; set together with signing_service, or neither for no signing."""
    signing_service: NotRequired[str]
    """Service name for SigV4 signing (``bedrock`` for Bedrock runtime)."""
    statements: NotRequired[Sequence[Mapping[str, Any]]]
    """IAM statements of the role AppSync signs with; required when signing, refused otherwise."""


class DataSource(TypedDict, total=False):
    """One data source; exactly one of its fields is set."""

    dynamodb: DynamoDbSource
    """A DynamoDB table."""
    function: LambdaSource
    """A Lambda function."""
    http: HttpSource
    """An HTTP endpoint."""
    none: bool
    """True for a NONE data source: the resolver's request is passed straight to its response."""


class PipelineFunction(TypedDict):
    """One APPSYNC_JS function that pipeline resolvers chain, keyed by its AppSync name."""

    data_source: str
    """Name of the data source the function's request is sent to."""
    code_path: str
    """ES module exporting ``request(ctx)`` and ``response(ctx)``; deployed as is (at most 32,768 characters)."""


class Resolver(TypedDict):
    """The resolver of one schema field, keyed ``"Type.field"``: UNIT with a data source, or PIPELINE."""

    code_path: str
    """ES module exporting ``request(ctx)`` and ``response(ctx)``; deployed as is."""
    data_source: NotRequired[str]
    """For a UNIT resolver: the data source it calls."""
    pipeline: NotRequired[Sequence[str]]
    """For a PIPELINE resolver: the pipeline functions to run, in order."""


class GraphqlApiArgs(TypedDict):
    """An AppSync API whose default auth is a Cognito user pool; the pool, tables and functions it uses
    are passed in, never created."""

    schema_sdl: str
    """The GraphQL SDL, deployed as is; resolvers are checked against it."""
    user_pool_id: pulumi.Input[str]
    """Cognito user pool whose tokens authorize requests by default."""
    user_pool_region: NotRequired[str]
    """Region of the user pool; unset means the API's own region."""
    default_action: NotRequired[DefaultAction]
    """Default ALLOW; DENY only without additional auth modes (an AppSync rule)."""
    additional_auth_modes: NotRequired[Sequence[AdditionalAuthMode]]
    """Extra auth modes, used through schema directives such as ``@aws_iam``; default AWS_IAM."""
    field_log_level: NotRequired[FieldLogLevel]
    """Default ERROR; DEBUG and ALL log resolved requests and results, user data included."""
    exclude_verbose_content: NotRequired[bool]
    """Keeps headers, context and evaluated mapping templates out of the logs at any level (default true)."""
    log_retention_days: NotRequired[int]
    """How long the API's log group keeps events; a value CloudWatch Logs accepts (default 30)."""
    xray_enabled: NotRequired[bool]
    """Sends traces to X-Ray (default false)."""
    introspection: NotRequired[bool]
    """Whether clients may download the schema by introspection (default true)."""
    query_depth_limit: NotRequired[int]
    """Maximum nesting of a query, 1 to 75; 0 (default) means unlimited."""
    resolver_count_limit: NotRequired[int]
    """Maximum resolvers one request may run, 1 to 10000; 0 (default) means AppSync's default."""
    data_sources: NotRequired[Mapping[str, DataSource]]
    """Data sources by AppSync name (letters, digits, underscores)."""
    functions: NotRequired[Mapping[str, PipelineFunction]]
    """Pipeline functions by AppSync name."""
    resolvers: NotRequired[Mapping[str, Resolver]]
    """Resolvers keyed ``"Type.field"``; each key must name a field of the schema."""
    api_name: NotRequired[str]
    """Name shown in the AppSync console; unset lets Pulumi derive a unique one."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for the API and its roles and log group."""
