"""AppSync data sources, pipeline functions and JS resolvers, declarable on any existing API.

Apart from ``GraphqlApi`` so other components (the AI routes) can extend an API they did not create with
the same checks: what a deploy would reveal minutes later (a hyphen in a name, a resolver for a missing
field, a missing file) is a ``ValueError`` naming the key, raised before any resource is declared.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pulumi
import pulumi_aws as aws
from graphql import GraphQLError, GraphQLObjectType, GraphQLSchema, build_ast_schema, parse
from graphql.language import DocumentNode

from components.iam import PolicyStatement, attach_statements, service_trust_policy, statement

APPSYNC_PRELUDE_SDL = (Path(__file__).parent / "appsync_prelude.graphql").read_text(encoding="utf-8")
"""AppSync's implicit scalars and directives, so graphql-core can parse an AppSync schema (never deployed)."""

APPSYNC_RUNTIME = {"name": "APPSYNC_JS", "runtime_version": "1.0.0"}
"""The only runtime AppSync accepts with ``code``; ``function_version`` must stay unset alongside it."""

MAX_CODE_LENGTH = 32768
"""AppSync's limit on resolver or function code (botocore appsync ``Code`` shape)."""

DYNAMODB_READ_ACTIONS = ("dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query")
"""Scan is deliberately absent: it reads the whole table, and resolvers reach lists through a Query on an index."""

_WRITES = ("BatchWriteItem", "ConditionCheckItem", "DeleteItem", "PutItem", "UpdateItem")
DYNAMODB_WRITE_ACTIONS = tuple(f"dynamodb:{action}" for action in _WRITES)
"""Every write an APPSYNC_JS DynamoDB request can make (single, batch and transactional)."""

_APPSYNC_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


@dataclass(frozen=True, kw_only=True)
class DynamoDbDataSource:
    """A DynamoDB table, reached with a role limited to that table and its indexes."""

    table_name: pulumi.Input[str]
    """Name of the table, as AppSync addresses it."""
    table_arn: pulumi.Input[str]
    """ARN of the same table; the role is granted on it and on ``<arn>/index/*``."""
    read_only: bool = False
    """True grants reads and index queries only, for tables the API must never change."""


@dataclass(frozen=True, kw_only=True)
class LambdaDataSource:
    """A Lambda function that AppSync invokes; its role may invoke that one function only."""

    function_arn: pulumi.Input[str]
    """ARN of the function (unqualified, or qualified with a version or alias)."""


@dataclass(frozen=True, kw_only=True)
class HttpDataSource:
    """An HTTP endpoint, optionally signed with SigV4 (e.g. Bedrock runtime, where the role does the calling)."""

    endpoint: str
    """Scheme and host, e.g. ``https://bedrock-runtime.us-east-1.amazonaws.com``; resolvers supply the path."""
    signing_region: str | None = None
    """Region for SigV4 signing; set together with ``signing_service``, or leave both unset for no signing."""
    signing_service: str | None = None
    """Service name for SigV4 signing (``bedrock`` for Bedrock runtime)."""
    statements: Sequence[PolicyStatement] = ()
    """IAM statements for the role AppSync signs with; required when signing, meaningless otherwise."""


@dataclass(frozen=True, kw_only=True)
class NoneDataSource:
    """A data source that calls nothing: the resolver's request is passed straight to its response."""


DataSourceSpec = DynamoDbDataSource | LambdaDataSource | HttpDataSource | NoneDataSource

DATA_SOURCE_TYPES: dict[type, str] = {
    DynamoDbDataSource: "AMAZON_DYNAMODB",
    LambdaDataSource: "AWS_LAMBDA",
    HttpDataSource: "HTTP",
    NoneDataSource: "NONE",
}
"""The AppSync ``DataSourceType`` each spec declares."""


@dataclass(frozen=True, kw_only=True)
class PipelineFunction:
    """One APPSYNC_JS function that pipeline resolvers chain, keyed by its AppSync name."""

    data_source: str
    """Name of the data source the function's request is sent to."""
    code_path: Path
    """ES module exporting ``request(ctx)`` and ``response(ctx)``; deployed as is, without bundling."""


@dataclass(frozen=True, kw_only=True)
class Resolver:
    """The resolver of one schema field, keyed ``"Type.field"``: UNIT with a data source, or PIPELINE."""

    code_path: Path
    """ES module exporting ``request(ctx)`` and ``response(ctx)``; deployed as is, without bundling."""
    data_source: str | None = None
    """For a UNIT resolver: the data source it calls. Leave unset for a pipeline resolver."""
    pipeline: Sequence[str] = ()
    """For a PIPELINE resolver: the pipeline functions to run, in order."""


@dataclass(frozen=True)
class DeclaredResolvers:
    """What ``declare_resolvers`` created, under the keys it was given."""

    functions: dict[str, aws.appsync.Function]
    resolvers: dict[str, aws.appsync.Resolver]


def validate_name(owner: str, name: object) -> None:
    """AppSync rejects other names only at deploy time; the provider's unanchored regex misses hyphens."""
    if not isinstance(name, str) or not _APPSYNC_NAME.fullmatch(name):
        raise ValueError(
            f"{owner}: {name!r} is not a valid AppSync name; use letters, digits and underscores, "
            "not starting with a digit ([_A-Za-z][_0-9A-Za-z]*)"
        )


def validate_data_source(name: str, spec: DataSourceSpec, *, owner: str = "data_sources") -> None:
    """Raises ``ValueError`` naming the field for a data source ``declare_data_source`` could not deploy."""
    validate_name(f"{owner} key", name)
    where = f"{owner}[{name!r}]"
    if type(spec) not in DATA_SOURCE_TYPES:
        allowed = ", ".join(kind.__name__ for kind in DATA_SOURCE_TYPES)
        raise ValueError(f"{where}: {type(spec).__name__} is not a data source spec (allowed: {allowed})")
    for field_name in ("table_name", "table_arn", "function_arn"):
        value = getattr(spec, field_name, None)
        if isinstance(value, str) and not value.strip():
            raise ValueError(f"{where}.{field_name}: must not be empty")
    if isinstance(spec, HttpDataSource):
        parsed = urlparse(spec.endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(
                f"{where}.endpoint: {spec.endpoint!r} must be an http:// or https:// URL with a host"
            )
        if bool(spec.signing_region) != bool(spec.signing_service):
            raise ValueError(
                f"{where}: set both signing_region and signing_service (SigV4 signing) or neither"
            )
        if spec.signing_region and not spec.statements:
            raise ValueError(f"{where}.statements: a SigV4-signed data source needs statements for its role")
        if not spec.signing_region and spec.statements:
            raise ValueError(
                f"{where}.statements: only a signed data source uses a role; set the signing fields"
            )


def role_statements(spec: DataSourceSpec) -> list[PolicyStatement]:
    """Exactly what AppSync needs to call the data source; empty when it needs no role."""
    if isinstance(spec, DynamoDbDataSource):
        index_arn = pulumi.Output.concat(spec.table_arn, "/index/*")
        statements = [
            statement("ReadItems", DYNAMODB_READ_ACTIONS, [spec.table_arn]),
            statement("QueryIndexes", ["dynamodb:Query"], [index_arn]),
        ]
        if not spec.read_only:
            statements.append(statement("WriteItems", DYNAMODB_WRITE_ACTIONS, [spec.table_arn]))
        return statements
    if isinstance(spec, LambdaDataSource):
        return [statement("InvokeFunction", ["lambda:InvokeFunction"], [spec.function_arn])]
    if isinstance(spec, HttpDataSource):
        return list(spec.statements)
    return []


def _source_config(spec: DataSourceSpec) -> dict[str, Any]:
    if isinstance(spec, DynamoDbDataSource):
        return {"dynamodb_config": {"table_name": spec.table_name}}
    if isinstance(spec, LambdaDataSource):
        return {"lambda_config": {"function_arn": spec.function_arn}}
    if isinstance(spec, HttpDataSource):
        signing = {"signing_region": spec.signing_region, "signing_service_name": spec.signing_service}
        authorization = {"authorization_type": "AWS_IAM", "aws_iam_config": signing}
        config = {"endpoint": spec.endpoint, "authorization_config": authorization}
        return {"http_config": config if spec.signing_region else {"endpoint": spec.endpoint}}
    return {}


def declare_data_source(
    prefix: str, name: str, api_id: pulumi.Input[str], spec: DataSourceSpec, parent: pulumi.Resource
) -> aws.appsync.DataSource:
    """Declares data source ``name`` on an API, with its own role trusting AppSync when it needs one.

    The data source waits for the role's policy (``depends_on``): otherwise the first resolver call
    can race IAM and fail with AccessDenied right after a deploy.
    """
    validate_data_source(name, spec, owner=prefix)
    resource_name = f"{prefix}-datasource-{name}"
    statements = role_statements(spec)
    service_role_arn: pulumi.Output[str] | None = None
    waits_for: list[pulumi.Resource] = []
    if statements:
        role = aws.iam.Role(
            f"{resource_name}-role",
            assume_role_policy=service_trust_policy("appsync.amazonaws.com"),
            opts=pulumi.ResourceOptions(parent=parent),
        )
        waits_for.append(attach_statements(f"{resource_name}-policy", role, statements, parent))
        service_role_arn = role.arn
    return aws.appsync.DataSource(
        resource_name,
        api_id=api_id,
        name=name,
        type=DATA_SOURCE_TYPES[type(spec)],
        service_role_arn=service_role_arn,
        **_source_config(spec),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=waits_for),
    )


def build_appsync_schema(schema_sdl: str, *, owner: str = "schema") -> GraphQLSchema:
    """Parses an AppSync schema with graphql-core, which needs AppSync's implicit definitions declared."""
    if not schema_sdl.strip():
        raise ValueError(f"{owner}: the GraphQL schema is empty")
    try:
        document = parse(schema_sdl)
        prelude = parse(APPSYNC_PRELUDE_SDL)
        implicit = {node.name.value for node in prelude.definitions}
        redeclared = sorted(
            implicit & {getattr(node, "name", None) and node.name.value for node in document.definitions}
        )
        if redeclared:
            raise ValueError(
                f"{owner}: declares {', '.join(redeclared)}, which AppSync defines itself; remove them"
            )
        return build_ast_schema(DocumentNode(definitions=(*prelude.definitions, *document.definitions)))
    except (GraphQLError, TypeError) as error:
        raise ValueError(f"{owner}: not valid GraphQL SDL: {error}") from error


def _read_code(where: str, path: Path) -> str:
    if not Path(path).is_file():
        raise ValueError(f"{where}.code_path: no file at {path}")
    code = Path(path).read_text(encoding="utf-8")
    if not code.strip() or len(code) > MAX_CODE_LENGTH:
        raise ValueError(f"{where}.code_path: {path} must hold 1 to {MAX_CODE_LENGTH} characters of code")
    return code


def _field_of(where: str, key: str, schema: GraphQLSchema) -> tuple[str, str]:
    type_name, dot, field_name = key.partition(".")
    if not dot:
        raise ValueError(f"{where}: key {key!r} must look like 'Type.field'")
    validate_name(f"{where} type", type_name)
    validate_name(f"{where} field", field_name)
    graphql_type = schema.get_type(type_name)
    if not isinstance(graphql_type, GraphQLObjectType):
        raise ValueError(f"{where}: the schema has no object type {type_name!r}")
    if field_name not in graphql_type.fields:
        known = ", ".join(sorted(graphql_type.fields))
        raise ValueError(f"{where}: type {type_name} has no field {field_name!r} (it has: {known})")
    return type_name, field_name


def _require_known(where: str, kind: str, name: str, known: Collection[str]) -> None:
    if name not in known:
        raise ValueError(f"{where}: unknown {kind} {name!r} (known: {', '.join(sorted(known)) or 'none'})")


def validate_resolvers(
    schema_sdl: str,
    resolvers: Mapping[str, Resolver],
    functions: Mapping[str, PipelineFunction],
    data_source_names: Collection[str],
    *,
    owner: str = "resolvers",
) -> tuple[dict[str, str], dict[str, tuple[str, str, str]]]:
    """Raises ``ValueError`` naming the key for anything ``declare_resolvers`` could not deploy.

    Returns what would be deployed: code per function name, and (type, field, code) per resolver key.
    """
    schema = build_appsync_schema(schema_sdl, owner=f"{owner}.schema")
    function_code: dict[str, str] = {}
    for name, function in functions.items():
        where = f"{owner}.functions[{name!r}]"
        validate_name(f"{owner}.functions key", name)
        _require_known(f"{where}.data_source", "data source", function.data_source, data_source_names)
        function_code[name] = _read_code(where, function.code_path)
    resolver_plan: dict[str, tuple[str, str, str]] = {}
    for key, resolver in resolvers.items():
        where = f"{owner}.resolvers[{key!r}]"
        type_name, field_name = _field_of(where, key, schema)
        if (resolver.data_source is None) == (not resolver.pipeline):
            raise ValueError(f"{where}: set exactly one of data_source (UNIT) or pipeline (PIPELINE)")
        if resolver.data_source is not None:
            _require_known(f"{where}.data_source", "data source", resolver.data_source, data_source_names)
        for step in resolver.pipeline:
            _require_known(f"{where}.pipeline", "function", step, functions)
        resolver_plan[key] = (type_name, field_name, _read_code(where, resolver.code_path))
    return function_code, resolver_plan


def declare_resolvers(
    prefix: str,
    api_id: pulumi.Input[str],
    schema_sdl: str,
    resolvers: Mapping[str, Resolver],
    functions: Mapping[str, PipelineFunction],
    data_sources: Mapping[str, aws.appsync.DataSource],
    parent: pulumi.Resource,
) -> DeclaredResolvers:
    """Declares pipeline functions and resolvers on an existing API, after validating all of them.

    Data sources are referenced by ``DataSource.name`` and pipeline steps by ``Function.function_id``
    (not ``Function.id``, which is the import id), both Outputs, so the engine orders each resolver
    after what it uses.
    """
    function_code, resolver_plan = validate_resolvers(
        schema_sdl, resolvers, functions, list(data_sources), owner=prefix
    )
    declared_functions = {
        name: aws.appsync.Function(
            f"{prefix}-function-{name}",
            api_id=api_id,
            name=name,
            data_source=data_sources[functions[name].data_source].name,
            runtime=APPSYNC_RUNTIME,
            code=code,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        for name, code in function_code.items()
    }
    declared_resolvers: dict[str, aws.appsync.Resolver] = {}
    for key, (type_name, field_name, code) in resolver_plan.items():
        resolver = resolvers[key]
        binding: dict[str, Any] = {"kind": "UNIT"}
        if resolver.data_source is not None:
            binding["data_source"] = data_sources[resolver.data_source].name
        else:
            steps = [declared_functions[step].function_id for step in resolver.pipeline]
            binding = {"kind": "PIPELINE", "pipeline_config": {"functions": steps}}
        declared_resolvers[key] = aws.appsync.Resolver(
            f"{prefix}-resolver-{key}",
            api_id=api_id,
            type=type_name,
            field=field_name,
            runtime=APPSYNC_RUNTIME,
            code=code,
            **binding,
            opts=pulumi.ResourceOptions(parent=parent),
        )
    return DeclaredResolvers(functions=declared_functions, resolvers=declared_resolvers)
