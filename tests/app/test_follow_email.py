"""A follow's email: only a verified address from an ID token is stored, and only an address is returned.

Identities come from tokens moto's Cognito issued (tests/cognito_tokens.py). With email as the username
attribute, Cognito's username is the sub, so a resolver that fell back to ``ctx.identity.username`` would
store an id where an email belongs; these tests fail on that.
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
from tests.appsync_harness import RESOLVERS, AppSyncHarness, DataSource, ResolverRun, dynamodb_table
from tests.cognito_tokens import CognitoTestPool, SignedInUser

REGION = "us-east-1"
ACTION = RESOLVERS / "Mutation.action.js"
MY_FOLLOWS = RESOLVERS / "Query.myFollows.js"
TABLE_VALUES = StackValues(project="test", stack="test", region=REGION, values={"protectData": False})


@dataclass
class EmailWorld:
    harness: AppSyncHarness
    table: DataSource
    items: Any
    verified: SignedInUser
    identities: dict[str, dict[str, Any]]

    def follow(self, identity: str, league_id: str) -> ResolverRun:
        return self.harness.run_unit(
            ACTION,
            self.table,
            arguments={"leagueId": league_id, "season": 2025},
            identity=self.identities[identity],
        )

    def stored(self, identity: str, league_id: str) -> dict[str, Any]:
        owner = self.identities[identity]["sub"]
        return self.items.get_item(Key={"owner": owner, "followId": f"{league_id}#2025"})["Item"]

    def listed(self, identity: str) -> dict[str, Any]:
        run = self.harness.run_unit(MY_FOLLOWS, self.table, arguments={}, identity=self.identities[identity])
        assert run.error is None, run.error
        return {item["leagueId"]: item["email"] for item in run.result["items"]}


@pytest.fixture(scope="module")
def world() -> Iterator[EmailWorld]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table(dynamodb, "follows", follows_table_args(TABLE_VALUES))
        pool = CognitoTestPool(boto3.client("cognito-idp", region_name=REGION))
        verified = pool.create_user("carol@example.com")
        identities = {
            "id-token": pool.identity_from_token(verified.id_token),
            "access-token": pool.identity_from_token(verified.access_token),
            "unverified-id-token": pool.identity_from_token(
                pool.create_user("dave@example.com", email_verified=False).id_token
            ),
        }
        with AppSyncHarness() as harness:
            yield EmailWorld(
                harness,
                dynamodb_table("FollowsTable", dynamodb, "follows"),
                boto3.resource("dynamodb", region_name=REGION).Table("follows"),
                verified,
                identities,
            )


def test_the_tokens_are_what_the_rule_distinguishes(world: EmailWorld) -> None:
    by_id, by_access = world.identities["id-token"], world.identities["access-token"]
    unverified = world.identities["unverified-id-token"]
    assert by_id["claims"]["token_use"] == "id" and by_id["claims"]["email"] == world.verified.email
    assert by_access["claims"]["token_use"] == "access" and "email" not in by_access["claims"]
    assert by_access["username"] == by_access["sub"] == world.verified.sub  # Cognito's username is the sub
    assert unverified["claims"]["email"] == "dave@example.com"
    assert unverified["claims"]["email_verified"] in (False, "false")


def test_an_access_token_stores_no_email_and_returns_null(world: EmailWorld) -> None:
    run = world.follow("access-token", "access-first")

    assert run.error is None and run.result["email"] is None
    assert "email" not in world.stored("access-token", "access-first")
    assert world.listed("access-token")["access-first"] is None


def test_a_verified_id_token_stores_its_email(world: EmailWorld) -> None:
    run = world.follow("id-token", "by-id")

    assert run.result["email"] == world.verified.email
    assert world.stored("id-token", "by-id")["email"] == world.verified.email


def test_an_access_token_later_keeps_the_verified_email(world: EmailWorld) -> None:
    world.follow("id-token", "both")
    again = world.follow("access-token", "both")

    assert again.result["email"] == world.verified.email
    assert world.stored("access-token", "both")["email"] == world.verified.email


def test_an_unverified_email_claim_is_not_stored(world: EmailWorld) -> None:
    run = world.follow("unverified-id-token", "unverified")

    assert run.result["email"] is None
    assert "email" not in world.stored("unverified-id-token", "unverified")


def test_a_stored_non_address_reads_as_null(world: EmailWorld) -> None:
    """Release 0.1 stored the username (= the sub) when the token had no email claim."""
    owner = world.identities["access-token"]["sub"]
    world.items.put_item(
        Item={"owner": owner, "followId": "legacy#2025", "leagueId": "legacy", "season": 2025,
              "email": owner, "createdAt": "2025-01-01T00:00:00.000Z"}
    )  # fmt: skip

    assert world.listed("access-token")["legacy"] is None
    assert world.follow("access-token", "legacy").result["email"] is None
    assert world.follow("id-token", "legacy").result["email"] == world.verified.email
