"""The app's chat answers a question by calling listLeagues as the user, end to end.

The dev stack's own settings give the route (``conversation_args``: its data tools, derived from the
deployed schema); sendMessage runs the route's real pipeline with the user's token; the handler runs with a
fake Bedrock that asks for ``listLeagues``; that query goes, with the user's token, through the real
``Query.listLeagues`` resolver against moto's League table (keyed as the stack declares it); the answer is
streamed to the subscription and stored, as the real resolvers do it (tests/conversation_appsync.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from app import component_args as build
from app.settings import StackSettings, placeholder_secrets, settings_from_values
from genai_backend_components.conversation import (
    ConversationRouteModel,
    RouteNames,
    conversation_table_args,
    data_tool_definition,
    message_table_args,
)
from genai_backend_components.conversation.conversation_handler.graphql_client import GraphqlClient
from genai_backend_components.conversation.conversation_handler.settings import (
    data_tools_sha256,
    load_settings,
)
from genai_backend_components.conversation.conversation_handler.turn import Turn, TurnEvent
from genai_backend_components.graphql import build_appsync_schema
from genai_backend_components.validation import check_args
from sandbox.tables import create_table
from tests.appsync_harness import RESOLVERS, DataSource, dynamodb_table, none_source
from tests.cognito_tokens import CognitoTestPool, SignedInUser
from tests.conversation_appsync import AppSyncApi, Resolution, route_resolutions
from tests.conversation_fakes import (
    ENVIRONMENT,
    GRAPHQL_URL,
    REGION,
    Credentials,
    FakeBedrock,
    FakeClock,
    answer_frames,
    tool_use_frames,
)
from tools.stack_files import read_stack_config

ROOT = Path(__file__).resolve().parents[2]
NAMES = RouteNames.of(build.CONVERSATION_ROUTE)
SEASON_2024 = [
    {"id": "39", "season": 2024, "leagueCountry": {"name": "England", "code": "GB", "flag": None},
     "teams": [{"id": "42", "name": "Arsenal", "logo": None}], "version": 3},
    {"id": "140", "season": 2024, "leagueCountry": {"name": "Spain", "code": "ES", "flag": None},
     "teams": [{"id": "541", "name": "Real Madrid", "logo": None}], "version": 1},
]  # fmt: skip


def dev_settings() -> StackSettings:
    config = read_stack_config(ROOT, "dev")
    values = config.project_values()
    values.update(placeholder_secrets(values))
    secret_keys = {key.split(":", 1)[1] for key in config.secret_keys} | set(placeholder_secrets(values))
    aws_values = {key[len("aws:") :]: value for key, value in config.values.items() if key.startswith("aws:")}
    return settings_from_values(
        project="genai-backend", stack="dev", values=values,
        secret_keys=secret_keys | {"authOidcClientSecrets"}, aws_values=aws_values,
    )  # fmt: skip


@dataclass
class ChatApp:
    api: AppSyncApi
    users: dict[str, SignedInUser]
    dynamodb: Any
    route: ConversationRouteModel
    schema_sdl: str

    def ask(
        self,
        user: str,
        text: str,
        stamp: str,
        bedrock: FakeBedrock,
        extra_tools: Sequence[dict[str, Any]] = (),
    ) -> tuple[dict[str, Any], Any, str]:
        """A new conversation, a message in it and its turn: (the sent message, the turn's report, the id).
        ``extra_tools`` are added to the event's data tools, as a route offering them would send them."""
        token = self.users[user].id_token
        self.api.now = stamp
        identity = self.api.pool.identity_from_token(token)
        conversation = self.api.resolve(f"Mutation.{NAMES.create_conversation}", {"input": {}}, identity)[
            "id"
        ]
        message, event = self.api.send_message(token, conversation, [{"text": text}])
        event["toolsConfiguration"]["dataTools"] += list(extra_tools)
        # The digest the component puts in the handler's environment; with extra tools, that of a route
        # offering them too (the handler accepts exactly the route's tools).
        digest = (
            data_tools_sha256(event["toolsConfiguration"]["dataTools"])
            if extra_tools
            else self.route.data_tools_sha256()
        )
        settings = replace(
            load_settings(), conversations_table="conversations", messages_table="messages",
            data_tools_sha256=digest,
        )  # fmt: skip
        graphql = GraphqlClient(
            GRAPHQL_URL, REGION, Credentials, transport=self.api, sleep=lambda seconds: None
        )
        turn = Turn(settings, dynamodb=self.dynamodb, bedrock=bedrock.client(), graphql=graphql,
                    clock=bedrock.clock, time_left=lambda: True)  # fmt: skip
        return message, turn.run(TurnEvent.parse(event, data_tools_sha256=digest)), conversation


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatApp]:
    settings = dev_settings()
    route = check_args(
        ConversationRouteModel,
        "ConversationRouteArgs",
        build.conversation_args(
            settings.values, schema_sdl=settings.schema_sdl, api_id="api", api_arn=None,  # type: ignore[arg-type]
            graphql_url=GRAPHQL_URL, account_id="123456789012",
        ),
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as environment, mock_aws():
        for name, value in {
            **ENVIRONMENT,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
        }.items():
            environment.setenv(name, value)
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        create_table(dynamodb, "leagues", build.league_table_args(settings.values))
        create_table(dynamodb, "follows", build.follows_table_args(settings.values))
        create_table(dynamodb, "conversations", conversation_table_args(protect_data=False))
        create_table(dynamodb, "messages", message_table_args(protect_data=False))
        leagues = boto3.resource("dynamodb", region_name=REGION).Table("leagues")
        for league in [*SEASON_2024, {"id": "39-2023", "season": 2023, "version": 1}]:
            leagues.put_item(Item=league)
        pool = CognitoTestPool(boto3.client("cognito-idp", region_name=REGION))
        users = {name: pool.create_user(f"{name}@example.com") for name in ("alice", "bob")}
        follows = boto3.resource("dynamodb", region_name=REGION).Table("follows")
        follows.put_item(Item={"owner": users["alice"].sub, "followId": "39#2024", "leagueId": "39",
                               "season": 2024, "email": "alice@example.com", "createdAt": "2026-01-01T00:00:00.000Z"})  # fmt: skip
        sources = {
            NAMES.data_sources["conversations"]: dynamodb_table(NAMES.data_sources["conversations"], dynamodb, "conversations"),
            NAMES.data_sources["messages"]: dynamodb_table(NAMES.data_sources["messages"], dynamodb, "messages"),
            NAMES.data_sources["handler"]: DataSource(kind="AWS_LAMBDA", name=NAMES.data_sources["handler"]),
            NAMES.data_sources["none"]: none_source(NAMES.data_sources["none"]),
        }  # fmt: skip
        resolutions = route_resolutions(
            build.CONVERSATION_ROUTE, sources, tmp_path_factory.mktemp("code"), route.tools_code()
        )
        league_table = dynamodb_table("LeagueTable", dynamodb, "leagues")
        resolutions["Query.listLeagues"] = Resolution(
            RESOLVERS / "Query.listLeagues.js", data_source=league_table
        )
        resolutions["Query.getLeague"] = Resolution(
            RESOLVERS / "Query.getLeague.js", data_source=league_table
        )
        resolutions["Query.myFollows"] = Resolution(
            RESOLVERS / "Query.myFollows.js", data_source=dynamodb_table("FollowsTable", dynamodb, "follows")
        )
        with AppSyncApi(
            settings.schema_sdl, resolutions, pool, stream_field=NAMES.assistant_response_stream
        ) as api:
            yield ChatApp(api, users, dynamodb, route, settings.schema_sdl)


def test_the_apps_chat_offers_list_leagues_and_get_league_as_data_tools(app: ChatApp) -> None:
    assert [(tool.name, tool.query_field) for tool in app.route.data_tools] == [
        ("listLeagues", "listLeagues"), ("getLeague", "getLeague")]  # fmt: skip
    list_leagues, get_league = app.route.data_tool_definitions()
    assert list_leagues.input_schema["required"] == ["season"]
    assert (
        "teams { id name logo }" in list_leagues.query
        and "leagueCountry { name code flag }" in get_league.query
    )


def test_the_chat_answers_a_question_by_calling_list_leagues_as_the_user(app: ChatApp) -> None:
    bedrock = FakeBedrock(
        FakeClock(),
        replies=[
            tool_use_frames(
                [("t-1", "listLeagues", {"season": 2024})], text="Let me check the 2024 leagues."
            ),
            answer_frames(["In 2024: the Premier League ", "(England) and La Liga (Spain)."]),
        ],
    )
    published_before, requests_before = len(app.api.published), len(app.api.requests)

    message, report, conversation = app.ask(
        "bob", "Which leagues play in 2024?", "2026-10-01T10:00:00.000Z", bedrock
    )

    assert (report.status, report.tool_rounds, report.stop_reason) == ("answered", 1, "end_turn")
    # The query ran through the real League resolver, as Bob, with Bob's own token.
    [query] = [request for request in app.api.requests[requests_before:] if request["field"] == "listLeagues"]
    assert (query["mode"], query["sub"], query["variables"], query["errorTypes"]) == (
        "user", app.users["bob"].sub, {"season": 2024}, [])  # fmt: skip
    # The model's second call got the leagues the resolver read (2024 only, in id order).
    [result] = bedrock.requests[1]["messages"][-1]["content"]
    items = result["toolResult"]["content"][0]["json"]["listLeagues"]["items"]
    assert [(item["id"], item["leagueCountry"]["name"], item["teams"][0]["name"]) for item in items] == [
        ("140", "Spain", "Real Madrid"), ("39", "England", "Arsenal")]  # fmt: skip
    # Streamed to Bob's subscription (one message, block indices continuing), then stored once.
    parts = app.api.published[published_before:]
    assert {part["owner"] for part in parts} == {app.users["bob"].sub}
    assert "".join(part["contentBlockText"] or "" for part in parts) == (
        "Let me check the 2024 leagues.In 2024: the Premier League (England) and La Liga (Spain)."
    )
    assert (parts[-1]["contentBlockIndex"], parts[-1]["stopReason"]) == (1, "end_turn")
    identity = app.api.pool.identity_from_token(app.users["bob"].access_token)
    stored = app.api.resolve(
        f"Query.{NAMES.list_messages}", {"filter": {"conversationId": {"eq": conversation}}}, identity
    )["items"]
    assert [(item["role"], [block["text"] for block in item["content"]]) for item in stored] == [
        ("user", ["Which leagues play in 2024?"]),
        (
            "assistant",
            ["Let me check the 2024 leagues.", "In 2024: the Premier League (England) and La Liga (Spain)."],
        ),
    ]
    assert stored[1]["associatedUserMessageId"] == message["id"]


def test_a_data_tool_run_for_one_user_never_returns_another_users_follows(app: ChatApp) -> None:
    """Data tools run as the caller: a route that also offered ``myFollows`` would give Bob his follows (none),
    never Alice's, and Alice hers, through the real owner-scoped resolver."""
    follows = data_tool_definition(build_appsync_schema(app.schema_sdl), "myFollows", "Follows.", "myFollows")
    seen = {}
    for user, stamp in (("bob", "2026-10-03T10:00:00.000Z"), ("alice", "2026-10-03T11:00:00.000Z")):
        bedrock = FakeBedrock(
            FakeClock(),
            replies=[tool_use_frames([("f-1", "myFollows", {})]), answer_frames(["Here they are."])],
        )
        _, report, _ = app.ask(user, "What do I follow?", stamp, bedrock, extra_tools=[follows.payload()])
        assert report.status == "answered"
        [result] = bedrock.requests[1]["messages"][-1]["content"]
        seen[user] = result["toolResult"]["content"][0]["json"]["myFollows"]["items"]

    assert seen["bob"] == []
    assert [(item["leagueId"], item["email"]) for item in seen["alice"]] == [("39", "alice@example.com")]


def test_get_league_answers_through_the_real_resolver(app: ChatApp) -> None:
    bedrock = FakeBedrock(
        FakeClock(),
        replies=[
            tool_use_frames([("g-1", "getLeague", {"id": "39"})]),
            answer_frames(["Arsenal plays there."]),
        ],
    )

    _, report, _ = app.ask("alice", "Who plays in league 39?", "2026-10-02T10:00:00.000Z", bedrock)

    assert report.status == "answered"
    [result] = bedrock.requests[1]["messages"][-1]["content"]
    league = result["toolResult"]["content"][0]["json"]["getLeague"]
    assert (league["id"], league["teams"], league["version"]) == (
        "39",
        [{"id": "42", "name": "Arsenal", "logo": None}],
        3,
    )
    assert json.dumps(result).count("Real Madrid") == 0
