"""Amplify's own client, run in Node, speaks the conversation protocol our schema serves.

tests/node/conversation/amplify_protocol.mjs drives ``client.conversations.chat`` from npm
aws-amplify (create, get, list, update, delete, sendMessage with text and with image/aiContext/
tools, listMessages, onStreamEvent) with the amplify_outputs.json our code generates; every GraphQL
document it sends, over HTTP and over the real-time WebSocket, is validated with graphql-js against
the schema ``compose_conversation_schema`` produces, and its variables are coerced against it.
The published parts fed to the subscription are the ones our resolver produces.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genai_backend_components.client_config import (
    AuthOutputs,
    ConversationRouteOutputs,
    DataOutputs,
    build_client_config,
)
from genai_backend_components.conversation import RouteNames, compose_conversation_schema
from tests.appsync_harness import (
    CONVERSATION_RESOLVERS,
    REPO_ROOT,
    AppSyncHarness,
    PipelineFunction,
    none_source,
)
from tests.conversation_appsync import HANDLER_ROLE_IDENTITY, handler_caller_check_file, on_the_wire
from tests.conversation_fakes import BASE_SCHEMA_SDL

SCRIPT = REPO_ROOT / "tests" / "node" / "conversation" / "amplify_protocol.mjs"
REGION = "us-east-1"
SCHEMA = compose_conversation_schema(BASE_SCHEMA_SDL, ["chat"])
NAMES = RouteNames.of("chat")


STREAM_PART_FIELDS = (
    "id owner conversationId associatedUserMessageId contentBlockIndex contentBlockText contentBlockDeltaIndex "
    "contentBlockDoneAtIndex contentBlockToolUse { toolUseId name input } stopReason errors { message errorType } p"
)


def published_parts(code_dir: Path) -> list[dict[str, Any]]:
    """A text batch, a client tool's toolUse and the turn's end, then a failed turn's errors: each exactly as
    createAssistantResponseStream publishes it (its pipeline, with the handler-role check generated into
    ``code_dir``) and AppSync writes it to a subscriber (AWSJSON as text)."""
    identity = {"conversationId": "conv-1", "associatedUserMessageId": "msg-1", "owner": "user-sub-1"}
    inputs = [
        {**identity, "contentBlockIndex": 0, "contentBlockDeltaIndex": 0, "contentBlockText": "Premier"},
        # As the handler sends it (JSON text), AppSync hands the resolver the AWSJSON parsed.
        {**identity, "contentBlockIndex": 1, "contentBlockToolUse": json.loads(
            json.dumps({"toolUseId": "c-1", "name": "lookupTeam", "input": {"name": "Arsenal"}}))},
        {**identity, "contentBlockIndex": 1, "stopReason": "tool_use"},
        {**identity, "errors": [{"errorType": "ThrottlingError", "message": "Please try again."}]},
    ]  # fmt: skip
    check = PipelineFunction(handler_caller_check_file(code_dir), none_source())
    with AppSyncHarness() as harness:
        runs = [
            harness.run_pipeline(
                CONVERSATION_RESOLVERS / "createAssistantResponseStream.js",
                [check],
                arguments={"input": part},
                identity=HANDLER_ROLE_IDENTITY,
            )
            for part in inputs
        ]
    assert all(run.error is None for run in runs)
    field = NAMES.assistant_response_subscription
    document = f'subscription {{ {field}(conversationId: "conv-1") {{ {STREAM_PART_FIELDS} }} }}'
    return [on_the_wire(SCHEMA, document, {field: run.result})[field] for run in runs]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    outputs = build_client_config(
        AuthOutputs(
            region=REGION, user_pool_id=f"{REGION}_TestPool1", user_pool_client_id="client1234567890"
        ),
        DataOutputs(
            region=REGION,
            url=f"https://api1234567890.appsync-api.{REGION}.amazonaws.com/graphql",
            schema_sdl=SCHEMA,
            authorization_types=("AWS_IAM",),
            conversation_routes=(ConversationRouteOutputs(name="chat"),),
        ),
    )
    document = {
        "outputs": outputs,
        "schema": SCHEMA,
        "route": "chat",
        "published": published_parts(tmp_path_factory.mktemp("generated")),
    }
    path: Path = tmp_path_factory.mktemp("protocol") / "input.json"
    path.write_text(json.dumps(document))
    completed = subprocess.run(
        ["node", str(SCRIPT), str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    yield json.loads(completed.stdout)


def test_every_document_the_client_sends_is_valid_against_our_schema(report: dict[str, Any]) -> None:
    invalid = [(request["field"], request["errors"]) for request in report["requests"] if request["errors"]]
    assert invalid == []
    assert all(request["authorized"] for request in report["requests"])


def test_the_client_uses_exactly_the_route_operations_the_schema_declares(report: dict[str, Any]) -> None:
    used = {(request["operation"], request["field"], request["transport"]) for request in report["requests"]}
    assert used == {
        ("mutation", NAMES.create_conversation, "http"),
        ("query", NAMES.get_conversation, "http"),
        ("query", NAMES.list_conversations, "http"),
        ("mutation", NAMES.update_conversation, "http"),
        ("mutation", NAMES.delete_conversation, "http"),
        ("mutation", NAMES.send_message, "http"),
        ("query", NAMES.list_messages, "http"),
        ("subscription", NAMES.assistant_response_subscription, "websocket"),
    }
    assert report["routes"] == ["chat"]


def test_variables_carry_what_the_resolvers_expect(report: dict[str, Any]) -> None:
    by_field: dict[str, list[dict[str, Any]]] = {}
    for request in report["requests"]:
        by_field.setdefault(request["field"], []).append(request["variables"])
    assert by_field[NAMES.assistant_response_subscription] == [{"conversationId": "conv-1"}]
    assert by_field[NAMES.list_messages] == [{"filter": {"conversationId": {"eq": "conv-1"}}}]
    text, rich, tool_result = by_field[NAMES.send_message]
    # The UI's answer to a client tool: its json travels as AWSJSON text, which sendMessage stores parsed.
    assert tool_result["content"] == [
        {"toolResult": {"toolUseId": "c-1", "content": [{"json": '{"shown":true}'}]}}
    ]
    assert text == {"conversationId": "conv-1", "content": [{"text": "Who leads?"}]}
    assert rich["content"][1] == {"image": {"format": "png", "source": {"bytes": "iVBORw=="}}}
    assert json.loads(rich["aiContext"]) == {"page": "standings", "season": 2025}
    assert rich["toolConfiguration"]["tools"][0]["toolSpec"]["name"] == "lookupTeam"
    [created] = by_field[NAMES.create_conversation]
    assert json.loads(created["input"]["metadata"]) == {"pinned": True}


def test_the_client_reads_our_answers_and_stream_parts(report: dict[str, Any]) -> None:
    assert report["results"]["create"]["id"] == "conv-1"
    assert report["results"]["list"] == ["conv-1"]
    assert report["results"]["update"] == "Renamed"
    assert report["results"]["sendText"]["content"] == [{"text": "Who leads?"}]
    assert report["results"]["sendRich"] is None and report["results"]["sendToolResult"] is None
    listed = report["results"]["listMessages"]
    assert [message["role"] for message in listed] == ["user", "assistant", "assistant", "user"]
    # The client parses the stored toolUse input and the toolResult json (AWSJSON) back into objects.
    assert listed[2]["content"] == [
        {"text": "Opening."}, {"toolUse": {"toolUseId": "c-1", "name": "lookupTeam", "input": {"name": "Arsenal"}}}]  # fmt: skip
    assert listed[3]["content"] == [
        {"toolResult": {"toolUseId": "c-1", "content": [{"json": {"shown": True}}]}}
    ]
    text_event, tool_event, stop_event = report["streamEvents"]
    assert (text_event["text"], text_event["contentBlockIndex"], text_event["contentBlockDeltaIndex"]) == (
        "Premier", 0, 0)  # fmt: skip
    # What useAIConversation turns into a {toolUse} content block (contentFromEvents), then the turn's end.
    assert (tool_event["contentBlockIndex"], tool_event["toolUse"]) == (
        1, {"toolUseId": "c-1", "name": "lookupTeam", "input": {"name": "Arsenal"}})  # fmt: skip
    assert (stop_event["contentBlockIndex"], stop_event["stopReason"]) == (1, "tool_use")
    [failure] = report["streamErrors"]
    assert failure["errors"] == [{"errorType": "ThrottlingError", "message": "Please try again."}]
    assert failure["associatedUserMessageId"] == "msg-1"
