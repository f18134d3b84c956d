"""Owner matrix of the League API's follows: Mutation.action, Mutation.unfollow, Query.myFollows, with every
kind of identity (``tests.cognito_tokens.identity_kinds``: email-username, plain-username and federated
``OIDC-Provider_<subject>`` accounts, each with its ID and its access token).

- B, calling as any kind, never sees, removes or changes a follow A recorded as any kind;
- A lists and removes its own follow with either token of the account that recorded it: the follow is
  stored under A's sub, never under a username.

The follows table is created from the stack's own table args (``app.component_args.follows_table_args``).
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
from tests.cognito_tokens import ACCOUNTS, IDENTITY_KINDS, TOKENS, IdentityKinds, identity_kinds

REGION = "us-east-1"
TABLE_VALUES = StackValues(project="test", stack="test", region=REGION, values={"protectData": False})
ACTION = RESOLVERS / "Mutation.action.js"
UNFOLLOW = RESOLVERS / "Mutation.unfollow.js"
MY_FOLLOWS = RESOLVERS / "Query.myFollows.js"
SEASON = 2024


@dataclass
class FollowMatrix:
    harness: AppSyncHarness
    table: DataSource
    items: Any
    people: IdentityKinds

    def call(self, resolver: Any, identity: dict[str, Any], **arguments: Any) -> ResolverRun:
        return self.harness.run_unit(resolver, self.table, arguments=arguments, identity=identity)

    def listed(self, identity: dict[str, Any]) -> list[tuple[str, int]]:
        """Every page of myFollows (bounded: a nextToken that never ends fails instead of hanging)."""
        follows: list[tuple[str, int]] = []
        token = None
        for _ in range(50):
            run = self.call(MY_FOLLOWS, identity, limit=2, nextToken=token)
            assert run.error is None, run.error
            follows += [(follow["leagueId"], follow["season"]) for follow in run.result["items"]]
            token = run.result["nextToken"]
            if token is None:
                return follows
        raise AssertionError("myFollows never returned a last page")

    def stored(self, owner: str, league_id: str) -> dict[str, Any] | None:
        return self.items.get_item(Key={"owner": owner, "followId": f"{league_id}#{SEASON}"}).get("Item")


def league_of(kind: str) -> str:
    """The league A follows as ``kind`` (one follow per kind, so each matrix row has its own)."""
    return f"league-{kind}"


@pytest.fixture(scope="module")
def matrix() -> Iterator[FollowMatrix]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table(dynamodb, "follows", follows_table_args(TABLE_VALUES))
        people = identity_kinds(boto3.client("cognito-idp", region_name=REGION))
        items = boto3.resource("dynamodb", region_name=REGION).Table("follows")
        with AppSyncHarness() as harness:
            world = FollowMatrix(harness, dynamodb_table("FollowsTable", dynamodb, "follows"), items, people)
            for kind in IDENTITY_KINDS:
                followed = world.call(
                    ACTION, people("A", kind).identity, leagueId=league_of(kind), season=SEASON
                )
                assert followed.error is None, followed.error
            for account in ACCOUNTS:  # B follows something too, so B's own list is never trivially empty
                followed = world.call(
                    ACTION, people("B", f"{account}-id").identity, leagueId="b-own", season=SEASON
                )
                assert followed.error is None, followed.error
            yield world


@pytest.mark.parametrize("intruder_kind", IDENTITY_KINDS, ids=[f"B={kind}" for kind in IDENTITY_KINDS])
@pytest.mark.parametrize("owner_kind", IDENTITY_KINDS, ids=[f"A={kind}" for kind in IDENTITY_KINDS])
def test_b_never_sees_removes_or_changes_a_follow_of_a(
    matrix: FollowMatrix, owner_kind: str, intruder_kind: str
) -> None:
    owner, intruder = matrix.people("A", owner_kind), matrix.people("B", intruder_kind)
    league = league_of(owner_kind)
    before = matrix.stored(owner.sub, league)
    assert before is not None

    assert matrix.listed(intruder.identity) == [("b-own", SEASON)]
    removing = matrix.call(UNFOLLOW, intruder.identity, leagueId=league, season=SEASON)
    assert removing.error_type == "NotFound"
    # Following the same league season records B's own follow, which B can then remove; A's stays as it was.
    following = matrix.call(ACTION, intruder.identity, leagueId=league, season=SEASON, owner=owner.sub)
    assert following.error is None and matrix.stored(intruder.sub, league) is not None
    assert matrix.call(UNFOLLOW, intruder.identity, leagueId=league, season=SEASON).error is None
    assert matrix.stored(owner.sub, league) == before
    assert matrix.stored(intruder.sub, league) is None


@pytest.mark.parametrize("used_with", TOKENS, ids=[f"used-{token}-token" for token in TOKENS])
@pytest.mark.parametrize("recorded_with", TOKENS, ids=[f"recorded-{token}-token" for token in TOKENS])
@pytest.mark.parametrize("account", ACCOUNTS)
def test_a_lists_and_removes_its_own_follow_with_either_token(
    matrix: FollowMatrix, account: str, recorded_with: str, used_with: str
) -> None:
    recorder = matrix.people("A", f"{account}-{recorded_with}")
    user = matrix.people("A", f"{account}-{used_with}")
    league = f"own-{account}-{recorded_with}-{used_with}"

    recorded = matrix.call(ACTION, recorder.identity, leagueId=league, season=SEASON)
    assert recorded.error is None, recorded.error
    # Stored under the sub, so every token of the account, whatever its username, reaches it.
    assert matrix.stored(user.sub, league) is not None
    assert (league, SEASON) in matrix.listed(user.identity)
    assert (league_of(f"{account}-{recorded_with}"), SEASON) in matrix.listed(user.identity)

    removed = matrix.call(UNFOLLOW, user.identity, leagueId=league, season=SEASON)
    assert removed.error is None and removed.result["leagueId"] == league
    assert (league, SEASON) not in matrix.listed(user.identity)
    assert matrix.stored(user.sub, league) is None
