"""League resolvers (getLeague, listLeagues, upsertLeague) run as AppSync would, against moto DynamoDB.

The stored items follow the League table contract (hash ``id``; GSI ``bySeason`` on season + id);
callers are Cognito users with moto-issued tokens (a plain reader, a member of another group, a
member of ``admins``) and an IAM backend caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app.component_args import league_table_args
from app.stack_values import StackValues
from sandbox.tables import create_table
from tests.appsync_harness import RESOLVERS, AppSyncHarness, DataSource, dynamodb_table, lambda_source
from tests.cognito_tokens import DEFAULT_PASSWORD, CognitoTestPool

REGION = "us-east-1"
TABLE_VALUES = StackValues(project="test", stack="test", region=REGION, values={"protectData": False})
GET_LEAGUE = RESOLVERS / "Query.getLeague.js"
LIST_LEAGUES = RESOLVERS / "Query.listLeagues.js"
UPSERT_LEAGUE = RESOLVERS / "Mutation.upsertLeague.js"
IAM_IDENTITY = {
    "accountId": "123456789012",
    "cognitoIdentityPoolId": None,
    "cognitoIdentityId": None,
    "sourceIp": ["203.0.113.20"],
    "username": "AROAEXAMPLEROLEID:ingest-job",
    "userArn": "arn:aws:sts::123456789012:assumed-role/ingest/ingest-job",
    "cognitoIdentityAuthType": None,
    "cognitoIdentityAuthProvider": None,
}
PREMIER_LEAGUE = {
    "id": "39",
    "season": 2024,
    "leagueCountry": {"name": "England", "code": "GB", "flag": "https://example.com/gb.svg"},
    "teams": [{"id": "33", "name": "Manchester United", "logo": "https://example.com/33.png"}],
    "version": 3,
    "updatedAt": "2025-05-01T10:00:00.000Z",
}
SEASON_2024_IDS = ["39", "61", "78", "135", "140"]
ADMIN_GROUP = "admins"


@dataclass(frozen=True)
class LeagueWorld:
    harness: AppSyncHarness
    table: DataSource
    user_identity: dict[str, Any]
    """A signed-in user in no group."""
    editor_identity: dict[str, Any]
    """A signed-in user in a group other than admins."""
    admin_identity: dict[str, Any]
    """A signed-in member of the admins group."""


def member_identity(cognito: Any, pool: CognitoTestPool, email: str, group: str) -> dict[str, Any]:
    """ctx.identity of a user signed in after joining ``group`` (groups reach only tokens issued later)."""
    user = pool.create_user(email)
    if group not in {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool.pool_id)["Groups"]}:
        cognito.create_group(GroupName=group, UserPoolId=pool.pool_id)
    cognito.admin_add_user_to_group(UserPoolId=pool.pool_id, Username=user.username, GroupName=group)
    tokens = cognito.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": DEFAULT_PASSWORD},
    )["AuthenticationResult"]
    return pool.identity_from_token(tokens["IdToken"])


@pytest.fixture(scope="module")
def world() -> Iterator[LeagueWorld]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        # Keyed and indexed exactly as the stack declares the League table.
        create_table(dynamodb, "leagues", league_table_args(TABLE_VALUES))
        table = boto3.resource("dynamodb", region_name=REGION).Table("leagues")
        table.put_item(Item=PREMIER_LEAGUE)
        for league_id in SEASON_2024_IDS[1:]:
            table.put_item(Item={"id": league_id, "season": 2024, "version": 1})
        for league_id in ("39-2023", "61-2023"):
            table.put_item(Item={"id": league_id, "season": 2023, "version": 1})
        cognito = boto3.client("cognito-idp", region_name=REGION)
        pool = CognitoTestPool(cognito)
        reader = pool.create_user("reader@example.com")
        with AppSyncHarness() as harness:
            yield LeagueWorld(
                harness,
                dynamodb_table("LeagueTable", dynamodb, "leagues"),
                pool.identity_from_token(reader.id_token),
                member_identity(cognito, pool, "editor@example.com", "editors"),
                member_identity(cognito, pool, "admin@example.com", ADMIN_GROUP),
            )


@pytest.mark.parametrize("caller", ["user", "iam"])
def test_get_league_returns_the_stored_league_to_users_and_iam_callers(
    world: LeagueWorld, caller: str
) -> None:
    identity = world.user_identity if caller == "user" else IAM_IDENTITY
    run = world.harness.run_unit(
        GET_LEAGUE, world.table, arguments={"id": "39"}, identity=identity, expect_request=["key.id.S"]
    )
    assert run.error is None
    assert run.request["operation"] == "GetItem"
    assert run.result == PREMIER_LEAGUE


def test_get_league_reads_consistently(world: LeagueWorld) -> None:
    """The version read feeds the next expectedVersion; a stale read would cause false conflicts."""
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    events = world.table.config["client"].meta.events
    events.register("provide-client-params.dynamodb.GetItem", record)
    try:
        run = world.harness.run_unit(GET_LEAGUE, world.table, arguments={"id": "39"}, identity=IAM_IDENTITY)
    finally:
        events.unregister("provide-client-params.dynamodb.GetItem", record)
    assert run.error is None and run.request["consistentRead"] is True
    assert [params.get("ConsistentRead") for params in sent] == [True]


def test_get_league_of_an_unknown_id_is_null_not_an_error(world: LeagueWorld) -> None:
    run = world.harness.run_unit(
        GET_LEAGUE, world.table, arguments={"id": "999"}, identity=world.user_identity
    )
    assert (run.error, run.result) == (None, None)


@pytest.mark.parametrize("bad_id", ["", "has space", "39#2024", "x" * 129])
def test_get_league_rejects_malformed_ids_before_reading(world: LeagueWorld, bad_id: str) -> None:
    run = world.harness.run_unit(
        GET_LEAGUE, world.table, arguments={"id": bad_id}, identity=world.user_identity
    )
    assert run.error_type == "ValidationError"
    assert "id" in run.error.message
    assert run.requests == []


def test_list_leagues_pages_through_the_season_index(world: LeagueWorld) -> None:
    pages: list[list[str]] = []
    next_token = None
    for _ in range(3):
        run = world.harness.run_unit(
            LIST_LEAGUES,
            world.table,
            arguments={"season": 2024, "limit": 2, "nextToken": next_token},
            identity=IAM_IDENTITY,
            expect_request=["query.expression", "query.expressionValues", "index"],
        )
        assert run.error is None
        assert (run.request["operation"], run.request["index"], run.request["limit"]) == (
            "Query",
            "bySeason",
            2,
        )
        assert run.request["nextToken"] == next_token
        pages.append([league["id"] for league in run.result["items"]])
        next_token = run.result["nextToken"]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sorted(league_id for page in pages for league_id in page) == sorted(SEASON_2024_IDS)
    assert next_token is None


def test_list_leagues_defaults_to_twenty_and_returns_only_that_season(world: LeagueWorld) -> None:
    run = world.harness.run_unit(
        LIST_LEAGUES, world.table, arguments={"season": 2023}, identity=world.user_identity
    )
    assert run.request["limit"] == 20
    assert sorted(league["id"] for league in run.result["items"]) == ["39-2023", "61-2023"]
    assert run.result["nextToken"] is None


@pytest.mark.parametrize(
    ("limit", "accepted"), [(1, True), (100, True), (0, False), (101, False), (-5, False)]
)
def test_list_leagues_limit_bounds(world: LeagueWorld, limit: int, accepted: bool) -> None:
    run = world.harness.run_unit(
        LIST_LEAGUES, world.table, arguments={"season": 2024, "limit": limit}, identity=world.user_identity
    )
    if accepted:
        assert run.error is None and run.request["limit"] == limit
    else:
        assert run.error_type == "ValidationError" and "limit" in run.error.message
        assert run.requests == []


@pytest.mark.parametrize("season", [1899, 2101])
def test_list_leagues_rejects_seasons_outside_the_sane_range(world: LeagueWorld, season: int) -> None:
    run = world.harness.run_unit(
        LIST_LEAGUES, world.table, arguments={"season": season}, identity=IAM_IDENTITY
    )
    assert run.error_type == "ValidationError" and "season" in run.error.message


class FakeLeagueFunction:
    """Stands in for functions/league (owned elsewhere): records events, answers what the test says."""

    def __init__(self, answer: Any = None, failure: Exception | None = None) -> None:
        self.events: list[Any] = []
        self.answer = answer
        self.failure = failure

    def __call__(self, event: Any) -> Any:
        self.events.append(event)
        if self.failure is not None:
            raise self.failure
        return self.answer


def upsert(world: LeagueWorld, function: FakeLeagueFunction, identity: Any, **arguments: Any) -> Any:
    return world.harness.run_unit(
        UPSERT_LEAGUE, lambda_source("LeagueFunction", function), arguments=arguments, identity=identity
    )


@pytest.mark.parametrize("caller", ["admin", "iam"])
def test_upsert_league_sends_the_contract_event_and_returns_the_league(
    world: LeagueWorld, caller: str
) -> None:
    identity = world.admin_identity if caller == "admin" else IAM_IDENTITY
    function = FakeLeagueFunction(answer=PREMIER_LEAGUE)
    league_input = {"id": "39", "season": 2024, "teams": [{"id": "33", "name": "Manchester United"}]}
    run = upsert(world, function, identity, input=league_input, expectedVersion=2)
    assert run.error is None and run.result == PREMIER_LEAGUE
    assert run.request["operation"] == "Invoke"
    expected_sub = world.admin_identity["sub"] if caller == "admin" else None
    assert function.events == [
        {
            "field": "upsertLeague",
            "arguments": {"input": league_input, "expectedVersion": 2},
            "identity": {"sub": expected_sub, "username": identity["username"]},
        }
    ]


@pytest.mark.parametrize(
    "caller",
    ["reader", "editor", "anonymous", "token without sub", "identity-pool user", "identity-pool guest"],
)
def test_only_league_admins_may_upsert(world: LeagueWorld, caller: str) -> None:
    identity = {
        "reader": world.user_identity,
        "editor": world.editor_identity,
        "anonymous": None,
        # Not a user-pool identity and not an IAM one: refused rather than guessed at.
        "token without sub": {"username": "someone", "claims": {}, "groups": [ADMIN_GROUP]},
        # IAM identities that a browser got from a Cognito identity pool are users, not backend jobs.
        "identity-pool user": {
            **IAM_IDENTITY,
            "cognitoIdentityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555",
            "cognitoIdentityId": "us-east-1:66666666-7777-8888-9999-000000000000",
            "cognitoIdentityAuthType": "authenticated",
        },
        "identity-pool guest": {
            **IAM_IDENTITY,
            "cognitoIdentityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555",
            "cognitoIdentityId": "us-east-1:66666666-7777-8888-9999-000000000001",
            "cognitoIdentityAuthType": "unauthenticated",
        },
    }[caller]
    function = FakeLeagueFunction(answer=PREMIER_LEAGUE)
    run = upsert(world, function, identity, input={"id": "39", "season": 2024})
    assert run.error_type == "Unauthorized"
    assert (run.result, run.requests, function.events) == (None, [], [])


def test_the_admin_identity_really_carries_the_group_claim(world: LeagueWorld) -> None:
    """Guards the test above: the allowed case must differ from the refused ones only by the group."""
    assert world.admin_identity["groups"] == [ADMIN_GROUP]
    assert world.admin_identity["claims"]["cognito:groups"] == [ADMIN_GROUP]
    assert world.editor_identity["groups"] == ["editors"]
    assert not world.user_identity["groups"]


def test_upsert_league_surfaces_the_lambda_failure_shape_as_a_graphql_error(world: LeagueWorld) -> None:
    message = "expectedVersion 2 does not match the stored version 3"
    function = FakeLeagueFunction(answer={"errorType": "ConditionalCheckFailed", "errorMessage": message})
    run = upsert(world, function, IAM_IDENTITY, input={"id": "39", "season": 2024}, expectedVersion=2)
    assert (run.error_type, run.error.message) == ("ConditionalCheckFailed", message)
    assert run.result is None


def test_upsert_league_passes_unhandled_lambda_errors_through(world: LeagueWorld) -> None:
    function = FakeLeagueFunction(failure=RuntimeError("boom"))
    run = upsert(world, function, IAM_IDENTITY, input={"id": "39", "season": 2024})
    assert (run.error_type, run.error.message) == ("Lambda:Unhandled", "boom")


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"input": {"id": "", "season": 2024}}, "input.id"),
        ({"input": {"id": "a#b", "season": 2024}}, "input.id"),
        ({"input": {"id": "39", "season": 3000}}, "input.season"),
        ({"input": {"id": "39", "season": 2024}, "expectedVersion": 0}, "expectedVersion"),
    ],
)
def test_upsert_league_rejects_bad_arguments_without_invoking(
    world: LeagueWorld, arguments: dict[str, Any], field: str
) -> None:
    function = FakeLeagueFunction(answer=PREMIER_LEAGUE)
    run = upsert(world, function, world.admin_identity, **arguments)
    assert run.error_type == "ValidationError" and field in run.error.message
    assert function.events == []
