"""``Table``: a DynamoDB table with production-safe switches and exact grant helpers."""

from .args import AttributeType, GlobalSecondaryIndex, IndexProjection, StreamViewType, TableArgs
from .checks import INDEX_NAME, GlobalSecondaryIndexModel, TableModel
from .component import Table
from .grants import (
    DYNAMODB_ITEM_ACTIONS,
    DYNAMODB_ITEM_READ_ACTIONS,
    DYNAMODB_ITEM_WRITE_ACTIONS,
    KEY_READ_ACTIONS,
    KEY_WRITE_ACTIONS,
    READ_ACTIONS,
    WRITE_ACTIONS,
    table_statements,
)

__all__ = [
    "DYNAMODB_ITEM_ACTIONS",
    "DYNAMODB_ITEM_READ_ACTIONS",
    "DYNAMODB_ITEM_WRITE_ACTIONS",
    "INDEX_NAME",
    "KEY_READ_ACTIONS",
    "KEY_WRITE_ACTIONS",
    "READ_ACTIONS",
    "WRITE_ACTIONS",
    "AttributeType",
    "GlobalSecondaryIndex",
    "GlobalSecondaryIndexModel",
    "IndexProjection",
    "StreamViewType",
    "Table",
    "TableArgs",
    "TableModel",
    "table_statements",
]
