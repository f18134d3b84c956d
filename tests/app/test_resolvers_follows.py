"""Owner-scoped follow resolvers (action, unfollow, myFollows) and their authorization matrix.

Identities are built from tokens moto's Cognito really issued (verified against its JWKS); the
DynamoDB requests the resolvers build run against a moto table shaped like the Follows contract
(hash ``owner`` = caller sub, range ``followId`` = "<leagueId>#<season>").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app.component_args import follows_table_args
from app.stack_values import StackValues
from sandbox.tables import create_table
from tests.appsync_harness import (
    DEFAULT_NOW,
    RESOLVERS,
    AppSyncHarness,
    DataSource,
    ResolverRun,
    dynamodb_table,
)
from tests.cognito_tokens import CognitoTestPool, SignedInUser

REGION = "us-east-1"
TABLE_VALUES = StackValues(project="test", stack="test", region=REGION, values={"protectData": False})
ACTION = RESOLVERS / "Mutation.action.js"
UNFOLLOW = RESOLVERS / "Mutation.unfollow.js"
MY_FOLLOWS = RESOLVERS / "Query.myFollows.js"
IAM_IDENTITY = {"accountId": "123456789012", "sourceIp": ["203.0.113.20"], "username": "AROAEXAMPLE:job"}


@dataclass
class FollowWorld:
    harness: AppSyncHarness
    table: DataSource
    items: Any
    alice: SignedInUser
    bob: SignedInUser
    identities: dict[str, dict[str, Any]]
    issuer: str

    def call(self, resolver: Any, identity: Any, **arguments: Any) -> ResolverRun:
        return self.harness.run_unit(resolver, self.table, arguments=arguments, identity=identity)

    def stored(self, user: SignedInUser, follow_id: str) -> dict[str, Any] | None:
        return self.items.get_item(Key={"owner": user.sub, "followId": follow_id}).get("Item")


@pytest.fixture(scope="module")
def world() -> Iterator[FollowWorld]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        # Keyed exactly as the stack declares the follows table.
        create_table(dynamodb, "follows", follows_table_args(TABLE_VALUES))
        pool = CognitoTestPool(boto3.client("cognito-idp", region_name=REGION))
        alice, bob = pool.create_user("alice@example.com"), pool.create_user("bob@example.com")
        identities = {
            "alice-id": pool.identity_from_token(alice.id_token),
            "alice-access": pool.identity_from_token(alice.access_token),
            "bob-id": pool.identity_from_token(bob.id_token),
        }
        items = boto3.resource("dynamodb", region_name=REGION).Table("follows")
        with AppSyncHarness() as harness:
            table = dynamodb_table("FollowsTable", dynamodb, "follows")
            yield FollowWorld(harness, table, items, alice, bob, identities, pool.issuer)


def test_identities_come_from_verified_tokens_as_appsync_builds_them(world: FollowWorld) -> None:
    by_id_token, by_access_token = world.identities["alice-id"], world.identities["alice-access"]
    assert by_id_token["sub"] == by_access_token["sub"] == world.alice.sub
    assert by_id_token["claims"]["email"] == world.alice.email
    assert "email" not in by_access_token["claims"]
    assert by_id_token["username"] == by_access_token["username"] == world.alice.username != world.alice.email
    assert by_id_token["issuer"] == by_access_token["issuer"] == world.issuer
    assert set(by_id_token) == {
        "sub",
        "issuer",
        "username",
        "claims",
        "sourceIp",
        "defaultAuthStrategy",
        "groups",
    }


def test_action_records_the_follow_under_the_callers_sub(world: FollowWorld) -> None:
    run = world.harness.run_unit(
        ACTION,
        world.table,
        arguments={"leagueId": "39", "season": 2024},
        identity=world.identities["alice-id"],
        expect_request=["key.owner.S", "key.followId.S", "update.expression"],
    )
    assert run.error is None
    assert run.result == {
        "leagueId": "39",
        "season": 2024,
        "email": world.alice.email,
        "createdAt": DEFAULT_NOW,
    }
    stored = world.stored(world.alice, "39#2024")
    assert stored is not None and stored["owner"] == world.alice.sub


def test_action_is_idempotent_and_keeps_the_first_created_at(world: FollowWorld) -> None:
    first = world.harness.run_unit(
        ACTION,
        world.table,
        arguments={"leagueId": "61", "season": 2024},
        identity=world.identities["alice-id"],
    )
    again = world.harness.run_unit(
        ACTION,
        world.table,
        arguments={"leagueId": "61", "season": 2024},
        identity=world.identities["alice-id"],
        now="2026-03-01T08:00:00.000Z",
    )
    assert again.error is None and again.result == first.result
    follows = world.items.query(
        KeyConditionExpression="#owner = :owner AND followId = :followId",
        ExpressionAttributeNames={"#owner": "owner"},
        ExpressionAttributeValues={":owner": world.alice.sub, ":followId": "61#2024"},
    )["Items"]
    assert len(follows) == 1 and follows[0]["createdAt"] == DEFAULT_NOW


def test_my_follows_lists_only_the_callers_follows_page_by_page(world: FollowWorld) -> None:
    for league_id in ("1", "2", "3"):
        world.call(ACTION, world.identities["alice-id"], leagueId=league_id, season=2025)
    world.call(ACTION, world.identities["bob-id"], leagueId="bob-only", season=2025)
    listed: list[tuple[str, int]] = []
    next_token = None
    for _ in range(10):  # bounded: a nextToken that never ends must fail, not hang
        run = world.call(MY_FOLLOWS, world.identities["alice-id"], limit=2, nextToken=next_token)
        assert run.error is None and run.request["limit"] == 2
        assert run.request["query"]["expressionValues"] == {":owner": {"S": world.alice.sub}}
        listed += [(follow["leagueId"], follow["season"]) for follow in run.result["items"]]
        assert all(
            set(follow) == {"leagueId", "season", "email", "createdAt"} for follow in run.result["items"]
        )
        next_token = run.result["nextToken"]
        if next_token is None:
            break
    assert next_token is None
    assert {("1", 2025), ("2", 2025), ("3", 2025)} <= set(listed)
    assert "bob-only" not in {league_id for league_id, _ in listed}
    assert len(listed) == len(set(listed))


def test_unfollow_removes_the_follow_then_reports_not_found(world: FollowWorld) -> None:
    world.call(ACTION, world.identities["alice-id"], leagueId="78", season=2024)
    removed = world.harness.run_unit(
        UNFOLLOW,
        world.table,
        arguments={"leagueId": "78", "season": 2024},
        identity=world.identities["alice-id"],
        expect_request=[
            "key.owner.S",
            "key.followId.S",
            "condition.expression",
            "condition.expressionValues",
        ],
    )
    assert removed.error is None and removed.result["leagueId"] == "78"
    condition = removed.request["condition"]
    assert "#owner = :owner" in condition["expression"] and condition["expressionNames"]["#owner"] == "owner"
    assert world.stored(world.alice, "78#2024") is None
    again = world.call(UNFOLLOW, world.identities["alice-id"], leagueId="78", season=2024)
    assert again.error_type == "NotFound"


# ---- authorization matrix -------------------------------------------------------------------------

OPERATIONS: dict[str, tuple[Any, dict[str, Any]]] = {
    "myFollows": (MY_FOLLOWS, {}),
    "action": (ACTION, {"leagueId": "39", "season": 2024}),
    "unfollow": (UNFOLLOW, {"leagueId": "39", "season": 2024}),
}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize(
    "identity", [None, IAM_IDENTITY, {"sub": "", "username": "x"}], ids=["none", "iam", "empty"]
)
def test_callers_without_a_cognito_sub_are_refused_before_any_request(
    world: FollowWorld, operation: str, identity: Any
) -> None:
    resolver, arguments = OPERATIONS[operation]
    run = world.call(resolver, identity, **arguments)
    assert run.error_type == "Unauthorized"
    assert run.requests == []


def test_other_users_follows_are_invisible_and_immutable(world: FollowWorld) -> None:
    alice, bob = world.identities["alice-id"], world.identities["bob-id"]
    world.call(ACTION, alice, leagueId="39", season=2023)
    before = world.stored(world.alice, "39#2023")

    bob_list = world.call(MY_FOLLOWS, bob, limit=100)
    assert all(follow["email"] == world.bob.email for follow in bob_list.result["items"])
    assert ("39", 2023) not in {(follow["leagueId"], follow["season"]) for follow in bob_list.result["items"]}

    bob_unfollow = world.call(UNFOLLOW, bob, leagueId="39", season=2023)
    assert bob_unfollow.error_type == "NotFound"
    assert bob_unfollow.request["key"]["owner"] == {"S": world.bob.sub}

    bob_follow = world.call(ACTION, bob, leagueId="39", season=2023, owner=world.alice.sub)
    assert bob_follow.request["key"]["owner"] == {"S": world.bob.sub}
    assert bob_follow.result["email"] == world.bob.email

    assert world.stored(world.alice, "39#2023") == before
    assert world.stored(world.bob, "39#2023") is not None


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"leagueId": "39#2024", "season": 2024}, "leagueId"),
        ({"leagueId": "", "season": 2024}, "leagueId"),
        ({"leagueId": "39", "season": 1899}, "season"),
        ({"leagueId": "39", "season": 2101}, "season"),
    ],
)
@pytest.mark.parametrize("resolver", [ACTION, UNFOLLOW], ids=["action", "unfollow"])
def test_follow_mutations_reject_bad_arguments(
    world: FollowWorld, resolver: Any, arguments: dict[str, Any], field: str
) -> None:
    run = world.call(resolver, world.identities["alice-id"], **arguments)
    assert run.error_type == "ValidationError" and field in run.error.message
    assert run.requests == []


@pytest.mark.parametrize("limit", [0, 101])
def test_my_follows_rejects_limits_outside_1_to_100(world: FollowWorld, limit: int) -> None:
    run = world.call(MY_FOLLOWS, world.identities["alice-id"], limit=limit)
    assert run.error_type == "ValidationError" and "limit" in run.error.message
