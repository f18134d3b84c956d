"""AppSync data sources, each with its own least-privilege service role, declarable on any API.

``GraphqlApi`` and the AI routes (which add data sources to an API they did not create) both use these.
"""

import json
import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlparse

import pulumi
import pulumi_aws as aws
from pydantic import AfterValidator, StrictBool, StrictStr

from ..constraints import Text
from ..iam import PolicyStatement, attach_statements, service_trust_policy, statement
from ..table import DYNAMODB_ITEM_ACTIONS, INDEX_NAME
from ..validation import ArgsModel, Deferred, Problem

APPSYNC_SERVICE = "appsync.amazonaws.com"
_API_ARN = re.compile(r"arn:[a-z-]+:appsync:[a-z0-9-]+:(?P<account>\d{12}):apis/[A-Za-z0-9]+")


def _item_action(value: str) -> str:
    if value not in DYNAMODB_ITEM_ACTIONS:
        raise ValueError(
            f"{value!r} is not allowed; use item actions from {', '.join(DYNAMODB_ITEM_ACTIONS)} "
            "(Scan is deliberately not offered)"
        )
    return value


def _index(value: str) -> str:
    if not INDEX_NAME.fullmatch(value):
        raise ValueError(f"{value!r} is not an index name (3-255 characters of a-zA-Z0-9_.-)")
    return value


def _http_endpoint(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError(f"{value!r} must be an http:// or https:// URL with a host")
    return value


def _repeated(field: str, values: tuple[str, ...]) -> list[Problem]:
    repeated = sorted({value for value in values if values.count(value) > 1})
    return [Problem(field, f"lists {', '.join(repeated)} more than once")] if repeated else []


class DynamoDbSourceModel(ArgsModel):
    table_name: Deferred[Text]
    table_arn: Deferred[Text]
    actions: tuple[Annotated[StrictStr, AfterValidator(_item_action)], ...] = ()
    indexes: tuple[Annotated[StrictStr, AfterValidator(_index)], ...] = ()

    def cross_problems(self) -> list[Problem]:
        problems = _repeated("actions", self.actions) + _repeated("indexes", self.indexes)
        if not self.actions and not self.indexes:
            problems.append(
                Problem("actions", "actions and indexes are both empty, so the role could do nothing")
            )
        return problems


class LambdaSourceModel(ArgsModel):
    function_arn: Deferred[Text]


class HttpSourceModel(ArgsModel):
    endpoint: Annotated[StrictStr, AfterValidator(_http_endpoint)]
    signing_region: Text | None = None
    signing_service: Text | None = None
    statements: tuple[dict[StrictStr, Any], ...] = ()

    def cross_problems(self) -> list[Problem]:
        if bool(self.signing_region) != bool(self.signing_service):
            return [
                Problem("signing_region", "set both signing_region and signing_service (SigV4) or neither")
            ]
        if self.signing_region and not self.statements:
            return [Problem("statements", "a SigV4-signed data source needs statements for its role")]
        if not self.signing_region and self.statements:
            return [Problem("statements", "only a signed data source uses a role; set the signing fields")]
        return []


class DataSourceModel(ArgsModel):
    dynamodb: DynamoDbSourceModel | None = None
    function: LambdaSourceModel | None = None
    http: HttpSourceModel | None = None
    none: StrictBool = False

    @property
    def kind(self) -> str:
        """The AppSync ``DataSourceType`` it declares."""
        if self.dynamodb:
            return "AMAZON_DYNAMODB"
        if self.function:
            return "AWS_LAMBDA"
        return "HTTP" if self.http else "NONE"

    def cross_problems(self) -> list[Problem]:
        chosen = [kind for kind in ("dynamodb", "function", "http") if getattr(self, kind) is not None]
        chosen += ["none"] if self.none else []
        if len(chosen) != 1:
            return [
                Problem(
                    "",
                    f"set exactly one of dynamodb, function, http or none (got {chosen or 'none of them'})",
                )
            ]
        target = getattr(self, chosen[0])
        return (
            [Problem(f"{chosen[0]}.{p.path}", p.message) for p in target.cross_problems()]
            if chosen[0] != "none"
            else []
        )


def role_statements(spec: DataSourceModel) -> list[PolicyStatement]:
    """Exactly what AppSync needs to call the data source; empty when it needs no role."""
    if spec.dynamodb is not None:
        table = spec.dynamodb
        statements: list[PolicyStatement] = []
        if table.actions:
            statements.append(statement("TableItems", table.actions, [table.table_arn]))
        if table.indexes:
            # Queries on a global secondary index are authorised against the index's ARN.
            index_arns = [pulumi.Output.concat(table.table_arn, "/index/", index) for index in table.indexes]
            statements.append(statement("QueryIndexes", ["dynamodb:Query"], index_arns))
        return statements
    if spec.function is not None:
        return [statement("InvokeFunction", ["lambda:InvokeFunction"], [spec.function.function_arn])]
    if spec.http is not None:
        return list(spec.http.statements)
    return []


def appsync_trust_policy(api_arn: pulumi.Input[str] | None) -> pulumi.Input[str]:
    """Lets AppSync assume a role on behalf of one API only (confused-deputy protection).

    AppSync passes the calling API's ARN and account as ``aws:SourceArn`` / ``aws:SourceAccount`` when it
    assumes a data source role; without these conditions any API, in any account, that was handed the
    role's ARN could act with its permissions. Without an ARN the trust is the plain service one.
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


def _source_config(spec: DataSourceModel) -> dict[str, Any]:
    if spec.dynamodb is not None:
        return {"dynamodb_config": {"table_name": spec.dynamodb.table_name}}
    if spec.function is not None:
        return {"lambda_config": {"function_arn": spec.function.function_arn}}
    if spec.http is not None:
        http = spec.http
        if not http.signing_region:
            return {"http_config": {"endpoint": http.endpoint}}
        signing = {"signing_region": http.signing_region, "signing_service_name": http.signing_service}
        authorization = {"authorization_type": "AWS_IAM", "aws_iam_config": signing}
        return {"http_config": {"endpoint": http.endpoint, "authorization_config": authorization}}
    return {}


def declare_data_source(
    prefix: str,
    name: str,
    api_id: pulumi.Input[str],
    spec: DataSourceModel,
    parent: pulumi.Resource,
    *,
    api_arn: pulumi.Input[str] | None = None,
    tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
) -> aws.appsync.DataSource:
    """Declares data source ``name`` on an API, with its own role trusting AppSync when it needs one.

    Give ``api_arn`` so the role trusts AppSync only when that API calls (see ``appsync_trust_policy``). The
    data source waits for the role's policy: otherwise the first resolver call can race IAM and fail with
    AccessDenied right after a deploy. ``tags`` go on the role (AppSync data sources take none).
    """
    if isinstance(api_arn, str):
        appsync_trust_policy(api_arn)  # a malformed ARN fails here, before anything is declared
    resource_name = f"{prefix}-datasource-{name}"
    statements = role_statements(spec)
    service_role_arn: pulumi.Output[str] | None = None
    waits_for: list[pulumi.Resource] = []
    if statements:
        role = aws.iam.Role(
            f"{resource_name}-role",
            assume_role_policy=appsync_trust_policy(api_arn),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=parent),
        )
        waits_for.append(attach_statements(f"{resource_name}-policy", role, statements, parent))
        service_role_arn = role.arn
    return aws.appsync.DataSource(
        resource_name,
        api_id=api_id,
        name=name,
        type=spec.kind,
        service_role_arn=service_role_arn,
        **_source_config(spec),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=waits_for),
    )
