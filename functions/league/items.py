"""How a league is stored (contracts.md, League table) and how a list position travels to clients.

The DynamoDB shape is written out by hand instead of through boto3's TypeSerializer: it is the
data contract other code (the AppSync resolvers) reads, so it should be visible in one place.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from .models import LeagueInput, field_path, is_identifier

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


def encode_page_token(last_evaluated_key: Item) -> str:
    """Opaque to clients: base64 of the position JSON, so it survives any transport unchanged."""
    position = {"id": last_evaluated_key["id"]["S"], "season": int(last_evaluated_key["season"]["N"])}
    return base64.urlsafe_b64encode(json.dumps(position, sort_keys=True).encode()).decode("ascii")


def decode_page_token(token: str, season: int) -> Item:
    """The ExclusiveStartKey a token stands for; anything not issued for this season is refused."""
    refusal = ValueError(
        f"{field_path(('nextToken',))}: not a token returned by listLeagues for season {season}; "
        "omit it to start from the first page"
    )
    try:
        position = json.loads(base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True))
    except (UnicodeError, binascii.Error, ValueError):
        raise refusal from None
    if (
        not isinstance(position, dict)
        or set(position) != {"id", "season"}
        or not isinstance(position["id"], str)
        or not is_identifier(position["id"])
        or type(position["season"]) is not int
        or position["season"] != season
    ):
        raise refusal
    return {"id": {"S": position["id"]}, "season": {"N": str(season)}}
