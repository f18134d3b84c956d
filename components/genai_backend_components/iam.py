"""IAM policy documents built as plain data, so they are readable in previews and testable under mocks.

Documents are rendered with ``Output.json_dumps`` rather than ``aws.iam.get_policy_document``:
that function is an invoke, which returns nothing useful under Pulumi's mock runtime and adds a
provider round trip to every preview.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

PolicyStatement = Mapping[str, Any]
"""One IAM statement: ``Sid``, ``Effect``, ``Action``, ``Resource`` and optional ``Condition``.

Values may be ``pulumi.Input`` (for example a table ARN); they are resolved when rendered.
"""


def statement(
    sid: str,
    actions: Sequence[str],
    resources: Sequence[pulumi.Input[str]],
    condition: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An Allow statement; actions are sorted so the same grant always renders the same JSON."""
    if not actions:
        raise ValueError(f"statement {sid!r}: at least one action is required")
    if not resources:
        raise ValueError(f"statement {sid!r}: at least one resource is required")
    result: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(set(actions)),
        "Resource": list(resources),
    }
    if condition:
        result["Condition"] = dict(condition)
    return result


def policy_document(statements: pulumi.Input[Sequence[PolicyStatement]]) -> pulumi.Output[str]:
    """Renders statements as a JSON policy document (an Output, since resources may be Outputs).

    ``statements`` may itself be an Output, e.g. when the statements depend on the account id.
    """
    if not isinstance(statements, pulumi.Output):
        statements = list(statements)
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def service_trust_policy(service: str) -> str:
    """Trust policy that lets one AWS service (e.g. ``lambda.amazonaws.com``) assume a role."""
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    return json.dumps(document, sort_keys=True)


def attach_statements(
    name: str,
    role: aws.iam.Role,
    statements: pulumi.Input[Sequence[PolicyStatement]],
    parent: pulumi.Resource,
) -> aws.iam.RolePolicy:
    """Adds an inline policy to ``role``; inline keeps the grant's lifetime tied to the role."""
    return aws.iam.RolePolicy(
        name,
        role=role.id,
        policy=policy_document(statements),
        opts=pulumi.ResourceOptions(parent=parent),
    )
