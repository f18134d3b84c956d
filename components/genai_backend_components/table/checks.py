"""Which TableArgs DynamoDB accepts, checked before the Table declares anything.

Each rule stands for a deploy that would otherwise fail minutes in (an untyped key, an attribute no
key uses, a projection without its attributes) or a table that silently differs from what was asked.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictStr

from ..constraints import arn_of
from ..validation import ArgsModel, Deferred, Problem, nested_problems
from .args import AttributeType, IndexProjection, StreamViewType

MAX_GLOBAL_INDEXES = 20
MAX_NON_KEY_ATTRIBUTES = 100
"""DynamoDB's limit on projected non-key attributes, summed over all of a table's indexes."""
INDEX_NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}")
"""DynamoDB's rule for index names; data sources that query an index by name check against it too."""


def _index_name(value: str) -> str:
    if not INDEX_NAME.fullmatch(value):
        raise ValueError(f"{value!r} must be 3 to 255 characters of a-zA-Z0-9_.-")
    return value


def _attribute_name(value: str) -> str:
    if not 1 <= len(value) <= 255:
        raise ValueError(f"{value!r} must be an attribute name of 1 to 255 characters")
    return value


AttributeName = Annotated[StrictStr, AfterValidator(_attribute_name)]
IndexName = Annotated[StrictStr, AfterValidator(_index_name)]


class GlobalSecondaryIndexModel(ArgsModel):
    name: IndexName
    hash_key: AttributeName
    range_key: AttributeName | None = None
    projection: IndexProjection = IndexProjection.ALL
    non_key_attributes: tuple[AttributeName, ...] = ()

    def cross_problems(self) -> list[Problem]:
        problems = []
        if self.range_key == self.hash_key:
            problems.append(Problem("range_key", "must differ from the index's hash_key"))
        if (self.projection is IndexProjection.INCLUDE) != bool(self.non_key_attributes):
            problems.append(Problem("non_key_attributes", "required with projection INCLUDE, and only then"))
        if len(set(self.non_key_attributes)) != len(self.non_key_attributes):
            problems.append(Problem("non_key_attributes", "lists an attribute twice"))
        return problems


class TableModel(ArgsModel):
    hash_key: AttributeName
    attribute_types: dict[AttributeName, AttributeType]
    protect_data: StrictBool
    range_key: AttributeName | None = None
    global_secondary_indexes: tuple[GlobalSecondaryIndexModel, ...] = Field(
        default=(), max_length=MAX_GLOBAL_INDEXES
    )
    ttl_attribute: AttributeName | None = None
    kms_key_arn: Deferred[arn_of("kms", "key/")] | None = None
    stream_view_type: StreamViewType | None = None
    tags: Deferred[dict[StrictStr, Deferred[StrictStr]]] | None = None

    @property
    def key_attributes(self) -> list[str]:
        """Every key attribute of the table and its indexes, once each, sorted (a stable declaration)."""
        keys = {self.hash_key, self.range_key}
        for index in self.global_secondary_indexes:
            keys |= {index.hash_key, index.range_key}
        return sorted(key for key in keys if key is not None)

    def cross_problems(self) -> list[Problem]:
        problems = nested_problems("global_secondary_indexes", self.global_secondary_indexes)
        if self.range_key == self.hash_key:
            problems.append(Problem("range_key", "must differ from hash_key"))
        names = [index.name for index in self.global_secondary_indexes]
        problems += [
            Problem(f"global_secondary_indexes[{position}].name", f"{name!r} is used by another index")
            for position, name in enumerate(names)
            if names.index(name) != position
        ]
        keys = self.key_attributes
        projected = sum(len(index.non_key_attributes) for index in self.global_secondary_indexes)
        if projected > MAX_NON_KEY_ATTRIBUTES:
            problems.append(
                Problem("global_secondary_indexes", f"{projected} non-key attributes; at most 100 in total")
            )
        for position, index in enumerate(self.global_secondary_indexes):
            clash = sorted(set(index.non_key_attributes) & set(keys))
            if clash:
                problems.append(
                    Problem(
                        f"global_secondary_indexes[{position}].non_key_attributes",
                        f"{clash} are key attributes, which every index projects anyway",
                    )
                )
        untyped = [key for key in keys if key not in self.attribute_types]
        if untyped:
            problems.append(
                Problem("attribute_types", f"missing a type (S, N or B) for key attribute(s) {untyped}")
            )
        unused = sorted(set(self.attribute_types) - set(keys))
        if unused:
            problems.append(
                Problem(
                    "attribute_types", f"{unused} are not keys of the table or an index; declare keys only"
                )
            )
        if self.ttl_attribute is not None and self.ttl_attribute in keys:
            problems.append(
                Problem("ttl_attribute", f"{self.ttl_attribute!r} is a key attribute; use another one")
            )
        return problems
