"""Repeated runs against the route's real resolvers: one user message gets one stored answer.

Two sources of repetition: the handler's GraphQL client resends a request after a timeout, which can
follow a write that did happen; and Lambda delivers an asynchronous event at least once, so a whole
turn may run twice for one message, one run after the other or both at once. Here AppSync is the
harness running the route's APPSYNC_JS resolvers on moto tables.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer

from genai_backend_components.conversation.conversation_handler.graphql_client import GraphqlClient
from genai_backend_components.conversation.conversation_handler.turn import Turn, TurnEvent, TurnReport
from tests.appsync_harness import (
    CONVERSATION_RESOLVERS,
    AppSyncHarness,
    PipelineFunction,
    ResolverRun,
    dynamodb_table,
    none_source,
)
from tests.conversation_appsync import handler_caller_check_file
from tests.conversation_fakes import (
    CONVERSATION,
    ENVIRONMENT,
    GRAPHQL_URL,
    HANDLER_LOGGER,
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

CODE = CONVERSATION_RESOLVERS
IAM_CALLER = {"accountId": "123456789012", "userArn": "arn:aws:sts::123456789012:assumed-role/handler/x"}
HANDLER_ROLE = "handler"
"""The handler's execution role: IAM_CALLER is one of its sessions."""


def store_answer(
    harness: AppSyncHarness, world: World, handler_check: Path, variables: dict[str, Any], now: str
) -> ResolverRun:
    """createAssistantResponse<Route> as AppSync runs it: the route's pipeline on the moto tables."""
    steps = [
        PipelineFunction(handler_check, none_source()),
        PipelineFunction(CODE / "touchConversation.function.js",
                         dynamodb_table("Conversations", world.dynamodb, ENVIRONMENT["CONVERSATIONS_TABLE_NAME"])),
        PipelineFunction(CODE / "writeMessage.function.js",
                         dynamodb_table("Messages", world.dynamodb, ENVIRONMENT["MESSAGES_TABLE_NAME"])),
    ]  # fmt: skip
    return harness.run_pipeline(CODE / "createAssistantResponse.js", steps, arguments=variables,
                                identity=IAM_CALLER, now=now)  # fmt: skip


def stored_messages(world: World) -> list[dict[str, Any]]:
    """The conversation's messages in table order, which is the order listMessages returns them in."""
    items = world.dynamodb.query(
        TableName=ENVIRONMENT["MESSAGES_TABLE_NAME"],
        KeyConditionExpression="conversationId = :id",
        ExpressionAttributeValues={":id": {"S": CONVERSATION}},
        ConsistentRead=True,
    )["Items"]
    deserializer = TypeDeserializer()
    return [{name: deserializer.deserialize(value) for name, value in item.items()} for item in items]


def stored_answers(world: World, user_message_id: str) -> list[dict[str, Any]]:
    return [
        item
        for item in stored_messages(world)
        if item["role"] == "assistant" and item["associatedUserMessageId"] == user_message_id
    ]


@dataclass
class ResolvingAppSync:
    """The handler's HTTP transport, answered by the route's resolvers; may lose the first store's response."""

    harness: AppSyncHarness
    world: World
    handler_check: Path
    """The answer mutations' first step, generated for HANDLER_ROLE."""
    lose_first_store_response: bool = False
    bodies: list[dict[str, Any]] = field(default_factory=list)
    store_bodies: list[dict[str, Any]] = field(default_factory=list)
    seconds: int = 0

    def __call__(self, request: Any, timeout_seconds: float) -> tuple[int, bytes]:
        body = json.loads(request.data)
        self.bodies.append(body)
        self.seconds += 1  # every request reaches AppSync a second later than the one before
        now = f"2026-10-01T09:01:{self.seconds:02d}.000Z"
        if "createAssistantResponseChat(" in body["query"]:
            self.store_bodies.append(body)
            run = store_answer(self.harness, self.world, self.handler_check, body["variables"], now)
            if self.lose_first_store_response and len(self.store_bodies) == 1:
                raise TimeoutError("the response to the first store was lost after the write")
            field_name = "createAssistantResponseChat"
        else:
            steps = [PipelineFunction(self.handler_check, none_source())]
            run = self.harness.run_pipeline(CODE / "createAssistantResponseStream.js", steps,
                                            arguments=body["variables"], identity=IAM_CALLER, now=now)  # fmt: skip
            field_name = "createAssistantResponseStreamChat"
        if run.error is not None:
            errors = [{"errorType": run.error.error_type, "message": run.error.message}]
            return 200, json.dumps({"data": None, "errors": errors}).encode()
        return 200, json.dumps({"data": {field_name: run.result}}).encode()

    def parts(self) -> list[dict[str, Any]]:
        """The stream parts sent to subscribers, in order."""
        return [body["variables"]["input"] for body in self.bodies
                if "createAssistantResponseStreamChat(" in body["query"]]  # fmt: skip


@dataclass
class ModelWaitingMeanwhile:
    """A bedrock-runtime client that lets ``meanwhile`` run while the model is being asked."""

    client: Any
    meanwhile: Callable[[], None]

    def converse_stream(self, **request: Any) -> Any:
        self.meanwhile()
        return self.client.converse_stream(**request)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with conversation_world() as created:
        yield created


@pytest.fixture(scope="module")
def harness() -> Iterator[AppSyncHarness]:
    with AppSyncHarness() as started:
        yield started


@pytest.fixture(scope="module")
def handler_check(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return handler_caller_check_file(tmp_path_factory.mktemp("generated"), HANDLER_ROLE)


def turn_with(world: World, bedrock: Any, appsync: ResolvingAppSync, clock: FakeClock) -> Turn:
    graphql = GraphqlClient(GRAPHQL_URL, REGION, Credentials, transport=appsync, sleep=lambda seconds: None)
    return Turn(world.settings, dynamodb=world.dynamodb, bedrock=bedrock, graphql=graphql, clock=clock,
                time_left=lambda: True)  # fmt: skip


def event_for(message_id: str) -> TurnEvent:
    return TurnEvent(conversation_id=CONVERSATION, current_message_id=message_id, owner=OWNER)


def test_an_answer_whose_store_is_retried_after_a_lost_response_is_stored_once(
    world: World, harness: AppSyncHarness, handler_check: Path
) -> None:
    asked_at = "2026-10-01T09:00:00.000Z"
    store_message(world, "m-retry", asked_at, "user", [{"text": USER_TEXT}])
    bedrock = FakeBedrock(FakeClock(), answer_frames(["Arsenal ", "lead."]))
    appsync = ResolvingAppSync(harness, world, handler_check, lose_first_store_response=True)

    report = turn_with(world, bedrock.client(), appsync, bedrock.clock).run(event_for("m-retry"))

    assert report.status == "answered" and report.error_type is None
    # The write was attempted twice with the very same request, and one answer is stored, keyed by
    # the question it answers: its key extends the question's "<createdAt>#<id>".
    assert len(appsync.store_bodies) == 2 and appsync.store_bodies[0] == appsync.store_bodies[1]
    assert [(answer["createdAtId"], answer["id"], answer["createdAt"], answer["updatedAt"], answer["content"])
            for answer in stored_answers(world, "m-retry")] == [
        (f"{asked_at}#m-retry#response", "m-retry#response", asked_at, asked_at, [{"text": "Arsenal lead."}])
    ]  # fmt: skip


def test_a_duplicate_event_for_an_answered_message_neither_asks_the_model_nor_writes(
    world: World, harness: AppSyncHarness, handler_check: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store_message(world, "m-again", "2026-10-03T09:00:00.000Z", "user", [{"text": USER_TEXT}])
    first_model = FakeBedrock(FakeClock(), answer_frames(["Arsenal ", "lead."]))
    first = turn_with(
        world, first_model.client(), ResolvingAppSync(harness, world, handler_check), first_model.clock
    )
    assert first.run(event_for("m-again")).status == "answered"
    second_model = FakeBedrock(FakeClock(), answer_frames(["Chelsea ", "lead."]))
    second_appsync = ResolvingAppSync(harness, world, handler_check)
    caplog.set_level(logging.INFO, logger=HANDLER_LOGGER)
    caplog.clear()

    report = turn_with(world, second_model.client(), second_appsync, second_model.clock).run(
        event_for("m-again")
    )

    assert (report.status, report.error_type, report.parts_sent) == ("duplicate", None, 0)
    assert second_model.requests == [] and second_appsync.bodies == []
    assert [answer["content"] for answer in stored_answers(world, "m-again")] == [[{"text": "Arsenal lead."}]]
    [record] = [record for record in caplog.records if record.name.startswith(f"{HANDLER_LOGGER}.")]
    assert record.levelno == logging.INFO and record.__dict__["messageId"] == "m-again"
    logged = json.dumps({**record.__dict__, "message": record.getMessage()}, default=str)
    assert USER_TEXT not in logged and "Arsenal" not in logged


def test_of_two_runs_racing_for_one_message_only_the_first_store_counts_and_the_other_stays_quiet(
    world: World, harness: AppSyncHarness, handler_check: Path
) -> None:
    store_message(world, "m-race", "2026-10-04T09:00:00.000Z", "user", [{"text": USER_TEXT}])
    winner_model = FakeBedrock(FakeClock(), answer_frames(["Arsenal ", "lead."]))
    winner_appsync = ResolvingAppSync(harness, world, handler_check)
    winner = turn_with(world, winner_model.client(), winner_appsync, winner_model.clock)
    winner_reports: list[TurnReport] = []
    # The late run has read the history (no answer yet) and waits for its model while the other
    # run, started by a duplicate event, answers and stores; then it finishes with its own answer.
    late_model = FakeBedrock(FakeClock(), answer_frames(["Chelsea ", "lead."]))
    late_appsync = ResolvingAppSync(harness, world, handler_check)
    racing = ModelWaitingMeanwhile(
        late_model.client(), lambda: winner_reports.append(winner.run(event_for("m-race")))
    )

    late = turn_with(world, racing, late_appsync, late_model.clock).run(event_for("m-race"))

    assert [report.status for report in winner_reports] == ["answered"]
    assert (late.status, late.error_type) == ("duplicate", None)
    assert [answer["content"] for answer in stored_answers(world, "m-race")] == [[{"text": "Arsenal lead."}]]
    # The late run streamed its answer, tried to store it once, was refused, and then sent neither an
    # error nor a stop reason: the client's turn is the winner's, which ended it.
    assert len(late_appsync.store_bodies) == 1 and late_appsync.parts()
    assert all("errors" not in part and "stopReason" not in part for part in late_appsync.parts())
    assert winner_appsync.parts()[-1]["stopReason"] == "end_turn"


def test_an_answer_lists_right_after_its_question_even_when_another_was_sent_meanwhile(
    world: World, harness: AppSyncHarness, handler_check: Path
) -> None:
    store_message(world, "m-first", "2026-10-05T09:00:00.000Z", "user", [{"text": USER_TEXT}])
    # Sent while the first question was being answered: later than it, earlier than its answer's run.
    store_message(world, "m-second", "2026-10-05T09:00:02.000Z", "user", [{"text": "And who is last?"}])
    bedrock = FakeBedrock(FakeClock(), answer_frames(["Arsenal ", "lead."]))

    report = turn_with(
        world, bedrock.client(), ResolvingAppSync(harness, world, handler_check), bedrock.clock
    ).run(event_for("m-first"))

    assert report.status == "answered"
    listed = [(item["role"], item.get("associatedUserMessageId"), item["id"]) for item in stored_messages(world)
              if item["createdAt"].startswith("2026-10-05")]  # fmt: skip
    assert listed == [
        ("user", None, "m-first"),
        ("assistant", "m-first", "m-first#response"),
        ("user", None, "m-second"),
    ]


def test_a_different_answer_to_an_answered_message_is_refused_not_added(
    world: World, harness: AppSyncHarness, handler_check: Path
) -> None:
    asked_at = "2026-10-02T09:00:00.000Z"
    store_message(world, "m-twice", asked_at, "user", [{"text": USER_TEXT}])
    answer = {"conversationId": CONVERSATION, "associatedUserMessageId": "m-twice", "owner": OWNER,
              "createdAt": asked_at}  # fmt: skip
    first = store_answer(harness, world, handler_check, {"input": {**answer, "content": [{"text": "Arsenal."}]}},
                         "2026-10-02T09:00:05.000Z")  # fmt: skip
    other = store_answer(harness, world, handler_check, {"input": {**answer, "content": [{"text": "Chelsea."}]}},
                         "2026-10-02T09:00:09.000Z")  # fmt: skip

    assert first.error is None and other.error_type == "Conflict"
    assert [item["content"] for item in stored_answers(world, "m-twice")] == [[{"text": "Arsenal."}]]
