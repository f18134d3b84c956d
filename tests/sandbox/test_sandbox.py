"""The offline sandbox end to end: an unchanged aws-amplify 6 client in Node against ``python -m sandbox``.

The client (tests/sandbox/amplify_client.mjs) is configured from the sandbox's own amplify_outputs.json plus
``Auth.Cognito.userPoolEndpoint``, signs in with SRP against moto's Cognito, reads and writes League data,
generates, and chats with the answer streamed over AppSync's real-time protocol. The other tests speak the
protocols directly: HTTP authorization (401, user pools, IAM), authorization directives, the real-time
WebSocket dialect with the header as query parameters, the client config files, and the request log.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type

from app.api_schema import api_schema
from sandbox.appsync_scalars import build_schema
from sandbox.sigv4 import STUB_CREDENTIALS
from tests.sandbox.conftest import REPO_ROOT, USERS, RunningSandbox

CLIENT = REPO_ROOT / "tests" / "sandbox" / "amplify_client.mjs"
SCHEMA = build_schema(api_schema())
GENERATION_FIELD = "generateInsights"
ROUTE = "chat"


def generation_call() -> tuple[dict[str, str], GraphQLObjectType]:
    """Arguments for the generation field and its return type, read from the schema the stack deploys."""
    assert SCHEMA.query_type is not None
    definition = SCHEMA.query_type.fields[GENERATION_FIELD]
    arguments = {}
    for name, argument in definition.args.items():
        assert get_named_type(argument.type).name == "String", f"{name}: the test only fills String arguments"
        arguments[name] = "Which teams improved most after January?"
    returned = get_named_type(definition.type)
    assert isinstance(returned, GraphQLObjectType)
    return arguments, returned


@pytest.fixture(scope="module")
def report(sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None, "node is required"
    arguments, _ = generation_call()
    document = {
        "outputs": sandbox.outputs,
        "endpoints": sandbox.endpoints,
        "userA": {key: USERS[0][key] for key in ("email", "password")},
        "userB": {key: USERS[1][key] for key in ("email", "password")},
        "generation": {"field": GENERATION_FIELD, "arguments": arguments},
        "route": ROUTE,
    }
    path = tmp_path_factory.mktemp("client") / "input.json"
    path.write_text(json.dumps(document))
    mark = len(sandbox.lines)
    completed = subprocess.run(
        [node, "--experimental-websocket", "--no-warnings", str(CLIENT), str(path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(sandbox.cert)},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:] + "\n".join(sandbox.log_since(mark)[-40:])
    result = json.loads(completed.stdout)
    result["log"] = sandbox.log_since(mark)
    return result


def test_amplify_signs_in_with_srp_against_the_local_pool(report: dict[str, Any]) -> None:
    assert report["signInA"] == {"isSignedIn": True, "nextStep": "DONE", "groups": ["admins"]}
    assert report["signInB"] == {"isSignedIn": True, "nextStep": "DONE", "groups": []}


def test_league_reads_and_writes_run_the_deployed_resolvers(report: dict[str, Any]) -> None:
    assert report["upsertLeague"] == {"id": "sandbox-39", "season": 2024, "version": 1}
    assert report["listLeagues"]["items"] == [
        {
            "id": "sandbox-39",
            "season": 2024,
            "leagueCountry": {"name": "England"},
            "teams": [{"name": "Arsenal"}],
        }
    ]
    assert report["getLeague"] == {"id": "sandbox-39", "season": 2024, "version": 1}
    assert report["action"]["leagueId"] == "sandbox-39"
    assert datetime.fromisoformat(report["action"]["createdAt"]) > datetime.now(UTC) - timedelta(minutes=5)
    assert report["myFollows"]["items"] == [{"leagueId": "sandbox-39", "season": 2024}]


def test_generation_answers_with_the_schema_s_return_type(report: dict[str, Any]) -> None:
    _, returned = generation_call()
    generation = report["generation"]
    assert generation["errors"] == []
    data = generation["data"]
    assert set(data) == set(returned.fields)
    required = [
        name for name, definition in returned.fields.items() if isinstance(definition.type, GraphQLNonNull)
    ]
    assert required and all(data[name] not in (None, "", []) for name in required)


def test_chat_answer_is_streamed_over_the_subscription_and_stored(report: dict[str, Any]) -> None:
    assert report["sent"]["role"] == "user" and report["sent"]["errors"] == []
    assert report["streamErrors"] == []
    events = report["streamEvents"]
    assert all(event["conversationId"] == report["conversationId"] for event in events)
    texts = sorted((e["contentBlockDeltaIndex"], e["text"]) for e in events if e["text"] is not None)
    assert len(texts) >= 2, "the answer should arrive in more than one part"
    assert [index for index, _ in texts] == list(range(len(texts)))
    assert events[-1]["stopReason"] == "end_turn"
    streamed = "".join(text for _, text in texts)
    assert "Who leads the table?" in streamed
    assert report["history"] == [
        {"role": "user", "text": "Who leads the table?"},
        {"role": "assistant", "text": streamed},
    ]


def test_the_handler_answers_as_its_role_through_the_generated_role_check(report: dict[str, Any]) -> None:
    """The sandbox's SigV4 callers are a session of the handler's role, and both answer mutations ran the
    route's generated verifyHandlerCaller step first, which let the handler's answer through (stored above)."""
    lines = report["log"]
    session = r"arn:aws:sts::\d{12}:assumed-role/chat-handler-role-[0-9a-f]+/chat-handler-function-[0-9a-f]+"
    for field in ("Mutation.createAssistantResponseStreamChat", "Mutation.createAssistantResponseChat"):
        heading = re.compile(rf"\[graphql\] mutation \S+ by iam {session}: {re.escape(field)} \(")
        at = next(index for index, line in enumerate(lines) if heading.search(line))
        assert f"  resolver {field} " in lines[at + 1]
        assert "    ConversationChatVerifyHandlerCaller.js on ConversationChatNone (NONE)" in lines[at + 2]


def test_user_b_cannot_see_or_use_user_a_s_conversation(report: dict[str, Any]) -> None:
    assert report["bGet"] == {"data": None, "errors": []}
    assert report["conversationId"] not in report["bList"]
    assert report["bSend"]["data"] is None
    assert [error["errorType"] for error in report["bSend"]["errors"]] == ["NotFound"]
    assert report["bSubscribe"]["outcome"] == "error"
    assert "NotFound" in report["bSubscribe"]["error"]


def test_each_request_is_logged_with_caller_resolvers_and_data_source_durations(
    report: dict[str, Any],
) -> None:
    log = "\n".join(report["log"])
    assert re.search(r"\[graphql\] query List by user [0-9a-f-]{36}: Query\.listLeagues \(\d+\.\d ms\)", log)
    assert re.search(r"resolver Query\.listLeagues \d+\.\d ms", log)
    assert re.search(r"Query\.listLeagues\.js on LeagueTable \(AMAZON_DYNAMODB\) \d+\.\d ms", log)
    assert re.search(r"invokeHandler\.function\.js on \w+ \(AWS_LAMBDA\) \d+\.\d ms", log)
    assert re.search(r"\[graphql\] mutation \w+ by iam arn:aws:sts::\d{12}:assumed-role/", log)
    assert re.search(r"error sendMessageChat: NotFound: conversation [0-9a-f-]+ not found", log)
    assert re.search(r"\[realtime\] subscription \S+ to onCreateAssistantResponseChat by user", log)


# ---- HTTP authorization


def test_requests_without_a_valid_user_pool_token_get_401(sandbox: RunningSandbox) -> None:
    query = {"query": "{ listLeagues(season: 2024) { items { id } } }"}
    status, body = sandbox.post(query)
    assert status == 401 and body["errors"][0]["errorType"] == "UnauthorizedException"
    header = (
        base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": "dummy"}).encode()).decode().rstrip("=")
    )
    claims = {"sub": "x", "token_use": "access", "client_id": sandbox.outputs["auth"]["user_pool_client_id"]}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    for token in ("not-a-token", f"{header}.{payload}.c2lnbmF0dXJl"):
        status, body = sandbox.post(query, {"Authorization": token})
        assert status == 401, token
        assert body["errors"][0]["errorType"] == "UnauthorizedException"


def _signed(sandbox: RunningSandbox, body: dict[str, Any], access_key: str, secret: str) -> dict[str, str]:
    data = json.dumps(body).encode()
    request = AWSRequest(method="POST", url=sandbox.endpoints["graphql"], data=data,
                         headers={"Content-Type": "application/json"})  # fmt: skip
    SigV4Auth(Credentials(access_key, secret), "appsync", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_iam_mode_accepts_the_sandbox_s_credentials_only_on_iam_fields(sandbox: RunningSandbox) -> None:
    key, secret = STUB_CREDENTIALS["AWS_ACCESS_KEY_ID"], STUB_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    read = {"query": '{ getLeague(id: "none") { id } }'}
    status, body = sandbox.post(read, _signed(sandbox, read, key, secret))
    assert (status, body) == (200, {"data": {"getLeague": None}})
    own = {"query": "{ myFollows { items { leagueId } } }"}
    status, body = sandbox.post(own, _signed(sandbox, own, key, secret))
    assert status == 200 and body["data"] is None
    assert body["errors"][0]["errorType"] == "Unauthorized"
    assert body["errors"][0]["message"] == "Not Authorized to access myFollows on type Query"
    status, body = sandbox.post(read, _signed(sandbox, read, "AKIAOTHERCALLER00001", "other-secret"))
    assert status == 401


def _token(sandbox: RunningSandbox, user: dict[str, Any]) -> str:
    import boto3

    client = boto3.client("cognito-idp", endpoint_url=sandbox.endpoints["cognito"], region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="y")  # fmt: skip
    result = client.initiate_auth(
        ClientId=sandbox.outputs["auth"]["user_pool_client_id"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user["email"], "PASSWORD": user["password"]},
    )  # fmt: skip
    return result["AuthenticationResult"]["AccessToken"]


def test_directives_decide_per_field_as_appsync_does(sandbox: RunningSandbox) -> None:
    """USER_PASSWORD_AUTH signs in too; cognito_groups gate upsertLeague; @aws_iam-only fields refuse users."""
    member = _token(sandbox, USERS[1])
    upsert = {"query": 'mutation { upsertLeague(input: {id: "x1", season: 2024}) { id } }'}
    status, body = sandbox.post(upsert, {"Authorization": member})
    assert status == 200 and body["data"] == {"upsertLeague": None}
    assert body["errors"][0]["message"] == "Not Authorized to access upsertLeague on type Mutation"
    stream = {
        "query": 'mutation { createAssistantResponseStreamChat(input: {conversationId: "c", '
        'associatedUserMessageId: "m", owner: "o"}) { id } }'
    }
    status, body = sandbox.post(stream, {"Authorization": member})
    assert body["errors"][0]["errorType"] == "Unauthorized"
    status, body = sandbox.post({"query": "{ notAField }"}, {"Authorization": member})
    assert status == 200 and body["data"] is None and "notAField" in body["errors"][0]["message"]


# ---- the real-time endpoint, spoken directly (header and payload as query parameters)


async def _realtime_exchange(sandbox: RunningSandbox, token: str) -> list[dict[str, Any]]:
    header = base64.b64encode(json.dumps({"host": "127.0.0.1", "Authorization": token}).encode()).decode()
    url = f"{sandbox.endpoints['realtime']}?header={header}&payload=e30="
    frames: list[dict[str, Any]] = []
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(
            url, protocols=("graphql-ws",), ssl=sandbox.tls(), timeout=aiohttp.ClientWSTimeout(ws_close=5)
        ) as socket,
    ):
        assert socket.protocol == "graphql-ws"

        async def receive() -> dict[str, Any]:
            frame = json.loads((await asyncio.wait_for(socket.receive(), 10)).data)
            frames.append(frame)
            return frame

        await socket.send_str(json.dumps({"type": "connection_init"}))
        if (await receive())["type"] == "connection_error":
            return frames
        await receive()  # ka
        query = "subscription S($id: ID!) { onCreateAssistantResponseChat(conversationId: $id) { id } }"
        start = {"query": query, "variables": {"id": "not-a-conversation"}}
        extensions = {"authorization": {"host": "127.0.0.1", "Authorization": token}}
        await socket.send_str(
            json.dumps(
                {"id": "1", "type": "start", "payload": {"data": json.dumps(start), "extensions": extensions}}
            )
        )
        await receive()
        bad = {"query": "subscription { nothing }"}
        await socket.send_str(
            json.dumps(
                {"id": "2", "type": "start", "payload": {"data": json.dumps(bad), "extensions": extensions}}
            )
        )
        await receive()
        await socket.send_str(json.dumps({"id": "1", "type": "stop"}))
        await receive()
    return frames


def _run(coroutine: Any) -> Any:
    """Runs on a private loop: asyncio.run would leave the main thread without one, which Pulumi's mocks need."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def test_realtime_protocol_with_query_parameter_header(sandbox: RunningSandbox) -> None:
    frames = _run(_realtime_exchange(sandbox, _token(sandbox, USERS[0])))
    assert [frame["type"] for frame in frames] == ["connection_ack", "ka", "error", "error", "complete"]
    assert frames[0]["payload"] == {"connectionTimeoutMs": 300000}
    assert frames[2]["id"] == "1" and frames[2]["payload"]["errors"][0]["errorType"] == "NotFound"
    assert frames[3]["id"] == "2" and "nothing" in frames[3]["payload"]["errors"][0]["message"]
    refused = _run(_realtime_exchange(sandbox, "not-a-token"))
    assert [frame["type"] for frame in refused] == ["connection_error"]
    assert refused[0]["payload"]["errors"][0]["errorType"] == "UnauthorizedException"


# ---- what the sandbox writes, and what it refuses


def test_client_config_points_at_the_sandbox(sandbox: RunningSandbox) -> None:
    endpoints = sandbox.endpoints
    assert set(endpoints) == {"graphql", "realtime", "cognito"}
    port = int(endpoints["graphql"].rsplit(":", 1)[1].split("/")[0])
    assert endpoints["graphql"] == f"https://127.0.0.1:{port}/graphql"
    assert endpoints["realtime"] == f"wss://127.0.0.1:{port}/graphql/realtime"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoints["cognito"])
    outputs = sandbox.outputs
    assert outputs["version"] == "1.5"
    assert outputs["data"]["url"] == endpoints["graphql"]
    assert outputs["data"]["default_authorization_type"] == "AMAZON_COGNITO_USER_POOLS"
    assert GENERATION_FIELD in outputs["data"]["model_introspection"]["generations"]
    assert outputs["auth"]["user_pool_id"] in "\n".join(sandbox.lines)
    assert sandbox.cert.read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_a_bad_users_file_is_refused_naming_the_item_and_field(tmp_path: Path) -> None:
    users = tmp_path / "users.json"
    users.write_text(
        json.dumps([{"email": "ana@example.com", "password": "x", "groups": ["owners"]}, {"mail": "b"}])
    )
    completed = subprocess.run(
        [sys.executable, "-m", "sandbox", "--port", "0", "--users", str(users), "--out", str(tmp_path / "out")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert completed.returncode == 2
    assert f"{users}[0].groups: ['owners'] are not groups of the pool; allowed: admins" in completed.stderr
    assert f"{users}[1]: unknown field(s) ['mail']" in completed.stderr
    assert not (tmp_path / "out" / "endpoints.json").exists()


def test_real_bedrock_without_credentials_is_refused_before_serving(tmp_path: Path) -> None:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") or key == "AWS_EC2_METADATA_DISABLED"
    }
    # No instance-metadata lookup: the test machine must not send anything beyond the loopback address.
    environment.update(AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=str(tmp_path / "none"),
                       AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))  # fmt: skip
    completed = subprocess.run(
        [sys.executable, "-m", "sandbox", "--port", "0", "--bedrock", "real", "--out", str(tmp_path / "out")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, env=environment,
    )  # fmt: skip
    assert completed.returncode == 2, completed.stderr
    assert "--bedrock real needs AWS credentials" in completed.stderr
    assert not (tmp_path / "out" / "endpoints.json").exists()


def test_the_readme_documents_the_command_that_exists() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert "## Offline sandbox" in readme
    assert "bash scripts/sandbox.sh --port 9443 --users my-users.json --bedrock real" in readme
    assert "exec .venv/bin/python -m sandbox" in (REPO_ROOT / "scripts" / "sandbox.sh").read_text()
    assert "userPoolEndpoint" in readme and "EMAIL_OTP" in readme
