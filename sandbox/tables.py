"""DynamoDB tables from the same ``TableArgs`` the stack deploys, created through moto's (or any) DynamoDB API.

The Table component turns checked args into an ``aws.dynamodb.Table``; this turns the same checked args into
the equivalent ``CreateTable`` (and ``UpdateTimeToLive``) call, so keys, indexes, projections, the stream and
the expiry attribute cannot differ between the sandbox and a deployed stack. What has no meaning locally
(encryption keys, point-in-time recovery, deletion protection, tags) is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genai_backend_components.table import TableArgs, TableModel
from genai_backend_components.table.component import BILLING_MODE
from genai_backend_components.validation import check_args


def create_table_request(table_name: str, args: TableArgs | Mapping[str, Any]) -> dict[str, Any]:
    """The ``CreateTable`` parameters for ``args`` (checked by the Table component's own rules first)."""
    spec = check_args(TableModel, "TableArgs", args)
    key_schema = [{"AttributeName": spec.hash_key, "KeyType": "HASH"}]
    if spec.range_key is not None:
        key_schema.append({"AttributeName": spec.range_key, "KeyType": "RANGE"})
    request: dict[str, Any] = {
        "TableName": table_name,
        "BillingMode": BILLING_MODE,
        "KeySchema": key_schema,
        "AttributeDefinitions": [
            {"AttributeName": key, "AttributeType": spec.attribute_types[key].value}
            for key in spec.key_attributes
        ],
    }
    indexes = []
    for index in spec.global_secondary_indexes:
        index_keys = [{"AttributeName": index.hash_key, "KeyType": "HASH"}]
        if index.range_key is not None:
            index_keys.append({"AttributeName": index.range_key, "KeyType": "RANGE"})
        projection: dict[str, Any] = {"ProjectionType": index.projection.value}
        if index.non_key_attributes:
            projection["NonKeyAttributes"] = list(index.non_key_attributes)
        indexes.append({"IndexName": index.name, "KeySchema": index_keys, "Projection": projection})
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    if spec.stream_view_type is not None:
        request["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": spec.stream_view_type.value,
        }
    return request


def create_table(client: Any, table_name: str, args: TableArgs | Mapping[str, Any]) -> dict[str, Any]:
    """Creates the table ``args`` describe under ``table_name``; returns the CreateTable request it sent."""
    request = create_table_request(table_name, args)
    client.create_table(**request)
    ttl_attribute = check_args(TableModel, "TableArgs", args).ttl_attribute
    if ttl_attribute is not None:
        client.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl_attribute}
        )
    return request
