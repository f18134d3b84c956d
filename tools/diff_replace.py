"""Which input changes replace a resource instead of updating it in place: a table, not the provider.

``pulumi preview`` asks the AWS provider, whose schema marks some arguments "forces new resource" (Terraform's
``ForceNew``): a change to them deletes the cloud resource and creates another, and the data in it (a table's
items, a user pool's accounts) goes with the old one. ``tools.diff`` cannot run the provider, so it reads the
arguments below, taken for the resource types this stack declares from the Terraform AWS provider's resource
documentation and schema (https://registry.terraform.io/providers/hashicorp/aws/latest/docs, which
pulumi-aws wraps; argument names here in Pulumi's camelCase). It is an approximation and says so in its
output: an argument missing here is shown as an update, and ``pulumi preview`` stays the authority.

A resource's own ``replaceOnChanges`` option (recorded by ``synth``) forces a replacement too, exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from tools.diff_values import Change, Path

FORCES_REPLACEMENT: dict[str, frozenset[str]] = {
    "aws:amplify/branch:Branch": frozenset({"appId", "branchName"}),
    # The data source's identity is "<apiId>-<name>": the provider updates the data source the old ID names.
    "aws:appsync/dataSource:DataSource": frozenset({"apiId", "name"}),
    "aws:appsync/function:Function": frozenset({"apiId"}),
    "aws:appsync/graphQLApi:GraphQLApi": frozenset({"apiType", "visibility"}),
    "aws:appsync/resolver:Resolver": frozenset({"apiId", "field", "type"}),
    "aws:cloudwatch/logGroup:LogGroup": frozenset({"logGroupClass", "name", "namePrefix"}),
    "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": frozenset({"identityPoolId"}),
    "aws:cognito/identityProvider:IdentityProvider": frozenset(
        {"providerName", "providerType", "userPoolId"}
    ),
    "aws:cognito/managedLoginBranding:ManagedLoginBranding": frozenset({"clientId", "userPoolId"}),
    "aws:cognito/userGroup:UserGroup": frozenset({"name", "userPoolId"}),
    "aws:cognito/userPool:UserPool": frozenset(
        {"aliasAttributes", "name", "usernameAttributes", "usernameConfiguration"}
    ),
    "aws:cognito/userPoolClient:UserPoolClient": frozenset({"generateSecret", "userPoolId"}),
    "aws:cognito/userPoolDomain:UserPoolDomain": frozenset({"domain", "userPoolId"}),
    "aws:dynamodb/table:Table": frozenset(
        {
            "hashKey",
            "localSecondaryIndexes",
            "name",
            "rangeKey",
            "restoreDateTime",
            "restoreSourceName",
            "restoreToLatestTime",
        }
    ),
    "aws:iam/policy:Policy": frozenset({"description", "name", "namePrefix", "path"}),
    "aws:iam/role:Role": frozenset({"name", "namePrefix", "path"}),
    "aws:iam/rolePolicy:RolePolicy": frozenset({"name", "namePrefix", "role"}),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": frozenset({"policyArn", "role"}),
    "aws:lambda/eventSourceMapping:EventSourceMapping": frozenset(
        {"eventSourceArn", "startingPosition", "startingPositionTimestamp"}
    ),
    "aws:lambda/function:Function": frozenset({"name", "packageType"}),
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": frozenset(
        {"functionName", "qualifier"}
    ),
    # A layer version is immutable: every argument creates a new version (the function then updates `layers`).
    "aws:lambda/layerVersion:LayerVersion": frozenset(
        {
            "code",
            "compatibleArchitectures",
            "compatibleRuntimes",
            "description",
            "layerName",
            "licenseInfo",
            "s3Bucket",
            "s3Key",
            "s3ObjectVersion",
            "sourceCodeHash",
        }
    ),
    "aws:sqs/queue:Queue": frozenset({"fifoQueue", "name", "namePrefix"}),
}

WILDCARD = "*"
_PATH_TOKEN = re.compile(r'\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?\[?\*\]?')


def parse_property_path(text: str) -> list[str | int]:
    """A Pulumi property path (``ignoreChanges``, ``replaceOnChanges``): ``a.b[0]["c.d"]``, ``tags.*``,
    ``items[*].name``; ``*`` matches any one key or index."""
    segments: list[str | int] = []
    position = 0
    while position < len(text):
        match = _PATH_TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"not a property path: {text!r} (at character {position})")
        name, index, quoted = match.groups()
        if name is not None:
            segments.append(name)
        elif index is not None:
            segments.append(int(index))
        elif quoted is not None:
            segments.append(quoted.replace('\\"', '"').replace("\\\\", "\\"))
        else:
            segments.append(WILDCARD)
        position = match.end()
    return segments


def path_matches(pattern: Sequence[str | int], path: Path) -> bool:
    """Whether ``pattern`` names ``path`` or one of its ancestors (ignoring ``a`` ignores ``a.b``)."""
    if len(pattern) > len(path):
        return False
    return all(want in (WILDCARD, have) for want, have in zip(pattern, path, strict=False))


def matches_any(patterns: Iterable[str], path: Path) -> bool:
    return any(path_matches(parse_property_path(pattern), path) for pattern in patterns)


def replacement_reasons(
    resource_type: str, changes: Iterable[Change], replace_on_changes: Sequence[str]
) -> list[str]:
    """The changed properties that replace the resource, by the table or by its ``replaceOnChanges``."""
    table = FORCES_REPLACEMENT.get(resource_type, frozenset())
    reasons: list[str] = []
    for change in changes:
        top = change.path[0] if change.path else None
        forced = isinstance(top, str) and top in table
        if forced or matches_any(replace_on_changes, change.path):
            label = str(top) if forced else change.label
            if label not in reasons:
                reasons.append(label)
    return reasons
