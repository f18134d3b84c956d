"""Owner matrix of the conversation route: every owner-scoped resolver, every kind of identity.

Callers come from ``tests.cognito_tokens.identity_kinds``: persons A and B each have an email-username
account (``username == sub``, as the stacks' own users), a plain-username account and a federated
``OIDC-Provider_<subject>`` account (``username != sub``), each calling with its ID token and with its access
token. For every owner-scoped field (create/get/list/update/deleteConversation, sendMessage, listMessages with
queryMessages, onCreateAssistantResponse with verifyConversationOwner):

- B, calling as any kind, never reads, lists, changes, deletes, writes to or subscribes to a conversation A
  created as any kind, and A's stored data stays as it was;
- A reaches its own conversation with either token of the account that created it, because ownership is the
  sub: what A's resolvers store is keyed by the sub, and data stored under the sub by someone else (the
  handler's answers, published parts) is A's.

The route is wired and its tables created as the component declares them (tests/conversation_world.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.cognito_tokens import ACCOUNTS, IDENTITY_KINDS, TOKENS, Caller, IdentityKinds, identity_kinds
from tests.conversation_world import NAMES, RouteWorld, route_world

REGION = "us-east-1"


@dataclass(frozen=True)
class Owned:
    """A's conversation, created by ``caller``, with A's question and the handler's answer stored."""

    caller: Caller
    conversation: dict[str, Any]
    first_page_token: str
    """A's nextToken after the first message: an intruder must not get further with it."""


@dataclass
class Matrix:
    world: RouteWorld
    people: IdentityKinds
    owned: dict[str, Owned]
    """A's conversation per kind of A's identity."""
    b_conversations: dict[str, str]
    """B's own conversation id per account."""


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    with mock_aws():
        people = identity_kinds(boto3.client("cognito-idp", region_name=REGION))
        with route_world(REGION, tmp_path_factory.mktemp("code")) as world:
            owned = {}
            for day, kind in enumerate(IDENTITY_KINDS, 1):
                caller = people("A", kind)
                conversation = world.create(
                    caller.identity, f"A via {kind}", f"2026-01-{day:02d}T00:00:00.000Z"
                )
                sent = world.send(
                    caller.identity,
                    conversation["id"],
                    f"A's secret via {kind}",
                    f"2026-01-{day:02d}T00:01:00.000Z",
                )
                assert sent.error is None, f"A as {kind} could not send to its new conversation: {sent.error}"
                world.store_answer(conversation["id"], sent.result, caller.sub, f"answer for A via {kind}")
                first = world.list_messages(caller.identity, conversation["id"], limit=1)
                assert first.error is None and first.result["nextToken"], f"A as {kind}: {first.error}"
                owned[kind] = Owned(caller, conversation, first.result["nextToken"])
            b_conversations = {
                account: world.create(
                    people("B", f"{account}-id").identity, f"B's {account}", "2026-02-01T00:00:00.000Z"
                )["id"]
                for account in ACCOUNTS
            }
            yield Matrix(world, people, owned, b_conversations)


def test_the_identity_kinds_include_usernames_that_are_not_the_sub(matrix: Matrix) -> None:
    """The matrix is only worth something if some identities would key differently by username than by sub."""
    for person in ("A", "B"):
        by_kind = {caller.kind: caller.identity for caller in matrix.people.of(person)}
        assert by_kind["email-id"]["username"] == by_kind["email-id"]["sub"]
        for kind in ("username-id", "username-access", "federated-id", "federated-access"):
            assert by_kind[kind]["username"] != by_kind[kind]["sub"], kind
        assert by_kind["federated-access"]["username"].startswith("OIDC-Provider_")
    assert len({caller.sub for caller in [*matrix.people.of("A"), *matrix.people.of("B")]}) == 6


@pytest.mark.parametrize("intruder_kind", IDENTITY_KINDS, ids=[f"B={kind}" for kind in IDENTITY_KINDS])
@pytest.mark.parametrize("owner_kind", IDENTITY_KINDS, ids=[f"A={kind}" for kind in IDENTITY_KINDS])
def test_b_never_reads_lists_changes_deletes_sends_to_or_subscribes_to_the_conversation_of_a(
    matrix: Matrix, owner_kind: str, intruder_kind: str
) -> None:
    world, owned = matrix.world, matrix.owned[owner_kind]
    intruder = matrix.people("B", intruder_kind)
    b, conversation_id, a_sub = intruder.identity, owned.conversation["id"], owned.caller.sub
    stored_before = world.stored_conversation(a_sub, conversation_id)
    messages_before = world.stored_messages(conversation_id)
    events_before = len(world.invocations.events)

    attempts = {
        "get": world.call(NAMES.get_conversation, b, id=conversation_id),
        "update": world.call(NAMES.update_conversation, b, input={"id": conversation_id, "name": "B's now"}),
        "delete": world.call(NAMES.delete_conversation, b, input={"id": conversation_id}),
        "send": world.send(b, conversation_id, "let me in", "2026-02-02T00:00:00.000Z"),
        "listMessages": world.list_messages(b, conversation_id),
        "listMessages with A's nextToken": world.list_messages(
            b, conversation_id, limit=1, nextToken=owned.first_page_token
        ),
        "subscribe": world.subscribe(b, conversation_id),
    }
    listed = world.call(NAMES.list_conversations, b, limit=100)
    own_subscription = world.subscribe(b, matrix.b_conversations[intruder.account])

    assert {name: (run.error_type, run.result) for name, run in attempts.items()} == {
        "get": (None, None),
        "update": ("NotFound", None),
        "delete": ("NotFound", None),
        "send": ("NotFound", None),
        "listMessages": ("NotFound", None),
        "listMessages with A's nextToken": ("NotFound", None),
        "subscribe": ("NotFound", None),
    }
    # No message was read, and no subscription filter was set, for B.
    assert (
        len(attempts["listMessages"].requests)
        == len(attempts["listMessages with A's nextToken"].requests)
        == 1
    )
    assert attempts["subscribe"].subscription_filter is None
    # B lists exactly B's own conversation of that account.
    assert listed.error is None
    assert [item["id"] for item in listed.result["items"]] == [matrix.b_conversations[intruder.account]]
    # B's subscription to its own conversation gets B's parts only, never one carrying A's sub.
    b_conversation = matrix.b_conversations[intruder.account]
    published = [
        world.stream_part(conversation_id, a_sub),
        world.stream_part(b_conversation, a_sub),
        world.stream_part(b_conversation, intruder.sub),
    ]
    assert world.delivers(own_subscription, published) == [False, False, True]
    # A's data is as it was; nothing was queued for the handler.
    assert world.stored_conversation(a_sub, conversation_id) == stored_before is not None
    assert world.stored_conversation(intruder.sub, conversation_id) is None
    assert world.stored_messages(conversation_id) == messages_before
    assert len(world.invocations.events) == events_before


@pytest.mark.parametrize("used_with", TOKENS, ids=[f"used-{token}-token" for token in TOKENS])
@pytest.mark.parametrize("created_with", TOKENS, ids=[f"created-{token}-token" for token in TOKENS])
@pytest.mark.parametrize("account", ACCOUNTS)
def test_a_does_everything_on_its_own_conversation_with_either_token(
    matrix: Matrix, account: str, created_with: str, used_with: str
) -> None:
    world = matrix.world
    creator, user = (
        matrix.people("A", f"{account}-{created_with}"),
        matrix.people("A", f"{account}-{used_with}"),
    )
    a, sub = user.identity, user.sub
    day = 1 + ACCOUNTS.index(account) * 4 + TOKENS.index(created_with) * 2 + TOKENS.index(used_with)
    stamp = f"2026-03-{day:02d}T10:00"

    created = world.create(creator.identity, "mine", f"{stamp}:00.000Z")
    conversation_id = created["id"]
    # Stored under the sub: the key a deploy's other writers (the handler, the cleanup) use too.
    assert world.stored_conversation(sub, conversation_id) is not None

    got = world.call(NAMES.get_conversation, a, id=conversation_id)
    listed = world.call(NAMES.list_conversations, a, limit=100)
    renamed = world.call(
        NAMES.update_conversation, a, now=f"{stamp}:01.000Z", input={"id": conversation_id, "name": "renamed"}
    )
    sent = world.send(a, conversation_id, "my question", f"{stamp}:02.000Z")
    assert (got.error, got.result) == (None, created)
    assert listed.error is None and conversation_id in [item["id"] for item in listed.result["items"]]
    assert renamed.error is None and renamed.result["name"] == "renamed"
    assert sent.error is None, sent.error
    assert world.invocations.events[-1]["owner"] == sub
    [stored_question] = world.stored_messages(conversation_id)
    assert stored_question["owner"] == sub

    world.store_answer(conversation_id, sent.result, sub, "the handler's answer")
    history = world.all_messages(a, conversation_id, limit=1)
    assert [(item["role"], item["content"][0]["text"]) for item in history] == [
        ("user", "my question"),
        ("assistant", "the handler's answer"),
    ]

    subscription = world.subscribe(a, conversation_id)
    published = [
        world.stream_part(conversation_id, sub),
        world.stream_part(conversation_id, matrix.people("B", f"{account}-{used_with}").sub),
        world.stream_part(matrix.owned[f"{account}-{created_with}"].conversation["id"], sub),
    ]
    assert world.delivers(subscription, published) == [True, False, False]

    deleted = world.call(NAMES.delete_conversation, a, input={"id": conversation_id})
    assert deleted.error is None and deleted.result["id"] == conversation_id
    assert world.call(NAMES.get_conversation, a, id=conversation_id).result is None
    assert world.stored_conversation(sub, conversation_id) is None


@pytest.mark.parametrize("account", ACCOUNTS)
def test_a_message_of_another_owner_under_the_same_conversation_id_is_never_listed(
    matrix: Matrix, account: str
) -> None:
    """queryMessages' owner filter: conversation ids are generated, so two owners share one only through a
    bug or a planted item; even then neither owner's listing or subscription shows the other's messages."""
    world = matrix.world
    a, b = matrix.people("A", f"{account}-access"), matrix.people("B", f"{account}-id")
    conversation_id = world.create(a.identity, "shared id", "2026-04-01T00:00:00.000Z")["id"]
    asked = world.send(a.identity, conversation_id, "A's question", "2026-04-01T00:01:00.000Z")
    assert asked.error is None
    # Planted: B's message first in the conversation's key order, and B's row for the same conversation id.
    planted = {**asked.result, "id": "planted", "owner": b.sub, "content": [{"text": "B's planted message"}],
               "createdAt": "2026-04-01T00:00:30.000Z", "createdAtId": "2026-04-01T00:00:30.000Z#planted"}  # fmt: skip
    world.message_items.put_item(Item=planted)
    world.conversation_items.put_item(
        Item={**world.stored_conversation(a.sub, conversation_id), "owner": b.sub}
    )
    try:
        assert len(world.stored_messages(conversation_id)) == 2
        for limit in (1, 2, 20):
            a_sees = world.all_messages(a.identity, conversation_id, limit=limit)
            b_sees = world.all_messages(b.identity, conversation_id, limit=limit)
            assert [item["content"][0]["text"] for item in a_sees] == ["A's question"], limit
            assert [item["content"][0]["text"] for item in b_sees] == ["B's planted message"], limit
        b_subscription = world.subscribe(b.identity, conversation_id)
        assert world.delivers(b_subscription, [world.stream_part(conversation_id, a.sub)]) == [False]
    finally:  # B's planted row would otherwise show up in B's conversation list in other tests
        world.conversation_items.delete_item(Key={"owner": b.sub, "id": conversation_id})
