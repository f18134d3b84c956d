"""AppSync data sources, each with its own least-privilege service role, declarable on any API.

Split from the resolvers so each module holds one idea; ``GraphqlApi`` and the AI routes both use it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pulumi
import pulumi_aws as aws

from components.iam import PolicyStatement, attach_statements, service_trust_policy, statement

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
