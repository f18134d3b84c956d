"""AppSync data sources, each with its own least-privilege service role, declarable on any API.

Split from the resolvers so each module holds one idea; ``GraphqlApi`` and the AI routes both use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pulumi
import pulumi_aws as aws

from components.iam import PolicyStatement, attach_statements, service_trust_policy, statement
from components.table import DYNAMODB_ITEM_ACTIONS, INDEX_NAME

APPSYNC_SERVICE = "appsync.amazonaws.com"
_APPSYNC_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_API_ARN = re.compile(r"arn:[a-z-]+:appsync:[a-z0-9-]+:(?P<account>\d{12}):apis/[A-Za-z0-9]+")


@dataclass(frozen=True, kw_only=True)
class DynamoDbDataSource:
    """A DynamoDB table, reached with a role allowed exactly the item actions and indexes listed.

    There is no broad default: the caller declares what its resolvers send, and the role gets exactly that.
    """

    table_name: pulumi.Input[str]
    """Name of the table, as AppSync addresses it."""
    table_arn: pulumi.Input[str]
    """ARN of the same table; ``actions`` are granted on it, index queries on ``<arn>/index/<name>``."""
    actions: Sequence[str]
    """Item actions the resolvers send to the table itself, e.g. ``("dynamodb:GetItem",)``; any of
    ``DYNAMODB_ITEM_ACTIONS`` (Scan is not offered). Empty when the resolvers only query indexes."""
    indexes: Sequence[str] = ()
    """Global secondary indexes the resolvers query, by name; each gets ``dynamodb:Query`` on its own
    ARN and no other index is reachable. Empty when no resolver queries an index."""

    def granted(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(table actions, index names) the role is allowed."""
        return tuple(self.actions), tuple(self.indexes)


@dataclass(frozen=True, kw_only=True)
class LambdaDataSource:
    """A Lambda function that AppSync invokes; its role may invoke that one function only."""

    function_arn: pulumi.Input[str]
    """ARN of the function (unqualified, or qualified with a version or alias)."""
    depends_on: Sequence[pulumi.Resource] = ()
    """What the function needs before its first call, e.g. the policies granting it table access: the
    data source, and so every resolver on it, is created only after them, so no request races IAM."""


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
    if isinstance(spec, DynamoDbDataSource):
        _validate_table_grants(where, spec)
    if isinstance(spec, LambdaDataSource):
        resources = spec.depends_on
        if isinstance(resources, pulumi.Resource) or not all(
            isinstance(resource, pulumi.Resource) for resource in resources
        ):
            raise ValueError(f"{where}.depends_on: give a list of Pulumi resources, not {resources!r}")
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


def _names(where: str, values: object, kind: str) -> list[str]:
    """A bare string is a Sequence[str] too, and would be read one character at a time."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise ValueError(f"{where}: give a list of {kind}, not {values!r}")
    names = list(values)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"{where}: lists {', '.join(map(str, repeated))} more than once")
    return names


def _validate_table_grants(where: str, spec: DynamoDbDataSource) -> None:
    actions = _names(f"{where}.actions", spec.actions, "DynamoDB actions")
    unknown = [action for action in actions if action not in DYNAMODB_ITEM_ACTIONS]
    if unknown:
        raise ValueError(
            f"{where}.actions: {', '.join(map(repr, unknown))} not allowed; use item actions from "
            f"{', '.join(DYNAMODB_ITEM_ACTIONS)} (Scan is deliberately not offered)"
        )
    if spec.indexes:
        for index in _names(f"{where}.indexes", spec.indexes, "index names"):
            if not isinstance(index, str) or not INDEX_NAME.fullmatch(index):
                raise ValueError(
                    f"{where}.indexes: {index!r} is not an index name (3-255 characters of a-zA-Z0-9_.-)"
                )
    actions, indexes = spec.granted()
    if not actions and not indexes:
        raise ValueError(f"{where}: actions and indexes are both empty, so the role could do nothing")


def role_statements(spec: DataSourceSpec) -> list[PolicyStatement]:
    """Exactly what AppSync needs to call the data source; empty when it needs no role."""
    if isinstance(spec, DynamoDbDataSource):
        actions, indexes = spec.granted()
        statements: list[PolicyStatement] = []
        if actions:
            statements.append(statement("TableItems", actions, [spec.table_arn]))
        if indexes:
            # Queries on a global secondary index are authorised against the index's ARN.
            index_arns = [pulumi.Output.concat(spec.table_arn, "/index/", index) for index in indexes]
            statements.append(statement("QueryIndexes", ["dynamodb:Query"], index_arns))
        return statements
    if isinstance(spec, LambdaDataSource):
        return [statement("InvokeFunction", ["lambda:InvokeFunction"], [spec.function_arn])]
    if isinstance(spec, HttpDataSource):
        return list(spec.statements)
    return []


def appsync_trust_policy(api_arn: pulumi.Input[str] | None) -> pulumi.Input[str]:
    """Lets AppSync assume a role on behalf of one API only (confused-deputy protection).

    AppSync passes the calling API's ARN and account as ``aws:SourceArn`` / ``aws:SourceAccount`` when
    it assumes a data source role; without these conditions any API, in any account, that was handed
    the role's ARN could act with its permissions. Without an ARN the trust is the plain service one.
    """
    if api_arn is None:
        return service_trust_policy(APPSYNC_SERVICE)

    def document(arn: str) -> str:
        matched = _API_ARN.fullmatch(arn)
        if matched is None:
            raise ValueError(
                f"api_arn: {arn!r} is not an AppSync API ARN (arn:<partition>:appsync:...:apis/<id>)"
            )
        trust = {
            "Effect": "Allow",
            "Principal": {"Service": APPSYNC_SERVICE},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": matched["account"]},
                "ArnEquals": {"aws:SourceArn": arn},
            },
        }
        return json.dumps({"Version": "2012-10-17", "Statement": [trust]}, sort_keys=True)

    if isinstance(api_arn, str):
        return document(api_arn)
    return pulumi.Output.from_input(api_arn).apply(document)


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
    prefix: str,
    name: str,
    api_id: pulumi.Input[str],
    spec: DataSourceSpec,
    parent: pulumi.Resource,
    *,
    api_arn: pulumi.Input[str] | None = None,
) -> aws.appsync.DataSource:
    """Declares data source ``name`` on an API, with its own role trusting AppSync when it needs one.

    Give ``api_arn`` (the API's ARN, ``arn:<partition>:appsync:<region>:<account>:apis/<apiId>``) so
    the role trusts AppSync only when that API calls; see ``appsync_trust_policy``. The data source
    waits for the role's policy and for ``LambdaDataSource.depends_on``: otherwise the first resolver
    call can race IAM and fail with AccessDenied right after a deploy.
    """
    validate_data_source(name, spec, owner=prefix)
    if isinstance(api_arn, str):
        appsync_trust_policy(api_arn)  # a malformed ARN fails here, before anything is declared
    resource_name = f"{prefix}-datasource-{name}"
    statements = role_statements(spec)
    service_role_arn: pulumi.Output[str] | None = None
    waits_for: list[pulumi.Resource] = list(spec.depends_on) if isinstance(spec, LambdaDataSource) else []
    if statements:
        role = aws.iam.Role(
            f"{resource_name}-role",
            assume_role_policy=appsync_trust_policy(api_arn),
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
