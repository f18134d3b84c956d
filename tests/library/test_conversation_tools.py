"""Conversation tools in the handler: data tools as the caller, executable tools, client tools, the bounded
loop and the history Bedrock accepts, against a fake Bedrock (botocore's real event-stream parser), moto
DynamoDB and a fake AppSync transport that records what the handler sent and how it signed it.

The same turns through the real resolvers with real Cognito tokens are in test_conversation_tools_as_user.py.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from genai_backend_components.conversation import (
    ExecutableTool,
    ToolContext,
    ToolError,
    compose_conversation_schema,
    data_tool_definition,
)
from genai_backend_components.conversation.conversation_handler.executable_tools import load_executable_tools
from genai_backend_components.conversation.conversation_handler.graphql_client import GraphqlClient
from genai_backend_components.conversation.conversation_handler.settings import data_tools_sha256
from genai_backend_components.conversation.conversation_handler.tools import DataTool
from genai_backend_components.conversation.conversation_handler.turn import Turn
from genai_backend_components.conversation.conversation_handler.turn_event import (
    InvalidTurnEventError,
    TurnEvent,
)
from genai_backend_components.graphql import build_appsync_schema
from tests.conversation_fakes import (
    BASE_SCHEMA_SDL,
    CONVERSATION,
    GRAPHQL_URL,
    HANDLER_LOGGER,
    OWNER,
    REGION,
    Credentials,
    FakeAppSync,
    FakeBedrock,
    FakeClock,
    World,
    answer_frames,
    run_turn,
    store_message,
    token_of,
    tool_use_frames,
    world_fixture,
)

world = world_fixture()

USER_TOKEN = token_of(OWNER)
NOTES = {"listNotes": {"items": [{"id": "n1", "text": "Buy boots", "updatedAt": None}], "nextToken": None}}
LIST_NOTES = DataTool.parse(
    data_tool_definition(
        build_appsync_schema(compose_conversation_schema(BASE_SCHEMA_SDL, ["chat"])),
        "listNotes",
        "The signed-in user's notes.",
        "listNotes",
    ).payload(),
    "listNotes",
)
LIST_NOTES_PAYLOAD = {
    "name": LIST_NOTES.spec.name,
    "description": LIST_NOTES.spec.description,
    "inputSchema": {"json": LIST_NOTES.spec.input_schema},
    "query": LIST_NOTES.query,
}
LOOKUP_TEAM = {
    "tools": [
        {
            "toolSpec": {
                "name": "lookupTeam",
                "description": "Shows a team card in the page",
                # As AppSync stores it: AWSJSON arrives in the resolver parsed.
                "inputSchema": {"json": {"type": "object", "properties": {"name": {"type": "string"}}}},
            }
        }
    ]
}


class RecordingAppSync(FakeAppSync):
    """Answers a data tool's query with NOTES; everything else as FakeAppSync (stream and store mutations)."""

    def __call__(self, request: Any, timeout_seconds: float) -> tuple[int, bytes]:
        if b"listNotes" in request.data:
            self.requests.append(request)
            return 200, json.dumps({"data": NOTES}).encode()
        return super().__call__(request, timeout_seconds)

    def tool_queries(self) -> list[Any]:
        return [request for request in self.requests if b"listNotes" in request.data]


def _stream_parts(appsync: FakeAppSync) -> list[dict[str, Any]]:
    return [
        {
            key: value
            for key, value in part.items()
            if key not in ("conversationId", "associatedUserMessageId", "owner")
        }
        for part in appsync.inputs("createAssistantResponseStreamChat")
    ]


def test_data_tool_runs_with_the_callers_token_and_its_result_reaches_the_next_model_call(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store_message(world, "m-data", "2026-08-01T10:00:00.000Z", "user", [{"text": "What did I note?"}])
    bedrock = FakeBedrock(
        FakeClock(),
        replies=[
            tool_use_frames([("t-1", "listNotes", {"limit": 5, "unknown": "dropped"})], text="Let me look."),
            answer_frames(["You noted: ", "Buy boots."]),
        ],
    )
    appsync = RecordingAppSync()

    report = run_turn(
        world,
        "m-data",
        bedrock,
        appsync,
        event_changes={"data_tools": (LIST_NOTES,), "user_token": USER_TOKEN},
    )

    assert (report.status, report.tool_rounds, report.stop_reason) == ("answered", 1, "end_turn")
    [query] = appsync.tool_queries()
    # The caller's own token, as Amplify's client sends it, and no SigV4 signature of the function's role.
    assert query.get_header("Authorization") == USER_TOKEN
    assert query.get_header("X-amz-security-token") is None
    assert json.loads(query.data) == {"query": LIST_NOTES.query, "variables": {"limit": 5}}
    for request in appsync.requests:
        if request is not query:  # answers still go out signed with the handler's role
            assert request.get_header("Authorization").startswith("AWS4-HMAC-SHA256 ")
    first, second = bedrock.requests
    assert first["toolConfig"] == second["toolConfig"] == {"tools": [{"toolSpec": {
        "name": "listNotes", "description": "The signed-in user's notes.",
        "inputSchema": {"json": {"type": "object", "properties": {"limit": {"type": "integer"},
                                                                  "nextToken": {"type": "string"}}}}}}]}  # fmt: skip
    assert second["messages"][1:] == [
        {"role": "assistant", "content": [{"text": "Let me look."}, {"toolUse": {
            "toolUseId": "t-1", "name": "listNotes", "input": {"limit": 5, "unknown": "dropped"}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t-1", "content": [{"json": NOTES}]}}]},
    ]  # fmt: skip
    # Both model calls stream into one answer: block indices continue, the tool call itself is not shown.
    assert _stream_parts(appsync) == [
        {"contentBlockIndex": 0, "contentBlockDeltaIndex": 0, "contentBlockText": "Let me look."},
        {"contentBlockIndex": 0, "contentBlockDoneAtIndex": 0},
        {"contentBlockIndex": 1, "contentBlockDeltaIndex": 0, "contentBlockText": "You noted: Buy boots."},
        {"contentBlockIndex": 1, "contentBlockDoneAtIndex": 0},
        {"contentBlockIndex": 1, "stopReason": "end_turn"},
    ]
    [stored] = appsync.inputs("createAssistantResponseChat")
    assert stored["content"] == [{"text": "Let me look."}, {"text": "You noted: Buy boots."}]

    def logged(records: list[logging.LogRecord]) -> str:
        return json.dumps(
            [{**record.__dict__, "message": record.getMessage()} for record in records], default=str
        )

    # The token appears in no log line at all (botocore's included); the tool's result not in the handler's.
    assert USER_TOKEN not in logged(caplog.records)
    ours = [record for record in caplog.records if record.name.startswith(f"{HANDLER_LOGGER}.")]
    assert "Buy boots" not in logged(ours)
    assert any(record.__dict__.get("tool") == "listNotes" for record in caplog.records)


def test_a_refused_data_tool_query_becomes_an_error_result_the_model_reads(world: World) -> None:
    store_message(world, "m-refused", "2026-08-02T10:00:00.000Z", "user", [{"text": "My notes?"}])
    bedrock = FakeBedrock(
        FakeClock(),
        replies=[tool_use_frames([("t-1", "listNotes", {})]), answer_frames(["I cannot see them."])],
    )

    class Refusing(FakeAppSync):
        def __call__(self, request: Any, timeout_seconds: float) -> tuple[int, bytes]:
            if b"listNotes" in request.data:
                body = {
                    "data": {"listNotes": None},
                    "errors": [{"errorType": "Unauthorized", "message": "Not yours"}],
                }
                return 200, json.dumps(body).encode()
            return super().__call__(request, timeout_seconds)

    report = run_turn(
        world,
        "m-refused",
        bedrock,
        Refusing(),
        event_changes={"data_tools": (LIST_NOTES,), "user_token": USER_TOKEN},
    )

    assert report.status == "answered"
    [result] = bedrock.requests[1]["messages"][-1]["content"]
    assert result["toolResult"]["status"] == "error"
    assert "Unauthorized" in result["toolResult"]["content"][0]["text"]
    assert "Not yours" in result["toolResult"]["content"][0]["text"]


def test_executable_tool_round_trip(world: World, caplog: pytest.LogCaptureFixture) -> None:
    calls: list[tuple[dict[str, Any], ToolContext]] = []

    def convert(tool_input: dict[str, Any], context: ToolContext) -> dict[str, Any]:
        calls.append((tool_input, context))
        if tool_input["currency"] == "XXX":
            raise ToolError("XXX is not a currency")
        if tool_input["currency"] == "BUG":
            raise KeyError("secret-detail-of-the-bug")
        return {"amount": tool_input["amount"] * 2}

    tool = ExecutableTool(
        name="convertCurrency",
        description="Converts euros.",
        input_schema={
            "type": "object",
            "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
        },
        run=convert,
    )
    store_message(world, "m-exec", "2026-08-03T10:00:00.000Z", "user", [{"text": "10 EUR in USD?"}])
    bedrock = FakeBedrock(
        FakeClock(),
        replies=[
            tool_use_frames([
                ("e-1", "convertCurrency", {"amount": 10, "currency": "USD"}),
                ("e-2", "convertCurrency", {"amount": 1, "currency": "XXX"}),
                ("e-3", "convertCurrency", {"amount": 1, "currency": "BUG"}),
                ("e-4", "noSuchTool", {}),
            ]),
            answer_frames(["20 USD."]),
        ],
    )  # fmt: skip
    caplog.set_level(logging.INFO)

    report = run_turn(world, "m-exec", bedrock, FakeAppSync(), executable_tools=[tool])

    assert report.status == "answered" and report.tool_rounds == 1
    assert [tool_input for tool_input, _ in calls] == [
        {"amount": 10, "currency": "USD"}, {"amount": 1, "currency": "XXX"}, {"amount": 1, "currency": "BUG"}]  # fmt: skip
    assert calls[0][1] == ToolContext(owner=OWNER, conversation_id=CONVERSATION, message_id="m-exec")
    assert bedrock.requests[0]["toolConfig"]["tools"][0]["toolSpec"]["name"] == "convertCurrency"
    results = [block["toolResult"] for block in bedrock.requests[1]["messages"][-1]["content"]]
    assert results == [
        {"toolUseId": "e-1", "content": [{"json": {"amount": 20}}]},
        {"toolUseId": "e-2", "content": [{"text": "XXX is not a currency"}], "status": "error"},
        {"toolUseId": "e-3", "content": [{"text": "The tool failed."}], "status": "error"},
        {
            "toolUseId": "e-4",
            "content": [{"text": "There is no tool named 'noSuchTool'."}],
            "status": "error",
        },
    ]
    [failure] = [record for record in caplog.records if record.getMessage() == "executable tool failed"]
    assert failure.__dict__["cause"] == "KeyError"
    assert "secret-detail-of-the-bug" not in json.dumps(
        [record.__dict__ for record in caplog.records], default=str
    )


def test_client_tool_ends_the_turn_with_the_tool_use_part_and_stores_it(world: World) -> None:
    store_message(world, "m-client", "2026-08-04T10:00:00.000Z", "user", [{"text": "Show me Arsenal"}],
                  toolConfiguration=LOOKUP_TEAM)  # fmt: skip
    bedrock = FakeBedrock(
        FakeClock(), tool_use_frames([("c-1", "lookupTeam", {"name": "Arsenal"})], text="Opening the card.")
    )
    appsync = FakeAppSync()

    report = run_turn(world, "m-client", bedrock, appsync)

    assert (report.status, report.stop_reason, report.tool_rounds) == ("answered", "tool_use", 0)
    assert len(bedrock.requests) == 1  # the UI answers the tool, not the handler
    assert bedrock.requests[0]["toolConfig"]["tools"] == [{"toolSpec": {
        "name": "lookupTeam", "description": "Shows a team card in the page",
        "inputSchema": {"json": {"type": "object", "properties": {"name": {"type": "string"}}}}}}]  # fmt: skip
    parts = _stream_parts(appsync)
    # Amplify's protocol: the toolUse block whole in its own part, then the turn's end with stopReason tool_use.
    assert parts[2:] == [
        {"contentBlockIndex": 1, "contentBlockToolUse": json.dumps(
            {"toolUseId": "c-1", "name": "lookupTeam", "input": {"name": "Arsenal"}})},
        {"contentBlockIndex": 1, "stopReason": "tool_use"},
    ]  # fmt: skip
    [stored] = appsync.inputs("createAssistantResponseChat")
    assert stored["content"] == [
        {"text": "Opening the card."},
        {"toolUse": {"toolUseId": "c-1", "name": "lookupTeam", "input": '{"name": "Arsenal"}'}},
    ]


def test_history_with_tool_blocks_gives_bedrock_a_valid_request_with_tool_config(world: World) -> None:
    # Turn 1 ended with a client tool; the UI answered it; an older toolUse was never answered.
    store_message(world, "m-t0", "2026-08-05T09:00:00.000Z", "user", [{"text": "Show Chelsea"}],
                  toolConfiguration=LOOKUP_TEAM)  # fmt: skip
    store_message(world, "m-t0#response", "2026-08-05T09:00:00.000Z", "assistant",
                  [{"toolUse": {"toolUseId": "c-0", "name": "lookupTeam", "input": {"name": "Chelsea"}}}],
                  associatedUserMessageId="m-t0")  # fmt: skip
    store_message(world, "m-t1", "2026-08-05T10:00:00.000Z", "user", [{"text": "Never mind. Show Arsenal"}],
                  toolConfiguration=LOOKUP_TEAM)  # fmt: skip
    store_message(world, "m-t1#response", "2026-08-05T10:00:00.000Z", "assistant",
                  [{"text": "Opening."}, {"toolUse": {"toolUseId": "c-1", "name": "lookupTeam",
                                                      "input": '{"name": "Arsenal"}'}}],
                  associatedUserMessageId="m-t1")  # fmt: skip
    # The UI's answer: AppSync stored the AWSJSON content parsed. No toolConfiguration this time.
    store_message(world, "m-t2", "2026-08-05T10:01:00.000Z", "user",
                  [{"toolResult": {"toolUseId": "c-1", "content": [{"json": {"shown": True}}]}},
                   {"text": "Thanks"}])  # fmt: skip
    bedrock = FakeBedrock(FakeClock(), answer_frames(["Arsenal is shown."]))

    report = run_turn(world, "m-t2", bedrock, FakeAppSync())

    assert report.status == "answered"
    [request] = bedrock.requests
    assert request["messages"] == [
        # The unanswered toolUse is dropped (Bedrock refuses it); its empty answer with it.
        {"role": "user", "content": [{"text": "Show Chelsea"}, {"text": "Never mind. Show Arsenal"}]},
        {"role": "assistant", "content": [{"text": "Opening."}, {"toolUse": {
            "toolUseId": "c-1", "name": "lookupTeam", "input": {"name": "Arsenal"}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "c-1", "content": [{"json": {"shown": True}}]}},
                                     {"text": "Thanks"}]},
    ]  # fmt: skip
    # The current message declares no tool, yet the history uses lookupTeam: Bedrock requires its toolConfig.
    assert [tool["toolSpec"]["name"] for tool in request["toolConfig"]["tools"]] == ["lookupTeam"]


def test_a_tool_the_history_uses_but_nobody_declares_is_declared_unavailable(world: World) -> None:
    store_message(world, "m-u1", "2026-08-06T10:00:00.000Z", "user", [{"text": "Check"}])
    store_message(world, "m-u1#response", "2026-08-06T10:00:00.000Z", "assistant",
                  [{"toolUse": {"toolUseId": "x-1", "name": "retiredTool", "input": {}}}],
                  associatedUserMessageId="m-u1")  # fmt: skip
    store_message(world, "m-u2", "2026-08-06T10:01:00.000Z", "user",
                  [{"toolResult": {"toolUseId": "x-1", "content": [{"text": "done"}]}}])  # fmt: skip
    bedrock = FakeBedrock(FakeClock(), answer_frames(["Done."]))

    assert run_turn(world, "m-u2", bedrock, FakeAppSync()).status == "answered"
    [tool] = bedrock.requests[0]["toolConfig"]["tools"]
    assert tool["toolSpec"]["name"] == "retiredTool"
    assert tool["toolSpec"]["inputSchema"]["json"]["type"] == "object"


def test_the_tool_loop_is_bounded_and_a_turn_over_the_bound_stores_nothing(world: World) -> None:
    runs: list[dict[str, Any]] = []
    tool = ExecutableTool(
        "again",
        "Asks again.",
        {"type": "object"},
        lambda tool_input, context: runs.append(tool_input) or "ok",
    )
    store_message(world, "m-loop", "2026-08-07T10:00:00.000Z", "user", [{"text": "Loop"}])
    bedrock = FakeBedrock(FakeClock(), tool_use_frames([("l-1", "again", {"n": 1})], text="Thinking."))
    appsync = FakeAppSync()

    report = run_turn(world, "m-loop", bedrock, appsync, executable_tools=[tool], max_tool_iterations=2)

    assert (report.status, report.error_type) == ("failed", "ToolLoopLimitError")
    assert len(bedrock.requests) == 3 and len(runs) == 2  # two rounds ran; the third request is refused
    assert appsync.inputs("createAssistantResponseChat") == []
    parts = _stream_parts(appsync)
    assert [part["contentBlockIndex"] for part in parts if "contentBlockText" in part] == [0, 1, 2]
    assert parts[-1]["errors"][0]["errorType"] == "ToolLoopLimitError"
    assert not any("stopReason" in part for part in parts)


def test_a_client_tool_named_like_a_route_tool_is_ignored(world: World) -> None:
    shadow = {"tools": [{"toolSpec": {"name": "listNotes", "inputSchema": {"json": {"type": "object"}}}}]}
    store_message(
        world, "m-shadow", "2026-08-08T10:00:00.000Z", "user", [{"text": "Notes?"}], toolConfiguration=shadow
    )
    bedrock = FakeBedrock(
        FakeClock(), replies=[tool_use_frames([("s-1", "listNotes", {})]), answer_frames(["One note."])]
    )
    appsync = RecordingAppSync()

    report = run_turn(
        world,
        "m-shadow",
        bedrock,
        appsync,
        event_changes={"data_tools": (LIST_NOTES,), "user_token": USER_TOKEN},
    )

    # The route's data tool runs; the browser's same-named declaration neither replaces it nor ends the turn.
    assert report.status == "answered" and len(appsync.tool_queries()) == 1
    [tool] = bedrock.requests[0]["toolConfig"]["tools"]
    assert tool["toolSpec"]["description"] == "The signed-in user's notes."


def test_the_handler_still_refuses_data_and_executable_tools_sharing_a_name(world: World) -> None:
    """The component refuses such a route before declaring anything (test_conversation_tools_component.py);
    the handler keeps its own check for a package that reached it anyway (defense in depth)."""
    store_message(world, "m-clash", "2026-08-09T10:00:00.000Z", "user", [{"text": "Hi"}])
    clash = ExecutableTool("listNotes", "Clashes.", {"type": "object"}, lambda tool_input, context: "x")
    bedrock = FakeBedrock(FakeClock(), answer_frames(["never"]))
    appsync = FakeAppSync()

    report = run_turn(world, "m-clash", bedrock, appsync, executable_tools=[clash],
                      event_changes={"data_tools": (LIST_NOTES,), "user_token": USER_TOKEN})  # fmt: skip

    assert (report.status, report.error_type) == ("failed", "InternalError")
    assert bedrock.requests == []
    assert appsync.inputs("createAssistantResponseChat") == []


@pytest.mark.parametrize(
    ("package", "source", "problem"),
    [
        (
            "import_fails",
            "import not_installed_anywhere\nTOOLS = []\n",
            "failed to import (ModuleNotFoundError)",
        ),
        ("tools_text", "TOOLS = 'greet'\n", "must be a list of ExecutableTool"),
        ("not_a_tool", "TOOLS = [object()]\n", "is not an ExecutableTool"),
    ],
)
def test_the_handler_still_refuses_a_bad_tools_package_on_each_turn(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    package: str, source: str, problem: str,
) -> None:  # fmt: skip
    """What the component's deploy-time check refuses, the handler refuses too when it imports the package."""
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    message_id = f"m-bad-package-{package}"
    store_message(world, message_id, "2026-08-09T11:00:00.000Z", "user", [{"text": "Hi"}])
    bedrock = FakeBedrock(FakeClock(), answer_frames(["never"]))
    appsync = FakeAppSync()
    graphql = GraphqlClient(GRAPHQL_URL, REGION, Credentials, transport=appsync, sleep=lambda seconds: None)
    turn = Turn(world.settings, dynamodb=world.dynamodb, bedrock=bedrock.client(), graphql=graphql,
                clock=bedrock.clock, time_left=lambda: True,
                executable_tools=lambda: load_executable_tools(package))  # fmt: skip

    with caplog.at_level(logging.ERROR, logger=HANDLER_LOGGER):
        report = turn.run(TurnEvent(conversation_id=CONVERSATION, current_message_id=message_id, owner=OWNER))

    assert (report.status, report.error_type) == ("failed", "InternalError")
    assert bedrock.requests == [] and appsync.inputs("createAssistantResponseChat") == []
    [failure] = [record for record in caplog.records if record.getMessage() == "turn failed"]
    assert problem in failure.problem  # type: ignore[attr-defined]


def test_turn_event_carries_data_tools_and_keeps_the_token_out_of_repr_and_messages() -> None:
    payload = {
        "conversationId": CONVERSATION, "currentMessageId": "m1", "owner": OWNER,
        "toolsConfiguration": {"dataTools": [LIST_NOTES_PAYLOAD]},
        "request": {"headers": {"authorization": USER_TOKEN}},
    }  # fmt: skip
    parsed = TurnEvent.parse(payload, data_tools_sha256=data_tools_sha256([LIST_NOTES_PAYLOAD]))
    assert parsed.data_tools == (LIST_NOTES,) and parsed.user_token == USER_TOKEN
    assert USER_TOKEN not in repr(parsed)
    for broken_tool in (
        {**LIST_NOTES_PAYLOAD, "name": "bad name"},
        {**LIST_NOTES_PAYLOAD, "inputSchema": {"json": []}},
    ):
        # Even with a digest that matches (a route deployed with such a definition), the definition is refused.
        with pytest.raises(InvalidTurnEventError) as problem:
            TurnEvent.parse(
                {**payload, "toolsConfiguration": {"dataTools": [broken_tool]}},
                data_tools_sha256=data_tools_sha256([broken_tool]),
            )
        assert USER_TOKEN not in str(problem.value)
    with pytest.raises(InvalidTurnEventError) as problem:
        TurnEvent.parse(
            {**payload, "request": {"headers": {"authorization": "x" * 20_000}}},
            data_tools_sha256=data_tools_sha256([LIST_NOTES_PAYLOAD]),
        )
