"""Conversation tools through the real resolvers, with tokens moto's Cognito issued: what a user's tool call can
see is what that user may read, the client tool's toolUse reaches the subscriber and the stored history as
Amplify's protocol sends it, and the UI's toolResult continues the conversation.

sendMessage runs the route's packaged pipeline (with the generated data-tool step) and hands the handler
the event the Lambda data source got; the handler's HTTP calls go to ``AppSyncApi`` (tests/
conversation_appsync.py), which authorizes them as AppSync does and runs the real resolvers against moto.
The data tool is ``listNotes`` of the tests' own base schema, resolved owner-scoped by
tests/fixtures/conversation_tools/Query.listNotes.js.
"""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from graphql import GraphQLError
from moto import mock_aws

from genai_backend_components.client_config import (
    AuthOutputs,
    ConversationRouteOutputs,
    DataOutputs,
    build_client_config,
)
from genai_backend_components.conversation import (
    RouteNames,
    compose_conversation_schema,
    conversation_table_args,
    data_tool_definition,
    message_table_args,
    tools_settings_code,
)
from genai_backend_components.conversation.conversation_handler.graphql_client import GraphqlClient
from genai_backend_components.conversation.conversation_handler.settings import load_settings
from genai_backend_components.conversation.conversation_handler.turn import Turn, TurnEvent, TurnReport
from genai_backend_components.conversation.conversation_handler.turn_event import UntrustedTurnEventError
from genai_backend_components.conversation.data_tools import data_tools_digest
from genai_backend_components.graphql import build_appsync_schema
from genai_backend_components.table import TableArgs
from sandbox.tables import create_table
from tests.appsync_harness import REPO_ROOT, DataSource, dynamodb_table, none_source
from tests.cognito_tokens import CognitoTestPool, SignedInUser
from tests.conversation_appsync import AppSyncApi, HandlerInvocations, Resolution, route_resolutions
from tests.conversation_fakes import (
    BASE_SCHEMA_SDL,
    ENVIRONMENT,
    GRAPHQL_URL,
    REGION,
    Credentials,
    FakeBedrock,
    FakeClock,
    answer_frames,
    tool_use_frames,
)

NAMES = RouteNames.of("chat")
SCHEMA = compose_conversation_schema(BASE_SCHEMA_SDL, ["chat"])
LIST_NOTES = data_tool_definition(
    build_appsync_schema(SCHEMA), "listNotes", "The user's own notes.", "listNotes"
)
NOTES_RESOLVER = REPO_ROOT / "tests" / "fixtures" / "conversation_tools" / "Query.listNotes.js"
NOTES_TABLE = TableArgs(
    hash_key="owner", range_key="id", attribute_types={"owner": "S", "id": "S"}, protect_data=False
)
LOOKUP_TEAM = {
    "tools": [
        {"toolSpec": {"name": "lookupTeam", "description": "Shows a team card",
                      "inputSchema": {"json": {"type": "object", "properties": {"name": {"type": "string"}}}}}}
    ]
}  # fmt: skip


@dataclass
class Chat:
    api: AppSyncApi
    users: dict[str, SignedInUser]
    dynamodb: Any
    settings: Any

    def create(self, user: str, stamp: str) -> str:
        self.api.now = stamp
        identity = self.api.pool.identity_from_token(self.users[user].id_token)
        return self.api.resolve(f"Mutation.{NAMES.create_conversation}", {"input": {"name": user}}, identity)[
            "id"
        ]

    def turn(self, event: dict[str, Any], bedrock: FakeBedrock) -> TurnReport:
        graphql = GraphqlClient(
            GRAPHQL_URL, REGION, Credentials, transport=self.api, sleep=lambda seconds: None
        )
        turn = Turn(self.settings, dynamodb=self.dynamodb, bedrock=bedrock.client(), graphql=graphql,
                    clock=bedrock.clock, time_left=lambda: True)  # fmt: skip
        return turn.run(TurnEvent.parse(event, data_tools_sha256=self.settings.data_tools_sha256))

    def messages(self, user: str, conversation_id: str) -> list[dict[str, Any]]:
        """listMessages as the user, over the wire (AWSJSON as text), as Amplify's client reads it."""
        query = f"""query($filter: Model{NAMES.message_type}FilterInput) {{ {NAMES.list_messages}(filter: $filter)
          {{ items {{ id role associatedUserMessageId content {{ text toolUse {{ toolUseId name input }}
             toolResult {{ toolUseId content {{ json text }} }} }} }} }} }}"""
        variables = {"filter": {"conversationId": {"eq": conversation_id}}}
        identity = self.api.pool.identity_from_token(self.users[user].access_token)
        answer = self.api.execute(
            {"query": query, "variables": variables}, "aws_cognito_user_pools", identity
        )
        assert "errors" not in answer, answer
        return answer["data"][NAMES.list_messages]["items"]


@pytest.fixture(scope="module")
def chat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chat]:
    with pytest.MonkeyPatch.context() as environment, mock_aws():
        for name, value in {
            **ENVIRONMENT,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        }.items():
            environment.setenv(name, value)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        # The route's tables as the component declares them; the notes table of the tests' own base schema.
        create_table(dynamodb, "conversations", conversation_table_args(protect_data=False))
        create_table(dynamodb, "messages", message_table_args(protect_data=False))
        create_table(dynamodb, "notes", NOTES_TABLE)
        pool = CognitoTestPool(boto3.client("cognito-idp", region_name=REGION))
        users = {"alice": pool.create_user("alice@example.com"), "bob": pool.create_user("bob@example.com")}
        notes = boto3.resource("dynamodb", region_name=REGION).Table("notes")
        for owner, note_id, text in (("alice", "a1", "alice-secret-plan"), ("alice", "a2", "alice-diary"),
                                     ("bob", "b1", "bob-shopping-list")):  # fmt: skip
            notes.put_item(Item={"owner": users[owner].sub, "id": note_id, "text": text})
        sources = {
            source.name: source
            for source in (
                dynamodb_table(NAMES.data_sources["conversations"], dynamodb, "conversations"),
                dynamodb_table(NAMES.data_sources["messages"], dynamodb, "messages"),
                DataSource(kind="AWS_LAMBDA", name=NAMES.data_sources["handler"]),
                none_source(NAMES.data_sources["none"]),
            )
        }
        resolutions = route_resolutions(
            "chat", sources, tmp_path_factory.mktemp("code"), tools_settings_code([LIST_NOTES])
        )
        resolutions["Query.listNotes"] = Resolution(
            NOTES_RESOLVER, data_source=dynamodb_table("NotesTable", dynamodb, "notes")
        )
        # The handler's environment as the component sets it for a route offering listNotes.
        settings = replace(
            load_settings(), conversations_table="conversations", messages_table="messages",
            data_tools_sha256=data_tools_digest([LIST_NOTES]),
        )  # fmt: skip
        with AppSyncApi(SCHEMA, resolutions, pool, stream_field=NAMES.assistant_response_stream,
                        invocations=HandlerInvocations()) as api:  # fmt: skip
            yield Chat(api, users, dynamodb, settings)


def test_send_message_hands_the_handler_the_data_tools_and_the_callers_token(chat: Chat) -> None:
    conversation = chat.create("bob", "2026-09-01T10:00:00.000Z")
    message, event = chat.api.send_message(chat.users["bob"].id_token, conversation, [{"text": "My notes?"}])

    assert event == {
        "conversationId": conversation,
        "currentMessageId": message["id"],
        "owner": chat.users["bob"].sub,
        "toolsConfiguration": {"dataTools": [LIST_NOTES.payload()]},
        "request": {"headers": {"authorization": chat.users["bob"].id_token}},
    }


def test_a_users_data_tool_call_sees_only_that_users_data(chat: Chat) -> None:
    """Bob's turn asks for listNotes: the query runs with Bob's token, and Alice's notes never reach the model."""
    conversation = chat.create("bob", "2026-09-02T10:00:00.000Z")
    chat.api.now = "2026-09-02T10:01:00.000Z"
    message, event = chat.api.send_message(
        chat.users["bob"].access_token, conversation, [{"text": "My notes?"}]
    )
    bedrock = FakeBedrock(
        FakeClock(),
        replies=[tool_use_frames([("t-1", "listNotes", {})]), answer_frames(["One note: shopping."])],
    )
    before = len(chat.api.requests)

    report = chat.turn(event, bedrock)

    assert report.status == "answered" and report.tool_rounds == 1
    [query] = [request for request in chat.api.requests[before:] if request["field"] == "listNotes"]
    assert (query["mode"], query["sub"], query["errorTypes"]) == ("user", chat.users["bob"].sub, [])
    [result] = bedrock.requests[1]["messages"][-1]["content"]
    sent_to_model = json.dumps(result)
    assert "bob-shopping-list" in sent_to_model
    assert "alice-secret-plan" not in sent_to_model and "alice-diary" not in sent_to_model
    # Every answer call went out as the handler's role; the answer is stored once, under Bob.
    assert {request["mode"] for request in chat.api.requests[before:] if request["field"] != "listNotes"} == {
        "iam"
    }
    stored = chat.messages("bob", conversation)
    assert [(item["role"], item["content"][0]["text"]) for item in stored] == [
        ("user", "My notes?"), ("assistant", "One note: shopping.")]  # fmt: skip
    assert stored[1]["associatedUserMessageId"] == message["id"]


def _claiming(token: str, sub: str) -> str:
    """``token`` with its ``sub`` claim replaced, its signature kept: a token the pool did not issue."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "sub": sub}).encode()).decode().rstrip("=")
    return f"{header}.{forged}.{signature}"


def test_a_token_the_pool_did_not_issue_reads_nothing(chat: Chat) -> None:
    """The handler reads the token's sub without checking the signature; AppSync checks it on the query."""
    conversation = chat.create("bob", "2026-09-03T10:00:00.000Z")
    chat.api.now = "2026-09-03T10:01:00.000Z"
    _, event = chat.api.send_message(chat.users["bob"].id_token, conversation, [{"text": "Notes?"}])
    # Alice's token, edited to claim Bob's sub: it passes the handler's owner check, not AppSync's signature check.
    forged = _claiming(chat.users["alice"].id_token, chat.users["bob"].sub)
    event["request"]["headers"]["authorization"] = forged
    bedrock = FakeBedrock(
        FakeClock(), replies=[tool_use_frames([("t-1", "listNotes", {})]), answer_frames(["No."])]
    )

    assert chat.turn(event, bedrock).status == "answered"
    [result] = bedrock.requests[1]["messages"][-1]["content"]
    assert (
        result["toolResult"]["status"] == "error" and "HTTP 401" in result["toolResult"]["content"][0]["text"]
    )
    assert "alice-" not in json.dumps(result)


def test_another_users_token_in_the_event_is_refused_before_anything_runs(chat: Chat) -> None:
    """Whoever may invoke the handler could pair Alice's unanswered message with their own token: refused."""
    conversation = chat.create("alice", "2026-09-03T12:00:00.000Z")
    chat.api.now = "2026-09-03T12:01:00.000Z"
    _, event = chat.api.send_message(chat.users["alice"].id_token, conversation, [{"text": "Notes?"}])
    event["request"]["headers"]["authorization"] = chat.users["bob"].access_token
    bedrock = FakeBedrock(FakeClock(), replies=[tool_use_frames([("t-1", "listNotes", {})])])
    requests_before, published_before = len(chat.api.requests), len(chat.api.published)

    with pytest.raises(UntrustedTurnEventError, match=r"sub claim is not event\.owner") as refused:
        chat.turn(event, bedrock)

    assert chat.users["bob"].access_token not in str(refused.value)
    assert (bedrock.requests, chat.api.requests[requests_before:], chat.api.published[published_before:]) == (
        [], [], [])  # fmt: skip
    assert [item["role"] for item in chat.messages("alice", conversation)] == ["user"]


def test_a_turn_run_twice_stores_one_answer_and_runs_its_tools_once(chat: Chat) -> None:
    conversation = chat.create("alice", "2026-09-04T10:00:00.000Z")
    chat.api.now = "2026-09-04T10:01:00.000Z"
    _, event = chat.api.send_message(chat.users["alice"].id_token, conversation, [{"text": "Notes?"}])
    replies = [tool_use_frames([("t-1", "listNotes", {})]), answer_frames(["Two notes."])]
    first, second = FakeBedrock(FakeClock(), replies=replies), FakeBedrock(FakeClock(), replies=replies)
    before = len(chat.api.requests)

    reports = [chat.turn(event, first), chat.turn(event, second)]

    assert [report.status for report in reports] == ["answered", "duplicate"]
    assert second.requests == []
    assert [request["field"] for request in chat.api.requests[before:]].count("listNotes") == 1
    assert [item["role"] for item in chat.messages("alice", conversation)] == ["user", "assistant"]


def test_client_tool_use_reaches_the_subscriber_and_the_history_and_the_ui_answer_continues(
    chat: Chat,
) -> None:
    conversation = chat.create("alice", "2026-09-05T10:00:00.000Z")
    chat.api.now = "2026-09-05T10:01:00.000Z"
    _, event = chat.api.send_message(
        chat.users["alice"].id_token, conversation, [{"text": "Show Arsenal"}], toolConfiguration=LOOKUP_TEAM
    )
    published_before = len(chat.api.published)
    asking = FakeBedrock(
        FakeClock(), tool_use_frames([("c-1", "lookupTeam", {"name": "Arsenal"})], text="Opening.")
    )

    report = chat.turn(event, asking)

    assert (report.status, report.stop_reason) == ("answered", "tool_use")
    tool_part, stop_part = chat.api.published[published_before:][-2:]
    # On the wire, as AppSync serializes AmplifyAIToolUseBlock (input is AWSJSON: text the client JSON.parses).
    assert tool_part["contentBlockToolUse"] == {
        "toolUseId": "c-1",
        "name": "lookupTeam",
        "input": '{"name": "Arsenal"}',
    }
    assert (tool_part["contentBlockIndex"], stop_part["contentBlockIndex"], stop_part["stopReason"]) == (
        1,
        1,
        "tool_use",
    )
    assert all(part["owner"] == chat.users["alice"].sub for part in chat.api.published[published_before:])
    answer = chat.messages("alice", conversation)[-1]
    assert answer["content"][1]["toolUse"] == {
        "toolUseId": "c-1",
        "name": "lookupTeam",
        "input": '{"name": "Arsenal"}',
    }

    # The UI answers with a toolResult (Amplify's client sends its json content as AWSJSON text).
    chat.api.now = "2026-09-05T10:02:00.000Z"
    _, next_event = chat.api.send_message(
        chat.users["alice"].id_token,
        conversation,
        [{"toolResult": {"toolUseId": "c-1", "content": [{"json": {"shown": True}}]}}],
    )
    continuing = FakeBedrock(FakeClock(), answer_frames(["Arsenal's card is open."]))
    assert chat.turn(next_event, continuing).status == "answered"
    [request] = continuing.requests
    assert request["messages"][-2:] == [
        {"role": "assistant", "content": [{"text": "Opening."}, {"toolUse": {
            "toolUseId": "c-1", "name": "lookupTeam", "input": {"name": "Arsenal"}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "c-1", "content": [{"json": {"shown": True}}]}}]},
    ]  # fmt: skip
    assert {tool["toolSpec"]["name"] for tool in request["toolConfig"]["tools"]} == {
        "listNotes",
        "lookupTeam",
    }


def test_a_client_tool_declaration_bedrock_would_refuse_is_refused_at_send(chat: Chat) -> None:
    conversation = chat.create("alice", "2026-09-06T10:00:00.000Z")
    identity = chat.api.pool.identity_from_token(chat.users["alice"].id_token)
    key = f"Mutation.{NAMES.send_message}"
    bad = [
        {"tools": [{"toolSpec": {"name": "bad name", "inputSchema": {"json": {"type": "object"}}}}]},
        {"tools": [{"toolSpec": {"name": "ok", "inputSchema": {"json": {"type": "string"}}}}]},
        {"tools": [{"toolSpec": {"name": "twice", "inputSchema": {"json": {"type": "object"}}}}] * 2},
    ]
    for configuration in bad:
        with pytest.raises(GraphQLError) as refused:
            chat.api.resolve(key, {"conversationId": conversation, "content": [{"text": "x"}],
                                   "toolConfiguration": configuration}, identity,
                             headers={"authorization": chat.users["alice"].id_token})  # fmt: skip
        assert (refused.value.extensions or {})["errorType"] == "ValidationError"
    assert chat.messages("alice", conversation) == []


UI_HOOK_SCRIPT = REPO_ROOT / "tests" / "node" / "conversation" / "use_ai_conversation.mjs"


def _parsed_awsjson(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_amplify_ui_hook_shows_the_client_tool_and_continues_after_the_ui_answers(
    chat: Chat, tmp_path: Path
) -> None:
    """@aws-amplify/ui-react-ai's useAIConversation, run in Node with aws-amplify's client, fed the parts our
    handler and resolvers published for a real two-turn client-tool exchange."""
    token = chat.users["alice"].id_token
    conversation = chat.create("alice", "2026-09-07T10:00:00.000Z")
    chat.api.now = "2026-09-07T10:01:00.000Z"
    asked, event = chat.api.send_message(
        token, conversation, [{"text": "Show Arsenal"}], toolConfiguration=LOOKUP_TEAM
    )
    start = len(chat.api.published)
    chat.turn(
        event,
        FakeBedrock(
            FakeClock(), tool_use_frames([("c-1", "lookupTeam", {"name": "Arsenal"})], text="Opening.")
        ),
    )
    first_turn = chat.api.published[start:]
    tool_result = {"toolUseId": "c-1", "content": [{"json": {"shown": True}}]}
    chat.api.now = "2026-09-07T10:02:00.000Z"
    answered, event = chat.api.send_message(token, conversation, [{"toolResult": tool_result}])
    start = len(chat.api.published)
    chat.turn(event, FakeBedrock(FakeClock(), answer_frames(["Arsenal's card is open."])))
    second_turn = chat.api.published[start:]
    outputs = build_client_config(
        AuthOutputs(region=REGION, user_pool_id=f"{REGION}_TestPool1", user_pool_client_id="client1234567890"),
        DataOutputs(region=REGION, url=GRAPHQL_URL, schema_sdl=SCHEMA, authorization_types=("AWS_IAM",),
                    conversation_routes=(ConversationRouteOutputs(name="chat"),)),
    )  # fmt: skip
    spec = LOOKUP_TEAM["tools"][0]["toolSpec"]
    document = {
        "outputs": outputs, "schema": SCHEMA, "route": "chat", "conversation": conversation,
        "tool": {"name": spec["name"], "description": spec["description"], "inputSchema": spec["inputSchema"]},
        "toolResult": tool_result, "turns": [first_turn, second_turn],
    }  # fmt: skip
    (tmp_path / "input.json").write_text(json.dumps(document))

    completed = subprocess.run(["node", str(UI_HOOK_SCRIPT), str(tmp_path / "input.json")], cwd=REPO_ROOT,
                               capture_output=True, text=True, timeout=60, check=False)  # fmt: skip

    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout)
    assert [
        (request["field"], request["errors"]) for request in report["requests"] if request["errors"]
    ] == []
    sends = [request["variables"] for request in report["requests"] if request["field"] == NAMES.send_message]
    # The hook sent what the real resolvers were given above (AWSJSON as text, which AppSync parses).
    [declared] = sends[0]["toolConfiguration"]["tools"]
    assert {
        **declared["toolSpec"],
        "inputSchema": {"json": _parsed_awsjson(declared["toolSpec"]["inputSchema"]["json"])},
    } == spec
    [block] = sends[1]["content"]
    assert {
        **block["toolResult"],
        "content": [{"json": _parsed_awsjson(block["toolResult"]["content"][0]["json"])}],
    } == tool_result
    after_tool_use, after_answer = report["turns"]
    shown = [
        {"text": "Opening."},
        {"toolUse": {"toolUseId": "c-1", "name": "lookupTeam", "input": {"name": "Arsenal"}}},
    ]
    assert after_tool_use["messages"][-1] == {
        "id": f"{asked['id']}#stream", "role": "assistant", "content": shown, "isLoading": False}  # fmt: skip
    assert report["received"][0] == {"role": "assistant", "content": shown}
    assert after_answer["messages"][-1]["content"] == [{"text": "Arsenal's card is open."}]
    assert after_answer["messages"][-1]["id"] == f"{answered['id']}#stream"
    assert not after_tool_use["hasError"] and not after_answer["hasError"]
