"""Which HostingArgs Amplify Hosting accepts, checked before the component declares anything."""

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictBool, StrictInt, StrictStr

from ..constraints import RetentionDays, Text
from ..validation import ArgsModel, Deferred, Problem
from .build import MAX_VARIABLE_NAME, MAX_VARIABLE_VALUE, OUTPUTS_VARIABLE_PREFIX, outputs_variables

SUPPORTED_NODE_VERSIONS = (20, 22, 24)
"""Node.js majors Amplify Hosting still runs SSR apps on; the SSR runtime matches the build's major."""
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REPOSITORY = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]+)?/[^\s?#]+")
_RESERVED_PREFIXES = ("AWS", OUTPUTS_VARIABLE_PREFIX)
"""Amplify reserves names starting with AWS; the outputs prefix belongs to this component."""


def _repository(value: str) -> str:
    if not _REPOSITORY.fullmatch(value) or len(value) > 1000:
        raise ValueError(
            f"{value!r} must be an https:// URL of a repository, e.g. https://github.com/acme/web, "
            "of at most 1000 characters (no ssh or http URLs)"
        )
    return value


def _branch(value: str) -> str:
    """Git's own rules (git check-ref-format), the ones a branch name can break by accident."""
    if not 1 <= len(value) <= 255:
        raise ValueError("must be a branch name of 1 to 255 characters")
    bad = (
        any(character.isspace() or character in "~^:?*[\\" for character in value)
        or value.startswith(("-", "/"))
        or value.endswith(("/", ".", ".lock"))
        or ".." in value
        or "//" in value
        or "@{" in value
    )
    if bad:
        raise ValueError(
            f"{value!r} is not a Git branch name (no spaces, ~^:?*[\\, '..', or leading '-' or '/')"
        )
    return value


def _node_version(value: int) -> int:
    if value not in SUPPORTED_NODE_VERSIONS:
        raise ValueError(f"{value} is not one of {', '.join(map(str, SUPPORTED_NODE_VERSIONS))}")
    return value


def _variable_name(name: str) -> str:
    if not _VARIABLE_NAME.fullmatch(name) or len(name) > MAX_VARIABLE_NAME:
        raise ValueError(
            f"{name!r} must match [A-Za-z_][A-Za-z0-9_]* (at most {MAX_VARIABLE_NAME} characters)"
        )
    if name.upper().startswith(_RESERVED_PREFIXES):
        raise ValueError(f"{name!r} starts with a reserved prefix ({', '.join(_RESERVED_PREFIXES)})")
    return name


def _variable_value(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VARIABLE_VALUE:
        raise ValueError(f"is {len(value)} characters; Amplify allows {MAX_VARIABLE_VALUE}")
    return value


class HostingModel(ArgsModel):
    repository: Annotated[StrictStr, AfterValidator(_repository)]
    branch: Annotated[StrictStr, AfterValidator(_branch)]
    access_token: Deferred[Text]
    production: StrictBool
    amplify_outputs: Deferred[dict[StrictStr, Any]]
    app_name: Annotated[Text, AfterValidator(lambda value: _at_most_255(value))] | None = None
    environment_variables: dict[
        Annotated[StrictStr, AfterValidator(_variable_name)],
        Deferred[Annotated[StrictStr, AfterValidator(_variable_value)]],
    ] = Field(default_factory=dict)
    node_version: Annotated[StrictInt, AfterValidator(_node_version)] = 20
    ssr_logging: StrictBool = True
    ssr_log_retention_days: RetentionDays = 30
    tags: Deferred[dict[StrictStr, Deferred[StrictStr]]] | None = None

    def cross_problems(self) -> list[Problem]:
        # A document that still holds Outputs cannot be encoded yet; it is checked once they resolve.
        if isinstance(self.amplify_outputs, Mapping):
            try:
                outputs_variables(self.amplify_outputs)
            except ValueError as error:
                return [Problem("amplify_outputs", str(error))]
            except TypeError:
                return []
        return []


def _at_most_255(value: str) -> str:
    if len(value) > 255:
        raise ValueError("must be at most 255 characters")
    return value
