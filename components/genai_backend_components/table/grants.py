"""The DynamoDB actions a grant may name, and the statements that grant them on one table.

Scan is deliberately left out of the read grants: every access path in this backend goes through a key or
an index (``Query``), and Scan is the one read that touches the whole table, the costly, slow path that a
buggy resolver or handler should fail on loudly rather than pay for silently. A caller that truly needs it
can attach its own statement to the role.
"""

import re
from collections.abc import Sequence
from typing import Any

import pulumi

from ..iam import statement

DYNAMODB_ITEM_READ_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:GetItem",
    "dynamodb:Query",
)
"""Item reads. ConditionCheckItem only evaluates a condition (inside TransactWriteItems) and changes
nothing, so it is a read, as IAM's access levels and CDK's grantReadData have it."""
DYNAMODB_ITEM_WRITE_ACTIONS = (
    "dynamodb:BatchWriteItem",
    "dynamodb:DeleteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
)
DYNAMODB_ITEM_ACTIONS = (*DYNAMODB_ITEM_READ_ACTIONS, *DYNAMODB_ITEM_WRITE_ACTIONS)
"""The one definition of the item actions a grant may name, here and for AppSync data sources (no Scan)."""
READ_ACTIONS = (*DYNAMODB_ITEM_READ_ACTIONS, "dynamodb:DescribeTable")
"""What a read grant allows: item reads, plus DescribeTable, which SDK table mappers call first."""
WRITE_ACTIONS = DYNAMODB_ITEM_WRITE_ACTIONS
KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
"""With a customer managed key, callers also need the key (same split as AWS CDK's table grants)."""
KEY_WRITE_ACTIONS = ("kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")

_SID = re.compile(r"[A-Za-z0-9]+")


def table_statements(
    sid: str,
    table_arn: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str] | None,
    *,
    write: bool,
) -> list[dict[str, Any]]:
    """Item reads (and writes) on one table and its indexes, plus its customer managed key if it has one."""
    if not _SID.fullmatch(sid):
        raise ValueError(f"sid: {sid!r} must be letters and digits only (an IAM Sid)")
    actions: Sequence[str] = READ_ACTIONS + WRITE_ACTIONS if write else READ_ACTIONS
    key_actions: Sequence[str] = KEY_READ_ACTIONS + KEY_WRITE_ACTIONS if write else KEY_READ_ACTIONS
    # Queries on a global secondary index are authorised against the index ARN, not the table ARN.
    result = [statement(sid, actions, [table_arn, pulumi.Output.concat(table_arn, "/index/*")])]
    if kms_key_arn is not None:
        result.append(statement(f"{sid}Key", key_actions, [kms_key_arn]))
    return result
