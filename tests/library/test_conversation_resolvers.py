"""Conversation resolvers end to end: APPSYNC_JS in Node, their DynamoDB requests against moto tables
keyed like the ConversationRoute component declares them, identities from tokens moto's Cognito issued.

The subscription's enhanced filter is applied to published parts by the sandbox's implementation of AppSync's
filter rules (``sandbox.subscriptions.filter_delivers``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from genai_backend_components.conversation import conversation_table_args, message_table_args
from sandbox.subscriptions import filter_delivers
from sandbox.tables import create_table
from tests.appsync_harness import (
    CONVERSATION_RESOLVERS,
    DEFAULT_EXECUTORS,
    AppSyncHarness,
    DataSource,
    DataSourceOutcome,
    PipelineFunction,
    ResolverRun,
    dynamodb_table,
    none_source,
)
from tests.cognito_tokens import CognitoTestPool
from tests.conversation_appsync import handler_caller_check_file

REGION = "us-east-1"
CODE = CONVERSATION_RESOLVERS
IAM_CALLER = {"accountId": "123456789012", "userArn": "arn:aws:sts::123456789012:assumed-role/handler/x"}
HANDLER_ROLE = "handler"
"""The conversation handler's execution role: IAM_CALLER is one of its sessions."""


def step(name: str, source: DataSource) -> PipelineFunction:
    return PipelineFunction(CODE / f"{name}.function.js", source)


@dataclass
class HandlerInvocations:
    """The Lambda data source as AppSync calls it with invocationType Event: queued, no result."""

    events: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, source: DataSource, request: dict[str, Any]) -> DataSourceOutcome:
        assert set(request) == {"operation", "invocationType", "payload"}
        assert (request["operation"], request["invocationType"]) == ("Invoke", "Event")
        self.events.append(request["payload"])
        return DataSourceOutcome(result=None)


@dataclass
class ChatWorld:
    harness: AppSyncHarness
    conversations: DataSource
    messages: DataSource
    handler: DataSource
    none: DataSource
    invocations: HandlerInvocations
    users: dict[str, dict[str, Any]]
    message_items: Any
    handler_check: Path
    """The answer mutations' first step as the component generates it for HANDLER_ROLE."""

    def answer_steps(self) -> list[PipelineFunction]:
        """createAssistantResponse<Route>'s pipeline, as the component wires it."""
        check = PipelineFunction(self.handler_check, self.none)
        return [check, step("touchConversation", self.conversations), step("writeMessage", self.messages)]

    def publish(self, part: dict[str, Any], identity: dict[str, Any] | None) -> ResolverRun:
        """createAssistantResponseStream<Route> as the component wires it: a pipeline of the handler check."""
        return self.harness.run_pipeline(CODE / "createAssistantResponseStream.js",
                                         [PipelineFunction(self.handler_check, self.none)],
                                         arguments={"input": part}, identity=identity)  # fmt: skip

    def unit(
        self, name: str, source: DataSource, user: str | None, now: str | None = None, **arguments: Any
    ) -> ResolverRun:
        identity = self.users[user] if user else None
        return self.harness.run_unit(
            CODE / f"{name}.js", source, arguments=arguments, identity=identity, now=now
        )

    def create(self, user: str, name: str, now: str) -> dict[str, Any]:
        run = self.unit("createConversation", self.conversations, user, now=now, input={"name": name})
        assert run.error is None, run.error
        return run.result

    def send(self, user: str, conversation_id: str, text: str, now: str) -> ResolverRun:
        steps = [step("touchConversation", self.conversations), step("writeMessage", self.messages),
                 step("toolSettings", self.none), step("invokeHandler", self.handler)]  # fmt: skip
        arguments = {"conversationId": conversation_id, "content": [{"text": text}]}
        return self.harness.run_pipeline(CODE / "sendMessage.js", steps, arguments=arguments,
                                         identity=self.users[user], now=now)  # fmt: skip

    def answer(
        self, conversation_id: str, user_message_id: str, owner: str, text: str, created_at: str
    ) -> ResolverRun:
        """The handler's store call; ``created_at`` is the answered user message's stored createdAt."""
        steps = self.answer_steps()
        answer = {"conversationId": conversation_id, "associatedUserMessageId": user_message_id, "owner": owner,
                  "content": [{"text": text}], "createdAt": created_at}  # fmt: skip
        return self.harness.run_pipeline(CODE / "createAssistantResponse.js", steps, arguments={"input": answer},
                                         identity=IAM_CALLER, now=created_at)  # fmt: skip

    def list_messages(self, user: str, conversation_id: str, **page: Any) -> ResolverRun:
        steps = [step("verifyConversationOwner", self.conversations), step("queryMessages", self.messages)]
        arguments = {"filter": {"conversationId": {"eq": conversation_id}}, **page}
        return self.harness.run_pipeline(CODE / "listMessages.js", steps, arguments=arguments,
                                         identity=self.users[user])  # fmt: skip

    def subscribe(self, user: str, conversation_id: str, published: list[dict[str, Any]]) -> dict[str, Any]:
        """Subscribes as AppSync would (request, ownership check, response), then applies the enhanced filter
        the response set to each published part; returns the outcome."""
        run = self.harness.run_pipeline(
            CODE / "onCreateAssistantResponse.js",
            [step("verifyConversationOwner", self.conversations)],
            arguments={"conversationId": conversation_id},
            identity=self.users[user],
        )
        if run.error is not None:
            return {"error": run.error.error_type}
        assert run.subscription_filter is not None
        delivered = [filter_delivers(run.subscription_filter, part) for part in published]
        return {"result": run.result, "delivered": delivered}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatWorld]:
    handler_check = handler_caller_check_file(tmp_path_factory.mktemp("generated"), HANDLER_ROLE)
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        # Keyed and indexed exactly as the ConversationRoute component declares its tables.
        create_table(dynamodb, "conversations", conversation_table_args(protect_data=False))
        create_table(dynamodb, "messages", message_table_args(protect_data=False))
        pool = CognitoTestPool(boto3.client("cognito-idp", region_name=REGION))
        alice, bob = pool.create_user("alice@example.com"), pool.create_user("bob@example.com")
        users = {
            "alice": pool.identity_from_token(alice.access_token),
            "bob": pool.identity_from_token(bob.id_token),
        }
        invocations = HandlerInvocations()
        executors = {**DEFAULT_EXECUTORS, "AWS_LAMBDA": invocations}
        with AppSyncHarness(executors=executors) as harness:
            yield ChatWorld(
                harness=harness,
                conversations=dynamodb_table("ConversationChatTable", dynamodb, "conversations"),
                messages=dynamodb_table("ConversationMessageChatTable", dynamodb, "messages"),
                handler=DataSource(kind="AWS_LAMBDA", name="ConversationChatHandler"),
                none=none_source("ConversationChatNone"),
                invocations=invocations,
                users=users,
                message_items=boto3.resource("dynamodb", region_name=REGION).Table("messages"),
                handler_check=handler_check,
            )


def test_conversation_lifecycle_belongs_to_its_owner_only(world: ChatWorld) -> None:
    created = world.create("alice", "Standings", "2026-01-02T00:00:00.000Z")
    conversation_id = created["id"]
    assert created == {"id": conversation_id, "name": "Standings", "metadata": None,
                       "createdAt": "2026-01-02T00:00:00.000Z", "updatedAt": "2026-01-02T00:00:00.000Z"}  # fmt: skip

    assert world.unit("getConversation", world.conversations, "alice", id=conversation_id).result == created
    assert world.unit("getConversation", world.conversations, "bob", id=conversation_id).result is None
    for name, arguments in (("updateConversation", {"id": conversation_id, "name": "Bob's now"}),
                            ("deleteConversation", {"id": conversation_id})):  # fmt: skip
        assert world.unit(name, world.conversations, "bob", input=arguments).error_type == "NotFound"

    renamed = world.unit("updateConversation", world.conversations, "alice", now="2026-01-03T00:00:00.000Z",
                         input={"id": conversation_id, "name": "Table", "metadata": {"pinned": True}})  # fmt: skip
    assert (renamed.result["name"], renamed.result["metadata"]) == ("Table", {"pinned": True})
    cleared = world.unit(
        "updateConversation", world.conversations, "alice", input={"id": conversation_id, "name": None}
    )
    assert cleared.result["name"] is None and cleared.result["metadata"] == {"pinned": True}

    deleted = world.unit("deleteConversation", world.conversations, "alice", input={"id": conversation_id})
    assert deleted.result["id"] == conversation_id
    assert world.unit("getConversation", world.conversations, "alice", id=conversation_id).result is None
    assert (
        world.send("alice", conversation_id, "still there?", "2026-01-04T00:00:00.000Z").error_type
        == "NotFound"
    )


def test_conversation_list_is_the_callers_newest_first_and_paginated(world: ChatWorld) -> None:
    names = ["oldest", "middle", "newest"]
    created = {
        name: world.create("bob", name, f"2026-02-0{day}T00:00:00.000Z") for day, name in enumerate(names, 1)
    }
    world.create("alice", "not bob's", "2026-02-05T00:00:00.000Z")
    # Activity moves a conversation to the top: sending a message bumps updatedAt.
    assert world.send("bob", created["oldest"]["id"], "hi", "2026-02-09T00:00:00.000Z").error is None

    first = world.unit("listConversations", world.conversations, "bob", limit=2)
    second = world.unit(
        "listConversations", world.conversations, "bob", limit=2, nextToken=first.result["nextToken"]
    )

    assert [item["name"] for item in first.result["items"]] == ["oldest", "newest"]
    assert [item["name"] for item in second.result["items"]] == ["middle"]
    assert second.result["nextToken"] is None
    assert first.request["index"] == "byOwnerUpdatedAt" and first.request["scanIndexForward"] is False


def test_send_stores_the_message_and_starts_the_handler_asynchronously(world: ChatWorld) -> None:
    conversation = world.create("alice", "async", "2026-03-01T00:00:00.000Z")
    before = len(world.invocations.events)

    run = world.send("alice", conversation["id"], "Who leads the table?", "2026-03-01T00:01:00.000Z")

    assert run.error is None
    message = run.result
    assert (message["role"], message["content"], message["conversationId"]) == (
        "user", [{"text": "Who leads the table?"}], conversation["id"])  # fmt: skip
    # Ids only: a route without data tools (the packaged toolSettings step) forwards no token and no tools.
    assert world.invocations.events[before:] == [
        {
            "conversationId": conversation["id"],
            "currentMessageId": message["id"],
            "owner": world.users["alice"]["sub"],
        }
    ]
    stored = world.message_items.get_item(
        Key={"conversationId": conversation["id"], "createdAtId": f"2026-03-01T00:01:00.000Z#{message['id']}"}
    )["Item"]
    assert stored["owner"] == world.users["alice"]["sub"]
    touched = world.unit("getConversation", world.conversations, "alice", id=conversation["id"]).result
    assert touched["updatedAt"] == "2026-03-01T00:01:00.000Z"


def test_history_is_in_order_and_paginated(world: ChatWorld) -> None:
    conversation_id = world.create("alice", "history", "2026-04-01T00:00:00.000Z")["id"]
    owner = world.users["alice"]["sub"]
    expected = []
    for turn in range(3):
        sent = world.send(
            "alice", conversation_id, f"question {turn}", f"2026-04-01T00:0{turn}:00.000Z"
        ).result
        answered = world.answer(conversation_id, sent["id"], owner, f"answer {turn}", sent["createdAt"])
        assert answered.error is None and answered.result["associatedUserMessageId"] == sent["id"]
        expected += [("user", f"question {turn}"), ("assistant", f"answer {turn}")]

    pages, token = [], None
    while True:
        run = world.list_messages("alice", conversation_id, limit=4, nextToken=token)
        assert run.error is None
        pages.append(run.result["items"])
        token = run.result["nextToken"]
        if token is None:
            break

    assert [len(page) for page in pages[:2]] == [4, 2]
    listed = [(item["role"], item["content"][0]["text"]) for page in pages for item in page]
    assert listed == expected


def test_another_user_can_neither_list_read_send_to_nor_subscribe_to_a_conversation(world: ChatWorld) -> None:
    conversation_id = world.create("alice", "private", "2026-05-01T00:00:00.000Z")["id"]
    world.send("alice", conversation_id, "my secret question", "2026-05-01T00:01:00.000Z")
    invocations_before = len(world.invocations.events)

    listing = world.list_messages("bob", conversation_id)
    reading = world.unit("getConversation", world.conversations, "bob", id=conversation_id)
    sending = world.send("bob", conversation_id, "let me in", "2026-05-01T00:02:00.000Z")
    subscribing = world.subscribe("bob", conversation_id, [])

    assert listing.error_type == "NotFound" and listing.result is None
    assert len(listing.requests) == 1  # the ownership check; no message was ever read
    assert reading.result is None
    assert sending.error_type == "NotFound"
    assert len(world.invocations.events) == invocations_before
    assert [
        item["content"][0]["text"] for item in world.list_messages("alice", conversation_id).result["items"]
    ] == ["my secret question"]
    assert subscribing == {"error": "NotFound"}


def test_answers_reach_only_the_owner_subscribed_to_that_conversation(world: ChatWorld) -> None:
    alice, bob = world.users["alice"]["sub"], world.users["bob"]["sub"]
    mine = world.create("alice", "answers", "2026-06-01T00:00:00.000Z")["id"]
    other = world.create("alice", "other", "2026-06-01T00:00:01.000Z")["id"]

    def publish(conversation_id: str, owner: str) -> dict[str, Any]:
        part = {"conversationId": conversation_id, "associatedUserMessageId": "u1", "owner": owner,
                "contentBlockIndex": 0, "contentBlockDeltaIndex": 0, "contentBlockText": "Hello"}  # fmt: skip
        run = world.publish(part, IAM_CALLER)
        assert run.error is None
        return run.result

    published = [publish(mine, alice), publish(other, alice), publish(mine, bob)]
    outcome = world.subscribe("alice", mine, published)

    assert published[0]["id"] == "u1#stream" and published[0]["contentBlockText"] == "Hello"
    assert outcome["result"] is None
    assert outcome["delivered"] == [True, False, False]


@pytest.mark.parametrize(
    ("resolver", "identity", "arguments", "error_type"),
    [
        (
            "createAssistantResponseStream",
            "alice",
            {"input": {"conversationId": "c", "associatedUserMessageId": "u", "owner": "x"}},
            "Unauthorized",
        ),
        (
            "createAssistantResponseStream",
            None,
            {"input": {"conversationId": "c", "associatedUserMessageId": "u", "owner": ""}},
            "ValidationError",
        ),
        ("listConversations", "alice", {"filter": {"id": {"eq": "x"}}}, "ValidationError"),
        ("listConversations", "alice", {"limit": 0}, "ValidationError"),
        ("listConversations", None, {}, "Unauthorized"),
        ("getConversation", None, {"id": "x"}, "Unauthorized"),
        ("createConversation", "alice", {"input": {"name": "n" * 201}}, "ValidationError"),
    ],
)
def test_refusals_name_the_problem(
    world: ChatWorld, resolver: str, identity: str | None, arguments: dict[str, Any], error_type: str
) -> None:
    source = world.none if resolver == "createAssistantResponseStream" else world.conversations
    caller = world.users[identity] if identity else (IAM_CALLER if resolver.startswith("create") else None)
    run = world.harness.run_unit(CODE / f"{resolver}.js", source, arguments=arguments, identity=caller)
    assert run.error_type == error_type and run.requests == []


@pytest.mark.parametrize(
    "identity",
    [
        {"accountId": "123456789012", "userArn": "arn:aws:sts::123456789012:assumed-role/auth/x",
         "cognitoIdentityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555",
         "cognitoIdentityId": "us-east-1:66666666-7777-8888-9999-000000000000"},
        None,
    ],
    ids=["identity-pool user", "anonymous"],
)  # fmt: skip
def test_only_the_handler_role_may_publish_stream_parts(
    world: ChatWorld, identity: dict[str, Any] | None
) -> None:
    part = {"conversationId": "c", "associatedUserMessageId": "u", "owner": world.users["alice"]["sub"]}
    run = world.publish(part, identity)
    assert run.error_type == "Unauthorized" and run.requests == []
    allowed = world.publish(part, IAM_CALLER)
    assert allowed.error is None and allowed.result["id"] == "u#stream"


OTHER_IAM_CALLERS = {
    "another role of the account": "arn:aws:sts::123456789012:assumed-role/other-role/x",
    "a role whose name extends the handler role's": "arn:aws:sts::123456789012:assumed-role/handler-extra/x",
    "the handler role's name in another account": "arn:aws:sts::210987654321:assumed-role/handler/x",
    "the handler role's name in another partition": "arn:aws-us-gov:sts::123456789012:assumed-role/handler/x",
    "an IAM user named like the role": "arn:aws:iam::123456789012:user/handler",
}
"""IAM callers that AppSync lets through when their own policy allows appsync:GraphQL on the API."""


@pytest.mark.parametrize("user_arn", list(OTHER_IAM_CALLERS.values()), ids=list(OTHER_IAM_CALLERS))
def test_only_the_handler_role_may_store_or_publish_an_answer(world: ChatWorld, user_arn: str) -> None:
    """Another principal of the account with appsync:GraphQL can neither write into a user's conversation nor
    publish into their subscription: refused before any data source is called; the handler's role can."""
    alice = world.users["alice"]["sub"]
    conversation_id = world.create("alice", "only the handler answers", "2026-08-01T00:00:00.000Z")["id"]
    sent = world.send("alice", conversation_id, "question", "2026-08-01T00:01:00.000Z").result
    answer = {"conversationId": conversation_id, "associatedUserMessageId": sent["id"], "owner": alice,
              "content": [{"text": "forged"}], "createdAt": sent["createdAt"]}  # fmt: skip
    part = {"conversationId": conversation_id, "associatedUserMessageId": sent["id"], "owner": alice,
            "contentBlockIndex": 0, "contentBlockDeltaIndex": 0, "contentBlockText": "forged"}  # fmt: skip
    intruder = {**IAM_CALLER, "userArn": user_arn}

    stored = world.harness.run_pipeline(CODE / "createAssistantResponse.js", world.answer_steps(),
                                        arguments={"input": answer}, identity=intruder,
                                        now="2026-08-01T00:02:00.000Z")  # fmt: skip
    published = world.publish(part, intruder)

    assert (stored.error_type, published.error_type) == ("Unauthorized", "Unauthorized")
    assert stored.requests == published.requests == [] and published.result is None
    items = world.list_messages("alice", conversation_id).result["items"]
    assert [item["role"] for item in items] == ["user"]
    conversation = world.unit("getConversation", world.conversations, "alice", id=conversation_id).result
    assert conversation["updatedAt"] == "2026-08-01T00:01:00.000Z"

    # The same calls from any session of the handler's own role go through.
    handler_session = {**IAM_CALLER, "userArn": "arn:aws:sts::123456789012:assumed-role/handler/chat-1a2b3c"}
    answered = world.answer(conversation_id, sent["id"], alice, "the answer", sent["createdAt"])
    streamed = world.publish({**part, "contentBlockText": "the answer"}, handler_session)
    assert answered.error is None and answered.result["content"] == [{"text": "the answer"}]
    assert streamed.error is None and streamed.result["contentBlockText"] == "the answer"


def test_pipeline_refusals(world: ChatWorld) -> None:
    conversation_id = world.create("alice", "refusals", "2026-07-01T00:00:00.000Z")["id"]
    steps = [step("touchConversation", world.conversations), step("writeMessage", world.messages)]

    stranger_answer = world.answer(
        conversation_id, "u1", world.users["bob"]["sub"], "hijack", "2026-07-01T00:01:00.000Z"
    )
    user_answer = world.harness.run_pipeline(
        CODE / "createAssistantResponse.js", world.answer_steps(), identity=world.users["alice"],
        arguments={"input": {"conversationId": conversation_id, "associatedUserMessageId": "u1",
                             "owner": world.users["alice"]["sub"], "content": [{"text": "forged"}]}},
    )  # fmt: skip
    pool_identity = {
        **IAM_CALLER,
        "cognitoIdentityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555",
        "cognitoIdentityId": "us-east-1:66666666-7777-8888-9999-000000000000",
    }
    browser_answer = world.harness.run_pipeline(
        CODE / "createAssistantResponse.js", world.answer_steps(), identity=pool_identity,
        arguments={"input": {"conversationId": conversation_id, "associatedUserMessageId": "u1",
                             "owner": world.users["alice"]["sub"], "content": [{"text": "forged"}],
                             "createdAt": "2026-07-01T00:01:00.000Z"}},
    )  # fmt: skip
    assert browser_answer.error_type == "Unauthorized" and browser_answer.requests == []
    empty = world.harness.run_pipeline(CODE / "sendMessage.js", steps, identity=world.users["alice"],
                                       arguments={"conversationId": conversation_id, "content": []})  # fmt: skip
    mixed = world.harness.run_pipeline(
        CODE / "sendMessage.js", steps, identity=world.users["alice"],
        arguments={"conversationId": conversation_id, "content": [{"text": "a", "image": {"format": "png"}}]},
    )  # fmt: skip
    no_filter = world.harness.run_pipeline(
        CODE / "listMessages.js", [], identity=world.users["alice"], arguments={}
    )
    # Keys sort by createdAt as text: an offset or missing milliseconds would misplace the answer.
    offset_time = world.answer(
        conversation_id, "u1", world.users["alice"]["sub"], "late", "2026-07-01T02:01:00.000+02:00"
    )

    assert stranger_answer.error_type == "NotFound"
    assert user_answer.error_type == "Unauthorized"
    assert empty.error_type == mixed.error_type == no_filter.error_type == "ValidationError"
    assert offset_time.error_type == "ValidationError" and offset_time.requests == []
    assert world.list_messages("alice", conversation_id).result["items"] == []


def test_every_conversation_resolver_file_is_exercised() -> None:
    exercised = {
        "getConversation", "listConversations", "createConversation", "updateConversation", "deleteConversation",
        "sendMessage", "listMessages", "createAssistantResponse", "createAssistantResponseStream",
        "onCreateAssistantResponse", "touchConversation.function", "writeMessage.function",
        "invokeHandler.function", "verifyConversationOwner.function", "queryMessages.function",
        "toolSettings.function", "verifyHandlerCaller.function",
    }  # fmt: skip
    assert {path.name.removesuffix(".js") for path in Path(CODE).glob("*.js")} == exercised
