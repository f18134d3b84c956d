"""How a league is stored in the League table, in DynamoDB's wire format.

One item per league, keyed by ``id`` (S), with ``season`` (N, the key of the ``bySeason`` index),
``leagueCountry`` (M of optional S ``name``/``code``/``flag``), ``teams`` (L of M with S ``id``,
``name``, optional ``logo``), ``version`` (N, from 1, one more on each write) and ``updatedAt`` (S,
ISO 8601 UTC with milliseconds). The shape is written out by hand instead of through boto3's
TypeSerializer: the AppSync resolvers read these items directly (getLeague, listLeagues return them
as the GraphQL ``League``), so the shape they rely on should be visible in one place.
"""

from __future__ import annotations

from typing import Any

from .models import LeagueInput

Item = dict[str, Any]
"""A DynamoDB item in the low-level wire format ({"S": ...}, {"N": ...}, ...)."""


def _optional_strings(**values: str | None) -> Item:
    return {key: {"S": value} for key, value in values.items() if value is not None}


def to_item(league: LeagueInput, version: int, updated_at: str) -> Item:
    country = league.leagueCountry
    return {
        "id": {"S": league.id},
        "season": {"N": str(league.season)},
        "leagueCountry": {"M": _optional_strings(name=country.name, code=country.code, flag=country.flag)},
        "teams": {
            "L": [
                {"M": _optional_strings(id=team.id, name=team.name, logo=team.logo)} for team in league.teams
            ]
        },
        "version": {"N": str(version)},
        "updatedAt": {"S": updated_at},
    }


def _string_map(wire: Item, keys: tuple[str, ...]) -> dict[str, str | None]:
    return {key: wire[key]["S"] if key in wire else None for key in keys}


def to_league(item: Item) -> dict[str, Any]:
    """The GraphQL ``League`` object for a stored item."""
    country = item.get("leagueCountry", {}).get("M")
    return {
        "id": item["id"]["S"],
        "season": int(item["season"]["N"]),
        "leagueCountry": _string_map(country, ("name", "code", "flag")) if country is not None else None,
        "teams": [
            _string_map(team["M"], ("id", "name", "logo")) for team in item.get("teams", {}).get("L", [])
        ],
        "version": int(item["version"]["N"]),
        "updatedAt": item["updatedAt"]["S"],
    }


def stored_version(item: Item | None) -> int | None:
    return int(item["version"]["N"]) if item and "version" in item else None
