"""The League handler in-process against moto DynamoDB: optimistic locking, refusals, its IAM needs, logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app.league import LEAGUE_FUNCTION_ACTIONS
from functions.league import handler as league
from functions.league.items import to_league

TABLE = "leagues-test"
SECRET_KEY = "wJalrXUtnFEMI-test-secret-key"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjE-test-session-token"
CALLER_EMAIL = "alice@example.com"
ID_TOKEN = "eyJraWQiOiJkdW1teSJ9.eyJzdWIiOiJhYmMifQ.signature"
CALLER = {
    "sub": "8f1c2d3e-0000-4000-8000-000000000001",
    "username": CALLER_EMAIL,
    "claims": {"email": CALLER_EMAIL, "token": ID_TOKEN},
}


@pytest.fixture(scope="module")
def dynamodb() -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as environment, mock_aws():
        for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
            environment.delenv(variable, raising=False)
        environment.setenv("AWS_DEFAULT_REGION", "us-east-1")
        environment.setenv("AWS_ACCESS_KEY_ID", "AKIATESTTESTTESTTEST")
        environment.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        environment.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
        environment.setenv("LEAGUE_TABLE_NAME", TABLE)
        client = boto3.client("dynamodb")
        client.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "id", "AttributeType": "S"},
                {"AttributeName": "season", "AttributeType": "N"},
            ],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "bySeason",
                    "KeySchema": [
                        {"AttributeName": "season", "KeyType": "HASH"},
                        {"AttributeName": "id", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        league._client.cache_clear()  # the handler's client must be created inside the mock
        yield client
        league._client.cache_clear()


@pytest.fixture(autouse=True)
def empty_table(dynamodb: Any) -> Iterator[None]:
    yield
    for item in dynamodb.scan(TableName=TABLE)["Items"]:
        dynamodb.delete_item(TableName=TABLE, Key={"id": item["id"]})


def _league(league_id: str = "39", season: int = 2024, **overrides: Any) -> dict[str, Any]:
    league_input: dict[str, Any] = {
        "id": league_id,
        "season": season,
        "leagueCountry": {"name": "England", "code": "GB-ENG", "flag": "https://media.example/flags/gb.svg"},
        "teams": [
            {"id": "40", "name": "Liverpool", "logo": "https://media.example/teams/40.png"},
            {"id": "50", "name": "Manchester City", "logo": "https://media.example/teams/50.png"},
        ],
    }
    return {**league_input, **overrides}


def _call(field: str, **arguments: Any) -> Any:
    return league.handler({"field": field, "arguments": arguments, "identity": CALLER}, None)


def _stored(dynamodb: Any) -> list[dict[str, Any]]:
    return dynamodb.scan(TableName=TABLE)["Items"]


def _read(dynamodb: Any, league_id: str) -> dict[str, Any]:
    """What Query.getLeague would return: the stored item, read consistently, as a League."""
    item = dynamodb.get_item(TableName=TABLE, Key={"id": {"S": league_id}}, ConsistentRead=True)["Item"]
    return to_league(item)


def test_upsert_creates_version_one_in_the_contract_shape(dynamodb: Any) -> None:
    created = _call("upsertLeague", input=_league())
    assert created["version"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", created["updatedAt"])
    assert {key: created[key] for key in ("id", "season", "leagueCountry", "teams")} == _league()
    (item,) = _stored(dynamodb)
    assert item["season"] == {"N": "2024"} and item["version"] == {"N": "1"}
    assert item["leagueCountry"]["M"]["code"] == {"S": "GB-ENG"}
    assert item["teams"]["L"][1]["M"]["name"] == {"S": "Manchester City"}


def test_update_with_the_current_version_bumps_it(dynamodb: Any) -> None:
    _call("upsertLeague", input=_league())
    renamed = _league(leagueCountry={"name": "England & Wales"})
    updated = _call("upsertLeague", input=renamed, expectedVersion=1)
    assert updated["version"] == 2
    assert updated["leagueCountry"] == {"name": "England & Wales", "code": None, "flag": None}
    assert _read(dynamodb, "39") == updated


def test_concurrent_writers_with_the_same_version_lose_no_update(dynamodb: Any) -> None:
    _call("upsertLeague", input=_league())
    seen_by_first = _read(dynamodb, "39")["version"]
    seen_by_second = _read(dynamodb, "39")["version"]
    first = _call(
        "upsertLeague", input=_league(teams=[{"id": "1", "name": "First"}]), expectedVersion=seen_by_first
    )
    second = _call(
        "upsertLeague", input=_league(teams=[{"id": "2", "name": "Second"}]), expectedVersion=seen_by_second
    )
    assert first["version"] == 2
    assert second["errorType"] == "ConditionalCheckFailed"
    assert "expectedVersion" in second["errorMessage"] and "version 2" in second["errorMessage"]
    stored = _read(dynamodb, "39")
    assert stored["teams"] == [{"id": "1", "name": "First", "logo": None}]
    assert stored["version"] == 2


def test_creating_an_existing_league_asks_for_expected_version(dynamodb: Any) -> None:
    original = _call("upsertLeague", input=_league())
    refused = _call("upsertLeague", input=_league(teams=[]))
    assert refused["errorType"] == "ConditionalCheckFailed"
    assert refused["errorMessage"].startswith("expectedVersion:")
    assert _read(dynamodb, "39") == original


def test_updating_a_missing_league_is_not_found_and_writes_nothing(dynamodb: Any) -> None:
    refused = _call("upsertLeague", input=_league("77"), expectedVersion=3)
    assert refused["errorType"] == "NotFound"
    assert "'77'" in refused["errorMessage"]
    assert _stored(dynamodb) == []


TEAM = {"id": "40", "name": "Liverpool"}


def _input(league_id: str = "39", **overrides: Any) -> dict[str, Any]:
    return {"input": _league(league_id, **overrides)}


@pytest.mark.parametrize(
    ("arguments", "path", "allowed"),
    [
        ({}, "input", "required"),
        (_input(""), "input.id", "1–128 characters"),
        (_input("39#2024"), "input.id", "'#'"),
        (_input("39 2024"), "input.id", "whitespace"),
        (_input("x" * 129), "input.id", "1–128 characters"),
        (_input(season=1800), "input.season", "1900"),
        (_input(season=2101), "input.season", "2100"),
        (_input(season="2024"), "input.season", "integer"),
        (_input(season=True), "input.season", "integer"),
        (_input(leagueCountry=None), "input.leagueCountry", "not be null"),
        (_input(leagueCountry={"name": ""}), "input.leagueCountry.name", "at least 1"),
        (
            _input(leagueCountry={"name": "E", "flag": "http://x.example/f.svg"}),
            "input.leagueCountry.flag",
            "https",
        ),
        (_input(leagueCountry={"name": "E", "code": "england"}), "input.leagueCountry.code", "ISO"),
        (
            _input(teams=[TEAM, {**TEAM, "id": "41", "logo": "ftp://x.example/l.png"}]),
            "input.teams[1].logo",
            "https",
        ),
        (_input(teams=[TEAM, {**TEAM, "logo": "https://x.example/l.png"}]), "input.teams", "unique"),
        (_input(teams=[{**TEAM, "name": None}]), "input.teams[0].name", "not be null"),
        (_input(teams=[{**TEAM, "name": "x" * 101}]), "input.teams[0].name", "at most 100"),
        (_input(teams=[{**TEAM, "id": str(n)} for n in range(101)]), "input.teams", "at most 100"),
        (_input(teams=[{"name": "No id"}]), "input.teams[0].id", "required"),
        ({"input": {**_league(), "owner": "mallory"}}, "input.owner", "not a known field"),
        ({**_input(), "expectedVersion": 0}, "expectedVersion", "greater than or equal to 1"),
    ],
)
def test_bad_upsert_input_names_the_field_and_writes_nothing(
    dynamodb: Any, arguments: dict[str, Any], path: str, allowed: str
) -> None:
    refused = _call("upsertLeague", **arguments)
    assert refused["errorType"] == "ValidationError"
    assert refused["errorMessage"].startswith(f"{path}: "), refused
    assert allowed in refused["errorMessage"]
    assert _stored(dynamodb) == []


@pytest.mark.parametrize(
    "event",
    [
        # Reads go from AppSync straight to the table; the function must not serve them.
        {"field": "getLeague", "arguments": {"id": "39"}},
        {"field": "listLeagues", "arguments": {"season": 2024}},
        {"field": "deleteLeague", "arguments": {}},
        {"field": ["upsertLeague"]},
        "not an object",
    ],
)
def test_anything_but_an_upsert_is_refused_naming_the_field(dynamodb: Any, event: Any) -> None:
    refused = league.handler(event, None)
    assert refused == {"errorType": "ValidationError", "errorMessage": "field: must be one of upsertLeague"}


def test_upserts_make_only_the_calls_the_function_is_granted(dynamodb: Any) -> None:
    """The grant in backend_data is exactly what the handler calls, across every upsert outcome."""
    operations: list[str] = []

    def record(model: Any, **_: Any) -> None:
        operations.append(model.name)

    events = league._client().meta.events
    events.register("provide-client-params.dynamodb.*", record)
    try:
        _call("upsertLeague", input=_league())  # created
        _call("upsertLeague", input=_league(), expectedVersion=1)  # updated
        _call("upsertLeague", input=_league())  # refused: already exists
        _call("upsertLeague", input=_league("77"), expectedVersion=2)  # refused: not found
    finally:
        events.unregister("provide-client-params.dynamodb.*", record)
    granted = {action.removeprefix("dynamodb:") for action in LEAGUE_FUNCTION_ACTIONS}
    assert len(operations) == 4
    assert set(operations) == granted


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """As with application_log_level DEBUG: the runtime sets the root level before the import."""
    sdk_logger = logging.getLogger("botocore")
    original = sdk_logger.level
    caplog.set_level(logging.DEBUG)
    league.quiet_aws_sdk_debug_logs()  # what the module does at import, now under a DEBUG root logger
    yield caplog
    sdk_logger.setLevel(original)


def test_logs_carry_outcomes_but_no_secrets(
    dynamodb: Any, debug_logging: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog = debug_logging
    _call("upsertLeague", input=_league())
    _call("upsertLeague", input=_league())  # refused: already exists
    monkeypatch.setenv("LEAGUE_TABLE_NAME", "no-such-table")

    class Context:
        aws_request_id = "req-1234"

    failed = league.handler(
        {"field": "upsertLeague", "arguments": {"input": _league()}, "identity": CALLER}, Context()
    )
    assert failed["errorType"] == "InternalError" and "req-1234" in failed["errorMessage"]

    saved = [record for record in caplog.records if record.getMessage() == "league saved"]
    assert [(record.leagueId, record.version) for record in saved] == [("39", 1)]  # type: ignore[attr-defined]
    assert any(record.levelno == logging.ERROR and record.exc_info for record in caplog.records)
    everything = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
    for secret in (SECRET_KEY, SESSION_TOKEN, CALLER_EMAIL, ID_TOKEN):
        assert secret not in everything


def test_missing_table_setting_fails_loudly(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEAGUE_TABLE_NAME")
    with pytest.raises(RuntimeError, match="LEAGUE_TABLE_NAME"):
        _call("upsertLeague", input=_league())


def test_handler_package_logs_only_through_stdlib_logging() -> None:
    for source in (Path(league.__file__).parent).glob("*.py"):
        text = source.read_text()
        for forbidden in ("print(", "basicConfig", "StreamHandler", "addHandler("):
            assert forbidden not in text, f"{source.name} uses {forbidden}"
