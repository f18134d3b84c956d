"""How the conversation handler fails: every failure reaches the client through the protocol's error
path (a stream part with ``errors``), nothing is stored, and no log line carries content or secrets."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from genai_backend_components.conversation.conversation_handler.graphql_client import GraphqlClient
from genai_backend_components.conversation.conversation_handler.turn import Turn, TurnEvent
from tests.conversation_fakes import (
    CONVERSATION,
    GRAPHQL_URL,
    HANDLER_LOGGER,
    OTHER_OWNER,
    OWNER,
    REGION,
    SECRET_KEY,
    SESSION_TOKEN,
    SYSTEM_PROMPT,
    USER_TEXT,
    Credentials,
    FakeAppSync,
    FakeBedrock,
    FakeClock,
    World,
    answer_frames,
    event,
    exception,
    run_turn,
    store_message,
    world_fixture,
)

world = world_fixture()


@pytest.mark.parametrize(
    ("scenario", "expected_error_type"),
    [
        ("throttled-request", "ThrottlingError"),
        ("model-error-mid-stream", "ModelError"),
        ("stream-cut-off", "ModelError"),
        ("deadline", "TimeoutError"),
        ("not-the-owner", "ConversationNotFound"),
        # No tools are offered (tools.py); a model asking for one anyway must not leave a half answer.
        ("tool-use-stop", "InternalError"),
        ("appsync-persist-fails", None),
    ],
)
def test_failures_reach_the_client_through_the_error_path(
    world: World, scenario: str, expected_error_type: str | None
) -> None:
    message_id = f"m-fail-{scenario}"
    store_message(
        world, message_id, f"2026-05-01T10:00:{len(scenario):02d}.000Z", "user", [{"text": USER_TEXT}]
    )
    bedrock = FakeBedrock(FakeClock(), answer_frames(["partial "] * 5), step_milliseconds=2000)
    appsync = FakeAppSync()
    owner, events_before_deadline = OWNER, [10**6]
    if scenario == "throttled-request":
        bedrock.http_error = (429, "ThrottlingException")
    elif scenario == "model-error-mid-stream":
        bedrock.frames = [
            *answer_frames(["partial "] * 5, stop=False),
            exception("modelStreamErrorException"),
        ]
    elif scenario == "stream-cut-off":
        bedrock.frames = answer_frames(["partial "] * 5, stop=False)
    elif scenario == "deadline":
        events_before_deadline[0] = 3
    elif scenario == "not-the-owner":
        owner = OTHER_OWNER
    elif scenario == "tool-use-stop":
        bedrock.frames = [
            *answer_frames(["partial "] * 5, stop=False),
            event("contentBlockStop", {"contentBlockIndex": 0}),
            event("messageStop", {"stopReason": "tool_use"}),
        ]

    def time_left() -> bool:
        events_before_deadline[0] -= 1
        return events_before_deadline[0] >= 0

    if scenario == "appsync-persist-fails":
        original = appsync.__call__

        def failing_persist(request: Any, timeout_seconds: float) -> tuple[int, bytes]:
            if b"createAssistantResponseChat(" in request.data:
                return 400, b'{"errors":[{"errorType":"Unauthorized"}]}'
            return original(request, timeout_seconds)

        transport: Any = failing_persist
        expected_error_type = "InternalError"
    else:
        transport = appsync
    graphql = GraphqlClient(GRAPHQL_URL, REGION, Credentials, transport=transport, sleep=lambda seconds: None)
    turn = Turn(world.settings, dynamodb=world.dynamodb, bedrock=bedrock.client(), graphql=graphql,
                clock=bedrock.clock, time_left=time_left)  # fmt: skip

    report = turn.run(TurnEvent(conversation_id=CONVERSATION, current_message_id=message_id, owner=owner))

    parts = appsync.inputs("createAssistantResponseStreamChat")
    assert report.status == "failed" and report.error_type == expected_error_type
    error_part = parts[-1]
    assert error_part["owner"] == owner and error_part["associatedUserMessageId"] == message_id
    [error] = error_part["errors"]
    assert error["errorType"] == expected_error_type and error["message"]
    assert "details that must not reach the client" not in json.dumps(parts)
    assert not any("stopReason" in part for part in parts)
    if scenario in ("throttled-request", "not-the-owner"):
        assert len(parts) == 1  # nothing was streamed before the failure
    if scenario == "not-the-owner":
        assert bedrock.requests == []  # no tokens are spent on a conversation the caller does not own
    if scenario != "appsync-persist-fails":
        assert appsync.inputs("createAssistantResponseChat") == []


def test_logs_hold_no_content_prompt_or_credentials_even_at_debug(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    store_message(world, "m-log-ok", "2026-06-01T10:00:00.000Z", "user", [{"text": USER_TEXT}])
    store_message(world, "m-log-fail", "2026-06-01T11:00:00.000Z", "user", [{"text": USER_TEXT}])
    model_text = "The confidential-league-alpha has eight teams."
    caplog.set_level(logging.DEBUG)

    run_turn(world, "m-log-ok", FakeBedrock(FakeClock(), answer_frames(model_text.split(" "))), FakeAppSync())
    failing = FakeBedrock(FakeClock(), [*answer_frames(["x"], stop=False), exception("throttlingException")])
    run_turn(world, "m-log-fail", failing, FakeAppSync())

    ours = [record for record in caplog.records if record.name.startswith(f"{HANDLER_LOGGER}.")]
    assert any(record.levelno == logging.DEBUG for record in ours)
    [failure] = [record for record in ours if record.levelno >= logging.ERROR]
    assert (
        failure.__dict__["cause"] == "throttlingException"
        and failure.__dict__["errorType"] == "ThrottlingError"
    )
    logged = json.dumps([{**record.__dict__, "message": record.getMessage()} for record in ours], default=str)
    for secret in (USER_TEXT, "confidential-league-alpha", "eight teams", SYSTEM_PROMPT, "7Q", SECRET_KEY,
                   SESSION_TOKEN, "AWS4-HMAC-SHA256"):  # fmt: skip
        assert secret not in logged
