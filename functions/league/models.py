"""The League handler's input shapes, validated strictly so bad data never reaches the table.

Models are strict (no "2024" -> 2024 coercion) and forbid unknown fields, because the callers are
typed GraphQL resolvers: anything unexpected is a bug to report, not data to guess at. Error messages
name the argument path the client sent (``input.teams[1].logo``) and what is allowed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator

SEASON_RANGE = (1900, 2100)
MAX_TEAMS = 100
"""Generous for any real league, and keeps an item far below DynamoDB's 400 KB limit."""

_IDENTIFIER = re.compile(r"[^#\s]{1,128}")
"""The same id rule as the AppSync resolvers: 1–128 characters without whitespace or '#'."""
_COUNTRY_CODE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")


def is_identifier(value: str) -> bool:
    # '#' in particular is excluded: follow keys are "<leagueId>#<season>".
    return _IDENTIFIER.fullmatch(value) is not None


def _identifier(value: str) -> str:
    if not is_identifier(value):
        raise ValueError("must be 1–128 characters without whitespace or '#'")
    return value


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(char.isspace() for char in value):
        raise ValueError("must be an https URL")
    return value


def _country_code(value: str) -> str:
    if not _COUNTRY_CODE.fullmatch(value):
        raise ValueError("must be an ISO 3166 code such as 'GB' or 'GB-ENG'")
    return value


Identifier = Annotated[str, AfterValidator(_identifier)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
HttpsUrl = Annotated[str, Field(max_length=2048), AfterValidator(_https_url)]
CountryCode = Annotated[str, AfterValidator(_country_code)]
Season = Annotated[StrictInt, Field(ge=SEASON_RANGE[0], le=SEASON_RANGE[1])]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class LeagueCountry(_Strict):
    name: Name
    code: CountryCode | None = None
    flag: HttpsUrl | None = None


class Team(_Strict):
    id: Identifier
    name: Name
    logo: HttpsUrl | None = None


class LeagueInput(_Strict):
    id: Identifier
    season: Season
    leagueCountry: LeagueCountry  # noqa: N815 (GraphQL field name)
    teams: Annotated[list[Team], Field(max_length=MAX_TEAMS)] = Field(default_factory=list)

    @field_validator("teams")
    @classmethod
    def _unique_team_ids(cls, teams: list[Team]) -> list[Team]:
        counts = Counter(team.id for team in teams)
        duplicates = sorted(team_id for team_id, count in counts.items() if count > 1)
        if duplicates:
            raise ValueError(f"team ids must be unique; repeated: {', '.join(duplicates)}")
        return teams


class UpsertLeagueArguments(_Strict):
    input: LeagueInput
    expectedVersion: Annotated[StrictInt, Field(ge=1)] | None = None  # noqa: N815 (GraphQL argument)


def field_path(location: tuple[int | str, ...]) -> str:
    """``("input", "teams", 1, "logo")`` -> ``input.teams[1].logo``, as a GraphQL client writes it."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "arguments"


def describe(error: ValidationError) -> str:
    """One line per problem, each naming the field and what is allowed."""
    problems = []
    for detail in error.errors(include_url=False):
        kind: str = detail["type"]
        context: dict[str, Any] = detail.get("ctx") or {}
        if kind == "missing":
            message = "is required"
        elif detail.get("input", "") is None:
            message = "must not be null"
        elif kind == "extra_forbidden":
            message = "is not a known field"
        elif kind == "value_error":
            message = str(context.get("error", detail["msg"]))
        else:
            message = detail["msg"][:1].lower() + detail["msg"][1:]
        problems.append(f"{field_path(tuple(detail['loc']))}: {message}")
    return "; ".join(problems)
