"""The pack's IAM guardrails: no wildcard grants, no sensitive action on every resource, no broad managed policy.

Each check takes ``(args, report_violation)`` as CrossGuard hands them over. They read identity policies the
stack declares (role inline policies, role/user/group policies, managed policies) and the managed policies it
attaches (attachment resources and a role's ``managedPolicyArns``). Resource-based policies (bucket, queue and
key policies) are out of scope: this stack declares none.

What a preview can judge. A policy document built from outputs of resources that do not exist yet (every role
policy here names a table, function or API ARN) is unknown during the ``pulumi preview`` of the update that
creates those resources. Reading it raises the SDK's ``UnknownValueError``: the CLI reports the check as not
run ("can't run policy ... during preview"), as an advisory, and nothing is judged. ``pulumi up`` runs every
resource policy again, with the values known, just before it creates or updates that resource, so a mandatory
violation stops the update there (resources before it in the update are already done). Documents whose
dependencies already exist are known, so on every later preview the documents are judged in full. Literal
values (a managed policy ARN written in the program, an action list) are always known.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs

IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_POLICY = "aws:iam/policy:Policy"
DOCUMENT_TYPES = (
    IAM_ROLE_POLICY,
    IAM_POLICY,
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
"""Resources whose ``policy`` input is an identity policy document."""
ATTACHMENTS = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    IAM_ROLE: "managedPolicyArns",
}
"""Resources that attach managed policies, and the input holding the ARN (or ARNs)."""

PRIVILEGE_SERVICES = frozenset({"iam", "sts", "kms"})
"""Services where a grant is a grant of more access (new roles, assumed roles, decrypted data): any wildcard in
an action name is refused, not just ``iam:*``."""

SENSITIVE_ON_ANY_RESOURCE: dict[str, str] = {
    "iam:PassRole": "hands any role of the account to a service, which then acts with that role's rights",
    "sts:AssumeRole": "becomes any role whose trust policy admits the account",
    "kms:Decrypt": "decrypts with any key whose key policy admits the account",
    "kms:GenerateDataKey": "makes data keys under any key",
    "kms:CreateGrant": "grants others the use of any key",
    "secretsmanager:GetSecretValue": "reads every secret",
    "ssm:GetParameter": "reads every parameter, SecureStrings included",
    "ssm:GetParameters": "reads every parameter, SecureStrings included",
    "ssm:GetParametersByPath": "reads every parameter, SecureStrings included",
    "s3:GetObject": "reads every object of every bucket the account can reach",
    "s3:PutObject": "writes into every bucket",
    "s3:DeleteObject": "deletes from every bucket",
    "dynamodb:GetItem": "reads every table's items (user data)",
    "dynamodb:BatchGetItem": "reads every table's items (user data)",
    "dynamodb:Query": "reads every table's items (user data)",
    "dynamodb:Scan": "reads every table's items (user data)",
    "dynamodb:PartiQLSelect": "reads every table's items (user data)",
    "dynamodb:PutItem": "writes every table's items",
    "dynamodb:UpdateItem": "writes every table's items",
    "dynamodb:DeleteItem": "deletes every table's items",
    "dynamodb:BatchWriteItem": "writes and deletes every table's items",
    "dynamodb:PartiQLInsert": "writes every table's items",
    "dynamodb:PartiQLUpdate": "writes every table's items",
    "dynamodb:PartiQLDelete": "deletes every table's items",
    "dynamodb:ExportTableToPointInTime": "copies any table out to S3",
    "lambda:InvokeFunction": "runs any function, with that function's role",
    "lambda:InvokeFunctionUrl": "runs any function, with that function's role",
    "bedrock:InvokeModel": "calls any model at any price",
    "bedrock:InvokeModelWithResponseStream": "calls any model at any price",
    "appsync:GraphQL": "calls any GraphQL API of the account as this role",
    "cognito-idp:AdminGetUser": "reads any user pool's accounts",
    "cognito-idp:ListUsers": "lists any user pool's accounts",
    "cognito-idp:AdminCreateUser": "creates accounts in any user pool",
    "cognito-idp:AdminSetUserPassword": "sets any account's password",
    "cognito-idp:AdminInitiateAuth": "signs in as any account",
    "cognito-idp:AdminUpdateUserAttributes": "rewrites any account",
    "cognito-idp:AdminAddUserToGroup": "puts any account in any group, e.g. admins",
    "sqs:ReceiveMessage": "reads every queue's messages",
    "sqs:SendMessage": "writes into every queue",
    "logs:GetLogEvents": "reads every log group, with the user content logs hold",
    "logs:FilterLogEvents": "reads every log group, with the user content logs hold",
}
"""Actions never granted on ``Resource: "*"``: each reaches data, money or other identities, and each supports
resource-level permissions (the Service Authorization Reference lists resource types for it), so naming the
resource is always possible. Actions without resource-level permissions, such as ``xray:PutTraceSegments``,
``xray:PutTelemetryRecords`` and ``dynamodb:ListStreams`` that this stack grants on ``*``, are not listed."""

BROAD_MANAGED_POLICIES = frozenset(
    {
        "AdministratorAccess",
        "PowerUserAccess",
        "IAMFullAccess",
        "ReadOnlyAccess",
        "SecretsManagerReadWrite",
        "AWSKeyManagementServicePowerUser",
    }
)
"""AWS managed policies that grant whole accounts or services (ReadOnlyAccess reads every bucket and table)."""
BROAD_MANAGED_PATTERN = re.compile(r"FullAccess|Administrator|PowerUser", re.IGNORECASE)
"""...and any AWS managed policy named like one (AmazonS3FullAccess, AdministratorAccess-Amplify, ...)."""
_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?([^/]+)$")


def is_list(value: Any) -> bool:
    """The engine hands lists over as read-only ``Sequence`` proxies, not ``list``."""
    return isinstance(value, Sequence) and not isinstance(value, str)


def as_list(value: Any) -> list[Any]:
    """IAM allows a single value wherever it allows a list."""
    if value is None:
        return []
    return list(value) if is_list(value) else [value]


def policy_documents(args: ResourceValidationArgs) -> Iterator[tuple[str, Any]]:
    """(where, document) for every identity policy the resource carries; a document is JSON text or data."""
    if args.resource_type in DOCUMENT_TYPES:
        yield "policy", args.props.get("policy")
    elif args.resource_type == IAM_ROLE:
        for index, inline in enumerate(args.props.get("inlinePolicies") or []):
            yield f"inlinePolicies[{index}].policy", (inline or {}).get("policy")


def allow_statements(
    args: ResourceValidationArgs, report_violation: ReportViolation, *, report_unreadable: bool
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(label, statement) of every Allow statement; unreadable documents are reported by one check only."""
    for where, raw in policy_documents(args):
        if raw is None:
            continue
        try:
            document = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError as error:
            if report_unreadable:
                report_violation(f"'{args.name}': {where} is not valid JSON ({error}).", None)
            continue
        if not isinstance(document, Mapping):
            if report_unreadable:
                report_violation(
                    f"'{args.name}': {where} is not a policy document (an object with 'Statement').", None
                )
            continue
        for index, item in enumerate(as_list(document.get("Statement"))):
            if isinstance(item, Mapping) and item.get("Effect") == "Allow":
                yield f"{where} statement {item.get('Sid') or index}", item


def over_broad(action: str) -> bool:
    """``*``, a wildcard service (``*:*``, ``*:GetObject``), a whole service (``s3:*``), or any wildcard in an
    iam, sts or kms action; case-insensitive like IAM. Narrow patterns elsewhere (``bedrock:InvokeModel*``) pass."""
    service, _, name = action.partition(":")
    if action.strip("*") == "" or any(mark in service for mark in "*?"):
        return True
    if name.strip("*?") == "":
        return True
    return service.lower() in PRIVILEGE_SERVICES and any(mark in name for mark in "*?")


def iam_no_wildcard_actions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """A whole-service grant lets one compromised role read every table, invoke every model or mint new
    credentials; each statement lists the actions it needs."""
    for label, statement in allow_statements(args, report_violation, report_unreadable=True):
        if "NotAction" in statement:
            report_violation(
                f"'{args.name}': {label} allows everything except {statement['NotAction']!r} (NotAction); "
                "list the allowed actions instead.",
                None,
            )
        for action in as_list(statement.get("Action")):
            if isinstance(action, str) and over_broad(action):
                report_violation(
                    f"'{args.name}': {label} allows {action!r}; list the actions the role needs, "
                    "e.g. 'dynamodb:GetItem' or 'bedrock:InvokeModel' (no wildcard at all for iam, sts and kms).",
                    None,
                )


def _sensitive(pattern: str) -> list[str]:
    """The sensitive actions an action pattern of a statement grants (``s3:Get*`` grants ``s3:GetObject``)."""
    lowered = pattern.lower()
    return [action for action in SENSITIVE_ON_ANY_RESOURCE if fnmatch.fnmatchcase(action.lower(), lowered)]


_ARN = re.compile(r"^arn:[^:]*:(?P<service>[^:]*):[^:]*:[^:]*:(?P<resource>.*)$")
_ALL_OF_A_TYPE = re.compile(r"^(?:\*|[A-Za-z0-9-]+[/:]\*)$")


def _every_resource(resource: object) -> bool:
    """``*``, or an ARN naming every resource of a kind (``arn:aws:iam::123456789012:role/*``,
    ``arn:aws:dynamodb:*:*:table/*``, ``arn:aws:s3:::*``): as broad as ``*`` for a sensitive action. A name
    before the wildcard narrows it (``table/app-follows/index/*``); an S3 ARN has no type part, so
    ``arn:aws:s3:::bucket/*`` is one bucket's objects."""
    if resource == "*":
        return True
    match = _ARN.match(resource) if isinstance(resource, str) else None
    if match is None:
        return False
    if match["service"] == "s3":
        return match["resource"] in ("*", "*/*")
    return _ALL_OF_A_TYPE.match(match["resource"]) is not None


def iam_no_sensitive_actions_on_any_resource(
    args: ResourceValidationArgs, report_violation: ReportViolation
) -> None:
    """A sensitive action on ``Resource: "*"`` (or on every resource of a kind, or on everything but a
    ``NotResource``) reaches every secret, key, table, function or role of the account, not the one the code uses."""
    for label, statement in allow_statements(args, report_violation, report_unreadable=False):
        everywhere = "NotResource" in statement or any(
            map(_every_resource, as_list(statement.get("Resource")))
        )
        if not everywhere:
            continue
        granted = sorted(
            {
                name
                for pattern in as_list(statement.get("Action"))
                if isinstance(pattern, str)
                for name in _sensitive(pattern)
            }
        )
        if granted:
            shown = ", ".join(f"{name} ({SENSITIVE_ON_ANY_RESOURCE[name]})" for name in granted[:3])
            more = f" and {len(granted) - 3} more" if len(granted) > 3 else ""
            report_violation(
                f"'{args.name}': {label} allows {shown}{more} on every resource; name the resources' ARNs.",
                None,
            )


def broad_managed_policy(arn: str) -> str | None:
    """The policy's name when ``arn`` is an AWS managed policy granting whole accounts or services."""
    match = _AWS_MANAGED.match(arn)
    if match is None:
        return None
    name = match.group(1)
    return name if name in BROAD_MANAGED_POLICIES or BROAD_MANAGED_PATTERN.search(name) else None


def iam_no_broad_managed_policies(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """Attaching AdministratorAccess and the like undoes every least-privilege policy of the stack at once."""
    key = ATTACHMENTS.get(args.resource_type)
    if key is None:
        return
    for arn in as_list(args.props.get(key)):
        name = broad_managed_policy(arn) if isinstance(arn, str) else None
        if name:
            report_violation(
                f"'{args.name}': {key} attaches the AWS managed policy {name} ({arn}); grant the actions the "
                "code needs in an inline policy instead.",
                None,
            )
