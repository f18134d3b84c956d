"""The conversation handler in-process: batching of a long answer, the model request built from
stored history, SigV4 signing of the AppSync calls, the Lambda entry point, and its settings.

Figures asserted here are derived from the batching rule stated in streaming.py (time since the
previous batch, or size), not taken from the implementation.
"""

from __future__ import annotations

import json
import math

import pytest

from genai_backend_components.conversation.conversation_handler import handler as conversation_handler
from genai_backend_components.conversation.conversation_handler.settings import SettingsError, load_settings
from tests.conversation_fakes import (
    ACCESS_KEY,
    ANSWER_WORD,
    CONVERSATION,
    ENVIRONMENT,
    GRAPHQL_URL,
    OWNER,
    REGION,
    SESSION_TOKEN,
    SYSTEM_PROMPT,
    USER_TEXT,
    FakeAppSync,
    FakeBedrock,
    FakeClock,
    LambdaContext,
    World,
    answer_frames,
    reassembled,
    run_turn,
    store_message,
    world_fixture,
)

world = world_fixture()


@pytest.mark.parametrize(
    ("step_milliseconds", "batch_milliseconds", "batch_characters", "expected_text_batches"),
    [
        # 500 deltas 50 ms apart, one batch per 1000 ms: 20 deltas per batch.
        pytest.param(50, 1000, 100_000, 500 * 50 // 1000, id="time-bound"),
        # No time passes; 6-character deltas, 300 characters per batch: 50 deltas per batch.
        pytest.param(0, 60_000, 300, 500 * len(ANSWER_WORD) // 300, id="size-bound"),
    ],
)
def test_long_answer_is_streamed_in_batches_and_stored_once(
    world: World,
    step_milliseconds: int,
    batch_milliseconds: int,
    batch_characters: int,
    expected_text_batches: int,
) -> None:
    message_id = f"m-long-{step_milliseconds}"
    asked_at = f"2026-02-0{1 + step_milliseconds % 7}T10:00:00.000Z"
    store_message(world, message_id, asked_at, "user", [{"text": USER_TEXT}])
    bedrock = FakeBedrock(FakeClock(), answer_frames([ANSWER_WORD] * 500), step_milliseconds)
    appsync = FakeAppSync()

    report = run_turn(world, message_id, bedrock, appsync, batch_milliseconds=batch_milliseconds,
                      batch_characters=batch_characters)  # fmt: skip

    parts = appsync.inputs("createAssistantResponseStreamChat")
    stored = appsync.inputs("createAssistantResponseChat")
    text_parts = [part for part in parts if "contentBlockText" in part]
    assert report.status == "answered"
    assert len(text_parts) == expected_text_batches
    assert reassembled(parts) == ANSWER_WORD * 500
    # After the text: block done (at the last delta index), then the stop reason, in that order.
    assert parts[-2] == {
        **parts[-2],
        "contentBlockIndex": 0,
        "contentBlockDoneAtIndex": expected_text_batches - 1,
    }
    assert parts[-1]["stopReason"] == "end_turn"
    assert len(parts) == expected_text_batches + 2
    # Exactly one persisting mutation (one DynamoDB write in its resolver) for the whole answer,
    # sent before the stop reason so a client reloading on it finds the message; it carries the
    # question's stored time, which keys the answer whichever run stores it.
    assert stored == [{"conversationId": CONVERSATION, "associatedUserMessageId": message_id, "owner": OWNER,
                       "content": [{"text": ANSWER_WORD * 500}], "createdAt": asked_at}]  # fmt: skip
    bodies = appsync.bodies()
    assert "createAssistantResponseChat(" in bodies[-2]["query"] and "stopReason" in json.dumps(bodies[-1])
    for part in parts:
        assert (part["conversationId"], part["associatedUserMessageId"], part["owner"]) == (
            CONVERSATION,
            message_id,
            OWNER,
        )


def test_model_request_carries_settings_and_reconciled_history(world: World) -> None:
    store_message(world, "m-h1", "2026-03-01T10:00:00.000Z", "user", [{"text": "first question"}])
    store_message(world, "m-h1-answer", "2026-03-01T10:00:05.000Z", "assistant", [{"text": "first answer"}],
                  associatedUserMessageId="m-h1")  # fmt: skip
    store_message(world, "m-h2", "2026-03-01T10:01:00.000Z", "user", [{"text": "never answered"}])
    store_message(world, "m-h3", "2026-03-01T10:02:00.000Z", "user",
                  [{"text": "second question"}, {"toolResult": {"toolUseId": "t", "content": []}}],
                  aiContext={"page": "standings", "season": 2025})  # fmt: skip
    bedrock = FakeBedrock(FakeClock(), answer_frames(["ok"]))

    run_turn(world, "m-h3", bedrock, FakeAppSync())

    [request] = bedrock.requests
    assert bedrock.urls[0].endswith("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream")
    assert request["system"] == [{"text": SYSTEM_PROMPT}]
    assert request["inferenceConfig"] == {"maxTokens": 1024, "temperature": 0.4}
    assert "toolConfig" not in request
    assert request["messages"] == [
        {"role": "user", "content": [{"text": "first question"}]},
        {"role": "assistant", "content": [{"text": "first answer"}]},
        {
            "role": "user",
            "content": [{"text": "second question"}, {"text": '{"page": "standings", "season": 2025}'}],
        },
    ]


def test_appsync_requests_are_sigv4_signed_for_appsync_with_the_function_role(world: World) -> None:
    store_message(world, "m-sign", "2026-04-01T10:00:00.000Z", "user", [{"text": USER_TEXT}])
    appsync = FakeAppSync()

    run_turn(world, "m-sign", FakeBedrock(FakeClock(), answer_frames(["a", "b"])), appsync)

    for request in appsync.requests:
        assert request.full_url == GRAPHQL_URL and request.get_method() == "POST"
        authorization = request.get_header("Authorization")
        assert authorization.startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
        assert f"/{REGION}/appsync/aws4_request" in authorization
        assert request.get_header("X-amz-security-token") == SESSION_TOKEN
    stream_query = appsync.bodies()[0]["query"]
    assert "($input: CreateConversationMessageChatAssistantStreamingInput!)" in stream_query
    # Subscribers only get the fields the mutation selected; the owner filter needs `owner`.
    for selected in (
        "owner",
        "conversationId",
        "contentBlockText",
        "contentBlockDeltaIndex",
        "stopReason",
        "errors",
    ):
        assert selected in stream_query


def test_lambda_entry_point_answers_with_real_clients(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    store_message(world, "m-entry", "2026-07-01T10:00:00.000Z", "user", [{"text": USER_TEXT}])
    appsync = FakeAppSync()

    appsync.serve_urlopen(monkeypatch)
    conversation_handler._settings.cache_clear()
    conversation_handler._clients.cache_clear()
    fake = FakeBedrock(FakeClock(), answer_frames(["Hello", " there"]))
    fake.attach(conversation_handler._clients(REGION)[2])

    event = {"conversationId": CONVERSATION, "currentMessageId": "m-entry", "owner": OWNER}
    # Both deltas arrive well within one 1000 ms batch: one text part, block done, stop reason.
    assert conversation_handler.handler(event, LambdaContext()) == {
        "status": "answered",
        "errorType": None,
        "partsSent": 3,
    }
    assert reassembled(appsync.inputs("createAssistantResponseStreamChat")) == "Hello there"

    rejected = conversation_handler.handler({"conversationId": CONVERSATION, "owner": OWNER}, LambdaContext())
    assert rejected["status"] == "rejected" and len(fake.requests) == 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MODEL_ID", "", "MODEL_ID: the environment variable is missing"),
        ("MAX_TOKENS", "lots", "MAX_TOKENS: 'lots' is not an integer"),
        ("BATCH_CHARACTERS", "0", "BATCH_CHARACTERS: 0 is out of range"),
        ("TEMPERATURE", "1.5", "TEMPERATURE: 1.5 is out of range"),
    ],
)
def test_settings_name_the_broken_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings({**ENVIRONMENT, variable: value})
    assert load_settings({**ENVIRONMENT, "TEMPERATURE": ""}).temperature is None
    assert math.isclose(load_settings(ENVIRONMENT).temperature or 0, 0.4)
