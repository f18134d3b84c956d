"""A DynamoDB table with production-safe switches and least-privilege grant helpers.

Scan is deliberately left out of the read grants: every access path in this backend goes through a
key or an index (``Query``), and Scan is the one read that touches the whole table — the costly,
slow path that a buggy resolver or handler should fail on loudly rather than pay for silently.
A caller that truly needs it can attach its own statement through the role.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.iam import attach_statements, statement

ATTRIBUTE_TYPES = ("S", "N", "B")
PROJECTION_TYPES = ("ALL", "KEYS_ONLY", "INCLUDE")
BILLING_MODE = "PAY_PER_REQUEST"
"""On-demand: no capacity planning, and an idle dev stack costs nothing but storage."""
MAX_GLOBAL_INDEXES = 20
MAX_NON_KEY_ATTRIBUTES = 100
"""DynamoDB's limit on projected non-key attributes, summed over all of a table's indexes."""

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
"""What ``read_statements`` grants: item reads, plus DescribeTable, which SDK table mappers call first."""
WRITE_ACTIONS = DYNAMODB_ITEM_WRITE_ACTIONS
KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
"""With a customer managed key, callers also need the key (same split as AWS CDK's table grants)."""
KEY_WRITE_ACTIONS = ("kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")

INDEX_NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}")
"""DynamoDB's rule for index names; data sources that query an index by name check against it too."""
_SID = re.compile(r"[A-Za-z0-9]+")
_GRANTEE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True, kw_only=True)
class GlobalSecondaryIndex:
    name: str
    """Index name used by queries (3–255 of ``a-zA-Z0-9_.-``), e.g. ``bySeason``."""
    hash_key: str
    """Partition key attribute of the index; its type must be declared in TableArgs.attribute_types."""
    range_key: str | None = None
    """Optional sort key attribute of the index; its type must be declared too."""
    projection: str = "ALL"
    """Which attributes the index copies: ALL, KEYS_ONLY, or INCLUDE (keys plus non_key_attributes)."""
    non_key_attributes: Sequence[str] = ()
    """Extra attributes copied into the index; only, and then required, with projection INCLUDE."""


@dataclass(frozen=True, kw_only=True)
class TableArgs:
    hash_key: str
    """Partition key attribute of the table."""
    attribute_types: Mapping[str, str]
    """Type (S, N or B) of every key attribute of the table and its indexes — and of nothing else,
    since DynamoDB rejects attribute definitions that no key uses."""
    protect_data: bool
    """Production switch: point-in-time recovery, deletion protection, and Pulumi protect + retain."""
    range_key: str | None = None
    """Optional sort key attribute of the table."""
    global_secondary_indexes: Sequence[GlobalSecondaryIndex] = ()
    """Alternate access paths, each queried by its own keys."""
    ttl_attribute: str | None = None
    """Number attribute holding an epoch-seconds expiry; DynamoDB deletes expired items. None: no TTL."""
    kms_key_arn: pulumi.Input[str] | None = None
    """Customer managed KMS key for encryption at rest; None uses the AWS managed key for DynamoDB."""
    stream_view_type: str | None = None
    """Turns on a DynamoDB stream with this view (KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES);
    None: no stream. Prefer KEYS_ONLY when consumers need only which item changed: less data leaves the table."""


def _key_attributes(args: TableArgs) -> list[str]:
    keys = [args.hash_key, args.range_key]
    for index in args.global_secondary_indexes:
        keys += [index.hash_key, index.range_key]
    return sorted({key for key in keys if key is not None})


def _validate(args: TableArgs) -> None:
    """Checks every field before anything is declared, with the field's name in the message."""
    if not isinstance(args.hash_key, str) or not args.hash_key:
        raise ValueError("hash_key: must be a non-empty attribute name")
    if args.range_key is not None and args.range_key in ("", args.hash_key):
        raise ValueError("range_key: must be a non-empty attribute name different from hash_key")
    for attribute, attribute_type in args.attribute_types.items():
        if attribute_type not in ATTRIBUTE_TYPES:
            raise ValueError(
                f"attribute_types[{attribute!r}]: {attribute_type!r} is not allowed; use one of S, N, B"
            )
    if len(args.global_secondary_indexes) > MAX_GLOBAL_INDEXES:
        raise ValueError(f"global_secondary_indexes: at most {MAX_GLOBAL_INDEXES} indexes per table")
    seen: set[str] = set()
    projected = 0
    for position, index in enumerate(args.global_secondary_indexes):
        where = f"global_secondary_indexes[{position}]"
        if not INDEX_NAME.fullmatch(index.name):
            raise ValueError(f"{where}.name: {index.name!r} must be 3–255 characters of a-zA-Z0-9_.-")
        if index.name in seen:
            raise ValueError(f"{where}.name: {index.name!r} is used by another index; names must be unique")
        seen.add(index.name)
        if index.range_key == index.hash_key:
            raise ValueError(f"{where}.range_key: must differ from the index hash_key")
        if index.projection not in PROJECTION_TYPES:
            raise ValueError(
                f"{where}.projection: {index.projection!r} is not allowed; use ALL, KEYS_ONLY, INCLUDE"
            )
        if (index.projection == "INCLUDE") != bool(index.non_key_attributes):
            raise ValueError(f"{where}.non_key_attributes: required with projection INCLUDE and only then")
        if len(set(index.non_key_attributes)) != len(index.non_key_attributes):
            raise ValueError(f"{where}.non_key_attributes: contains duplicates")
        projected += len(index.non_key_attributes)
    if projected > MAX_NON_KEY_ATTRIBUTES:
        raise ValueError(f"global_secondary_indexes: {projected} non-key attributes; at most 100 in total")
    keys = _key_attributes(args)
    for position, index in enumerate(args.global_secondary_indexes):
        clash = sorted(set(index.non_key_attributes) & set(keys))
        if clash:
            raise ValueError(
                f"global_secondary_indexes[{position}].non_key_attributes: {clash} are key attributes, "
                "which every index projects anyway"
            )
    untyped = [key for key in keys if key not in args.attribute_types]
    if untyped:
        raise ValueError(f"attribute_types: missing a type (S, N or B) for key attribute(s) {untyped}")
    unused = sorted(set(args.attribute_types) - set(keys))
    if unused:
        raise ValueError(
            f"attribute_types: {unused} are not keys of the table or an index; declare keys only"
        )
    if args.ttl_attribute is not None and (not args.ttl_attribute or args.ttl_attribute in keys):
        raise ValueError("ttl_attribute: must be a non-empty, non-key attribute name")
    if args.stream_view_type is not None and args.stream_view_type not in STREAM_VIEW_TYPES:
        raise ValueError(
            f"stream_view_type: {args.stream_view_type!r} is not one of {', '.join(STREAM_VIEW_TYPES)}"
        )


STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
"""DynamoDB's StreamViewType values (botocore dynamodb model)."""


class Table(pulumi.ComponentResource):
    """PAY_PER_REQUEST table; ``protect_data`` turns on everything that prevents losing items."""

    table: aws.dynamodb.Table
    name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: TableArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("genai:index:Table", name, None, opts)
        self._logical_name = name
        self._kms_key_arn = args.kms_key_arn

        encryption: dict[str, Any] = {"enabled": True}
        if args.kms_key_arn is not None:
            encryption["kms_key_arn"] = args.kms_key_arn
        self.table = aws.dynamodb.Table(
            f"{name}-table",
            billing_mode=BILLING_MODE,
            hash_key=args.hash_key,
            range_key=args.range_key,
            attributes=[{"name": key, "type": args.attribute_types[key]} for key in _key_attributes(args)],
            global_secondary_indexes=[_index_input(index) for index in args.global_secondary_indexes] or None,
            ttl={"attribute_name": args.ttl_attribute, "enabled": True} if args.ttl_attribute else None,
            stream_enabled=True if args.stream_view_type else None,
            stream_view_type=args.stream_view_type,
            server_side_encryption=encryption,
            point_in_time_recovery={"enabled": args.protect_data},
            deletion_protection_enabled=args.protect_data,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=True if args.protect_data else None,
                retain_on_delete=True if args.protect_data else None,
            ),
        )
        self.name = self.table.name
        self.arn = self.table.arn
        self.stream_arn: pulumi.Output[str] | None = self.table.stream_arn if args.stream_view_type else None
        self.register_outputs({"name": self.name, "arn": self.arn})

    def read_statements(self, sid: str) -> list[dict[str, Any]]:
        """Item and index reads (no Scan, see the module docstring) on this table only."""
        return self._statements(sid, READ_ACTIONS, KEY_READ_ACTIONS)

    def read_write_statements(self, sid: str) -> list[dict[str, Any]]:
        """Reads plus item writes; no table management (create/delete/update table) actions."""
        return self._statements(sid, READ_ACTIONS + WRITE_ACTIONS, KEY_READ_ACTIONS + KEY_WRITE_ACTIONS)

    def grant_read(self, role: aws.iam.Role, grantee: str) -> aws.iam.RolePolicy:
        """Attaches read_statements to ``role``; ``grantee`` names the policy (``<table>-<grantee>-read``)."""
        return attach_statements(
            self._grant_name(grantee, "read"), role, self.read_statements("ReadTable"), parent=self
        )

    def grant_read_write(self, role: aws.iam.Role, grantee: str) -> aws.iam.RolePolicy:
        """Attaches read_write_statements to ``role`` as ``<table>-<grantee>-read-write``."""
        return attach_statements(
            self._grant_name(grantee, "read-write"),
            role,
            self.read_write_statements("ReadWriteTable"),
            parent=self,
        )

    def _grant_name(self, grantee: str, access: str) -> str:
        if not _GRANTEE.fullmatch(grantee):
            raise ValueError(
                f"grantee: {grantee!r} must be lowercase words joined by '-' (it names a policy)"
            )
        return f"{self._logical_name}-{grantee}-{access}"

    def _statements(
        self, sid: str, actions: Sequence[str], key_actions: Sequence[str]
    ) -> list[dict[str, Any]]:
        if not _SID.fullmatch(sid):
            raise ValueError(f"sid: {sid!r} must be letters and digits only (an IAM Sid)")
        # Queries on a GSI are authorised against the index ARN, not the table ARN.
        result = [statement(sid, actions, [self.arn, pulumi.Output.concat(self.arn, "/index/*")])]
        if self._kms_key_arn is not None:
            result.append(statement(f"{sid}Key", key_actions, [self._kms_key_arn]))
        return result


def _index_input(index: GlobalSecondaryIndex) -> dict[str, Any]:
    key_schemas = [{"attribute_name": index.hash_key, "key_type": "HASH"}]
    if index.range_key is not None:
        key_schemas.append({"attribute_name": index.range_key, "key_type": "RANGE"})
    result: dict[str, Any] = {
        "name": index.name,
        "key_schemas": key_schemas,
        "projection_type": index.projection,
    }
    if index.non_key_attributes:
        result["non_key_attributes"] = list(index.non_key_attributes)
    return result
