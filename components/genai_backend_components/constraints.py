"""Constraints more than one component checks, each defined once with the message a user needs.

They are pydantic ``Annotated`` types with an ``AfterValidator`` whose ``ValueError`` says what is allowed,
so a value fails the same way whichever component (or the app's settings, through the components)
checks it.
"""

import math
import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlparse

from pydantic import AfterValidator, BeforeValidator, StrictInt, StrictStr

__all__ = [
    "RETENTION_DAYS",
    "AccountId",
    "AwsRegion",
    "GraphqlName",
    "HostName",
    "HttpsUrl",
    "RetentionDays",
    "Text",
    "arn_of",
    "number_in",
    "whole_number_in",
]

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)  # fmt: skip
"""CloudWatch Logs' allowed retention values (botocore ``logs`` model, shape ``Days``)."""

_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
HOST_NAME_PATTERN = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)
"""A lowercase DNS host name (no scheme, port or path)."""


def _check(test: Callable[[Any], bool], describe: Callable[[Any], str]) -> AfterValidator:
    def validate(value: Any) -> Any:
        if not test(value):
            raise ValueError(describe(value))
        return value

    return AfterValidator(validate)


def whole_number_in(low: int, high: int) -> Any:
    """A whole number from ``low`` to ``high`` (true and false are not numbers here)."""
    return Annotated[
        StrictInt,
        _check(
            lambda value: low <= value <= high,
            lambda value: f"{value} is not a whole number from {low} to {high}",
        ),
    ]


def _only_numbers(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number (got {value!r})")
    return value


def number_in(low: float, high: float) -> Any:
    """A finite number from ``low`` to ``high``; text such as "0.5" is refused, not parsed."""
    return Annotated[
        float,
        BeforeValidator(_only_numbers),
        _check(
            lambda value: math.isfinite(value) and low <= value <= high,
            lambda value: f"{value} is not a number from {low:g} to {high:g}",
        ),
    ]


Text = Annotated[
    StrictStr, _check(lambda value: bool(value.strip()), lambda _: "must not be empty or only spaces")
]
"""Non-blank text."""

RetentionDays = Annotated[
    StrictInt,
    _check(
        lambda value: value in RETENTION_DAYS,
        lambda value: (
            f"{value} is not a retention CloudWatch Logs accepts; use one of "
            f"{', '.join(map(str, RETENTION_DAYS))}"
        ),
    ),
]
"""Days a CloudWatch log group keeps its events."""

AwsRegion = Annotated[
    StrictStr,
    _check(
        lambda value: bool(_REGION.fullmatch(value)),
        lambda value: f"{value!r} is not an AWS region name such as us-east-1",
    ),
]

AccountId = Annotated[
    StrictStr,
    _check(
        lambda value: bool(_ACCOUNT_ID.fullmatch(value)),
        lambda value: f"{value!r} is not a 12-digit AWS account id",
    ),
]

GraphqlName = Annotated[
    StrictStr,
    _check(
        lambda value: bool(_GRAPHQL_NAME.fullmatch(value)),
        lambda value: f"{value!r} is not a GraphQL name (letters, digits and _, not starting with a digit)",
    ),
]
"""A GraphQL (and AppSync) name: types, fields, data sources and functions."""

HostName = Annotated[
    StrictStr,
    _check(
        lambda value: bool(HOST_NAME_PATTERN.fullmatch(value)),
        lambda value: (
            f"{value!r} must be a lowercase host name such as app.example.com "
            "(no scheme, port, path or capital letters)"
        ),
    ),
]


def _is_https_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme == "https" and bool(parsed.hostname) and not parsed.fragment


HttpsUrl = Annotated[
    StrictStr,
    _check(_is_https_url, lambda value: f"{value!r} must be an https:// URL with a host and no #fragment"),
]


def arn_of(service: str, resource_prefix: str, *, region: str | None = None) -> Any:
    """An ARN of ``service`` whose resource starts with ``resource_prefix`` (in ``region`` when given)."""

    def matches(value: str) -> bool:
        parts = value.split(":", 5)
        return (
            len(parts) == 6
            and parts[0] == "arn"
            and parts[1].startswith("aws")
            and parts[2] == service
            and bool(_ACCOUNT_ID.fullmatch(parts[4]))
            and parts[5].startswith(resource_prefix)
            and len(parts[5]) > len(resource_prefix)
            and (region is None or parts[3] == region)
        )

    where = region or "<region>"
    return Annotated[
        StrictStr,
        _check(
            matches,
            lambda value: (
                f"{value!r} is not an ARN like arn:aws:{service}:{where}:<account>:{resource_prefix}..."
            ),
        ),
    ]
