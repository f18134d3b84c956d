"""What a Table can be asked for: the public args every Pulumi language sees (checked in ``checks``)."""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import NotRequired, TypedDict

import pulumi


class AttributeType(StrEnum):
    """The type of a key attribute."""

    S = "S"
    """String."""
    N = "N"
    """Number."""
    B = "B"
    """Binary."""


class IndexProjection(StrEnum):
    """Which attributes a global secondary index copies from the table."""

    ALL = "ALL"
    """Every attribute."""
    KEYS_ONLY = "KEYS_ONLY"
    """The table's and the index's keys only."""
    INCLUDE = "INCLUDE"
    """The keys plus ``non_key_attributes``."""


class StreamViewType(StrEnum):
    """What each record of the table's stream carries."""

    KEYS_ONLY = "KEYS_ONLY"
    """Only the key of the changed item: the least data leaves the table."""
    NEW_IMAGE = "NEW_IMAGE"
    """The item after the change."""
    OLD_IMAGE = "OLD_IMAGE"
    """The item before the change."""
    NEW_AND_OLD_IMAGES = "NEW_AND_OLD_IMAGES"
    """The item before and after the change."""


class GlobalSecondaryIndex(TypedDict):
    """An alternate access path of a table, queried by its own keys."""

    name: str
    """Index name used by queries (3-255 of ``a-zA-Z0-9_.-``), e.g. ``bySeason``."""
    hash_key: str
    """Partition key attribute of the index; its type must be in the table's ``attribute_types``."""
    range_key: NotRequired[str]
    """Sort key attribute of the index; its type must be declared too."""
    projection: NotRequired[IndexProjection]
    """Which attributes the index copies; default ALL."""
    non_key_attributes: NotRequired[Sequence[str]]
    """Extra attributes copied into the index: required with projection INCLUDE, and only then."""


class TableArgs(TypedDict):
    """A PAY_PER_REQUEST DynamoDB table; ``protect_data`` turns on everything that keeps items from being lost."""

    hash_key: str
    """Partition key attribute of the table."""
    attribute_types: Mapping[str, AttributeType]
    """Type of every key attribute of the table and its indexes, and of nothing else (DynamoDB rejects
    attribute definitions that no key uses)."""
    protect_data: bool
    """Production switch: point-in-time recovery, deletion protection, and Pulumi protect and retain."""
    range_key: NotRequired[str]
    """Sort key attribute of the table."""
    global_secondary_indexes: NotRequired[Sequence[GlobalSecondaryIndex]]
    """At most 20 indexes."""
    ttl_attribute: NotRequired[str]
    """A number attribute holding an epoch-seconds expiry; DynamoDB deletes expired items. Unset: no TTL."""
    kms_key_arn: NotRequired[pulumi.Input[str]]
    """Customer managed KMS key for encryption at rest (checked when known); unset uses the AWS managed key."""
    stream_view_type: NotRequired[StreamViewType]
    """Turns on the table's stream with this view; unset: no stream."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for the table."""
