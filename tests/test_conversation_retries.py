"""The handler's retries against the route's real resolvers: a retried answer is stored once.

The handler's GraphQL client resends a request after a timeout, and a timeout can follow a write
that did happen. Here AppSync is the harness running the route's APPSYNC_JS resolvers on moto
tables, and the first response to the store mutation is lost after the resolver has written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer

from functions.conversation.graphql_client import GraphqlClient
from functions.conversation.turn import Turn, TurnEvent
from tests.appsync_harness import (
    RESOLVERS,
    AppSyncHarness,
    PipelineFunction,
    ResolverRun,
    dynamodb_table,
    none_source,
)
from tests.conversation_fakes import (
    CONVERSATION,
    ENVIRONMENT,
    GRAPHQL_URL,
    OWNER,
    REGION,
    USER_TEXT,
    Credentials,
    FakeBedrock,
    FakeClock,
    World,
    answer_frames,
    conversation_world,
    store_message,
)

CODE = RESOLVERS / "conversation"
IAM_CALLER = {"accountId": "123456789012", "userArn": "arn:aws:sts::123456789012:assumed-role/handler/x"}
ANSWERED_AT = "2026-10-01T09:00:05.000Z"


def store_answer(harness: AppSyncHarness, world: World, variables: dict[str, Any], now: str) -> ResolverRun:
    """createAssistantResponse<Route> as AppSync runs it: the route's pipeline on the moto tables."""
    steps = [
        PipelineFunction(CODE / "touchConversation.function.js",
                         dynamodb_table("Conversations", world.dynamodb, ENVIRONMENT["CONVERSATIONS_TABLE_NAME"])),
        PipelineFunction(CODE / "writeMessage.function.js",
                         dynamodb_table("Messages", world.dynamodb, ENVIRONMENT["MESSAGES_TABLE_NAME"])),
    ]  # fmt: skip
    return harness.run_pipeline(CODE / "createAssistantResponse.js", steps, arguments=variables,
                                identity=IAM_CALLER, now=now)  # fmt: skip


def stored_answers(world: World, user_message_id: str) -> list[dict[str, Any]]:
    items = world.dynamodb.query(
        TableName=ENVIRONMENT["MESSAGES_TABLE_NAME"],
        KeyConditionExpression="conversationId = :id",
        ExpressionAttributeValues={":id": {"S": CONVERSATION}},
        ConsistentRead=True,
    )["Items"]
    deserializer = TypeDeserializer()
    return [
        {name: deserializer.deserialize(value) for name, value in item.items()}
        for item in items
        if item["role"]["S"] == "assistant" and item["associatedUserMessageId"]["S"] == user_message_id
    ]


@dataclass
class ResolvingAppSync:
    """The handler's HTTP transport, answered by the route's resolvers; loses the first store's response."""

    harness: AppSyncHarness
    world: World
    store_bodies: list[dict[str, Any]] = field(default_factory=list)
    seconds: int = 0

    def __call__(self, request: Any, timeout_seconds: float) -> tuple[int, bytes]:
        body = json.loads(request.data)
        self.seconds += 1  # every request reaches AppSync a second later than the one before
        now = f"2026-10-01T09:01:{self.seconds:02d}.000Z"
        if "createAssistantResponseChat(" in body["query"]:
            self.store_bodies.append(body)
            run = store_answer(self.harness, self.world, body["variables"], now)
            if len(self.store_bodies) == 1:
                raise TimeoutError("the response to the first store was lost after the write")
            field_name = "createAssistantResponseChat"
        else:
            run = self.harness.run_unit(CODE / "createAssistantResponseStream.js", none_source(),
                                        arguments=body["variables"], identity=IAM_CALLER, now=now)  # fmt: skip
            field_name = "createAssistantResponseStreamChat"
        if run.error is not None:
            errors = [{"errorType": run.error.error_type, "message": run.error.message}]
            return 200, json.dumps({"data": None, "errors": errors}).encode()
        return 200, json.dumps({"data": {field_name: run.result}}).encode()


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with conversation_world() as created:
        yield created


@pytest.fixture(scope="module")
def harness() -> Iterator[AppSyncHarness]:
    with AppSyncHarness() as started:
        yield started


def test_an_answer_whose_store_is_retried_after_a_lost_response_is_stored_once(
    world: World, harness: AppSyncHarness
) -> None:
    store_message(world, "m-retry", "2026-10-01T09:00:00.000Z", "user", [{"text": USER_TEXT}])
    bedrock = FakeBedrock(FakeClock(), answer_frames(["Arsenal ", "lead."]))
    appsync = ResolvingAppSync(harness, world)
    graphql = GraphqlClient(GRAPHQL_URL, REGION, Credentials, transport=appsync, sleep=lambda seconds: None)
    turn = Turn(world.settings, dynamodb=world.dynamodb, bedrock=bedrock.client(), graphql=graphql,
                clock=bedrock.clock, time_left=lambda: True, timestamp=lambda: ANSWERED_AT)  # fmt: skip

    report = turn.run(TurnEvent(conversation_id=CONVERSATION, current_message_id="m-retry", owner=OWNER))

    assert report.status == "answered" and report.error_type is None
    # The write was attempted twice with the very same request, and one answer is stored.
    assert len(appsync.store_bodies) == 2 and appsync.store_bodies[0] == appsync.store_bodies[1]
    assert [(answer["id"], answer["createdAt"], answer["updatedAt"], answer["content"])
            for answer in stored_answers(world, "m-retry")] == [
        ("m-retry#response", ANSWERED_AT, ANSWERED_AT, [{"text": "Arsenal lead."}])
    ]  # fmt: skip


def test_a_different_answer_to_an_answered_message_is_refused_not_added(
    world: World, harness: AppSyncHarness
) -> None:
    store_message(world, "m-twice", "2026-10-02T09:00:00.000Z", "user", [{"text": USER_TEXT}])
    answer = {"conversationId": CONVERSATION, "associatedUserMessageId": "m-twice", "owner": OWNER,
              "createdAt": "2026-10-02T09:00:04.000Z"}  # fmt: skip
    first = store_answer(harness, world, {"input": {**answer, "content": [{"text": "Arsenal."}]}},
                         "2026-10-02T09:00:05.000Z")  # fmt: skip
    other = store_answer(harness, world, {"input": {**answer, "content": [{"text": "Chelsea."}]}},
                         "2026-10-02T09:00:09.000Z")  # fmt: skip

    assert first.error is None and other.error_type == "Conflict"
    assert [item["content"] for item in stored_answers(world, "m-twice")] == [[{"text": "Arsenal."}]]
