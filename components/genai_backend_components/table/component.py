"""A DynamoDB table with production-safe switches and least-privilege grant helpers."""

import re
from typing import Any

import pulumi
import pulumi_aws as aws

from ..iam import attach_statements
from ..package import component_options, component_type
from ..validation import check_args
from .args import TableArgs
from .checks import TableModel
from .grants import table_statements

BILLING_MODE = "PAY_PER_REQUEST"
"""On-demand: no capacity planning, and an idle dev stack costs nothing but storage."""
_GRANTEE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class Table(pulumi.ComponentResource):
    """A PAY_PER_REQUEST DynamoDB table; with ``protect_data``, point-in-time recovery, deletion
    protection, and Pulumi ``protect`` and ``retain_on_delete``."""

    table: aws.dynamodb.Table
    """The DynamoDB table."""
    name: pulumi.Output[str]
    """Physical table name (auto-named by Pulumi)."""
    arn: pulumi.Output[str]
    """Table ARN."""
    stream_arn: pulumi.Output[str] | None
    """ARN of the table's stream; only with ``stream_view_type``."""

    def __init__(self, name: str, args: TableArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        spec = check_args(TableModel, "TableArgs", args)
        super().__init__(component_type("Table"), name, None, component_options("Table", opts))
        self._logical_name = name
        self._kms_key_arn = spec.kms_key_arn

        encryption: dict[str, Any] = {"enabled": True}
        if spec.kms_key_arn is not None:
            encryption["kms_key_arn"] = spec.kms_key_arn
        protect = True if spec.protect_data else None
        self.table = aws.dynamodb.Table(
            f"{name}-table",
            billing_mode=BILLING_MODE,
            hash_key=spec.hash_key,
            range_key=spec.range_key,
            attributes=[
                {"name": key, "type": spec.attribute_types[key].value} for key in spec.key_attributes
            ],
            global_secondary_indexes=[_index_input(index) for index in spec.global_secondary_indexes] or None,
            ttl={"attribute_name": spec.ttl_attribute, "enabled": True} if spec.ttl_attribute else None,
            stream_enabled=True if spec.stream_view_type else None,
            stream_view_type=spec.stream_view_type.value if spec.stream_view_type else None,
            server_side_encryption=encryption,
            point_in_time_recovery={"enabled": spec.protect_data},
            deletion_protection_enabled=spec.protect_data,
            tags=spec.tags,
            # None rather than False when unprotected, so options given to the component still apply.
            opts=pulumi.ResourceOptions(parent=self, protect=protect, retain_on_delete=protect),
        )
        self.name = self.table.name
        self.arn = self.table.arn
        self.stream_arn = self.table.stream_arn if spec.stream_view_type else None
        outputs: dict[str, Any] = {"table": self.table, "name": self.name, "arn": self.arn}
        if self.stream_arn is not None:
            outputs["stream_arn"] = self.stream_arn
        self.register_outputs(outputs)

    def read_statements(self, sid: str) -> list[dict[str, Any]]:
        """Item and index reads (no Scan) on this table only. Python only: other languages build
        statements from ``arn``."""
        return table_statements(sid, self.arn, self._kms_key_arn, write=False)

    def read_write_statements(self, sid: str) -> list[dict[str, Any]]:
        """Reads plus item writes; no table management actions. Python only."""
        return table_statements(sid, self.arn, self._kms_key_arn, write=True)

    def grant_read(self, role: aws.iam.Role, grantee: str) -> aws.iam.RolePolicy:
        """Attaches ``read_statements`` to ``role`` as ``<table>-<grantee>-read``. Python only."""
        return attach_statements(
            self._grant_name(grantee, "read"), role, self.read_statements("ReadTable"), self
        )

    def grant_read_write(self, role: aws.iam.Role, grantee: str) -> aws.iam.RolePolicy:
        """Attaches ``read_write_statements`` to ``role`` as ``<table>-<grantee>-read-write``. Python only."""
        return attach_statements(
            self._grant_name(grantee, "read-write"), role, self.read_write_statements("ReadWriteTable"), self
        )

    def _grant_name(self, grantee: str, access: str) -> str:
        if not _GRANTEE.fullmatch(grantee):
            raise ValueError(
                f"grantee: {grantee!r} must be lowercase words joined by '-' (it names a policy)"
            )
        return f"{self._logical_name}-{grantee}-{access}"


def _index_input(index: Any) -> dict[str, Any]:
    key_schemas = [{"attribute_name": index.hash_key, "key_type": "HASH"}]
    if index.range_key is not None:
        key_schemas.append({"attribute_name": index.range_key, "key_type": "RANGE"})
    result: dict[str, Any] = {
        "name": index.name,
        "key_schemas": key_schemas,
        "projection_type": index.projection.value,
    }
    if index.non_key_attributes:
        result["non_key_attributes"] = list(index.non_key_attributes)
    return result
