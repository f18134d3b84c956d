"""Load the generated document into npm aws-amplify and drive the real data client against a stub.

One Node process (tests/node/client_config/amplify_client.mjs, about 0.5 s) configures Amplify with the
document, calls the league operations, the generation route and the whole `chat` conversation flow, and
reports every GraphQL request with graphql-js's validation of it against the schema. A second run with a
deliberately wrong introspection proves that validation catches a document AppSync would reject.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.client_config.sample import (
    GRAPHQL_URL,
    HOSTED_DOMAIN,
    PROJECT_ROOT,
    REGION,
    SIGN_IN_URLS,
    SIGN_OUT_URLS,
    USER_POOL_CLIENT_ID,
    USER_POOL_ID,
    fixture_schema,
    sample_outputs,
)

SCRIPT = PROJECT_ROOT / "tests" / "node" / "client_config" / "amplify_client.mjs"


def run_amplify(outputs: dict[str, Any], workdir: Path) -> dict[str, Any]:
    node = shutil.which("node")
    assert node, "Node.js is required for the Amplify client check"
    request = workdir / "input.json"
    request.write_text(json.dumps({"outputs": outputs, "schema": fixture_schema()}), encoding="utf-8")
    completed = subprocess.run(
        [node, str(SCRIPT), str(request)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_amplify(sample_outputs(), tmp_path_factory.mktemp("amplify"))


def requests_to(report: dict[str, Any], field: str) -> list[dict[str, Any]]:
    return [request for request in report["requests"] if request["fields"] == [field]]


def test_auth_is_parsed_for_email_sign_in_hosted_ui_and_passwordless(report: dict[str, Any]) -> None:
    cognito = report["auth"]
    assert cognito["userPoolId"] == USER_POOL_ID
    assert cognito["userPoolClientId"] == USER_POOL_CLIENT_ID
    login = cognito["loginWith"]
    assert (login["email"], login["phone"], login["username"]) == (True, False, False)
    assert login["oauth"]["domain"] == HOSTED_DOMAIN
    assert login["oauth"]["redirectSignIn"] == list(SIGN_IN_URLS)
    assert login["oauth"]["redirectSignOut"] == list(SIGN_OUT_URLS)
    assert login["oauth"]["responseType"] == "code"
    assert login["oauth"]["providers"] == ["Google"]  # OIDC is started by name, COGNITO is the default
    passwordless = cognito["passwordless"]
    assert passwordless["emailOtpEnabled"] is True
    assert passwordless["preferredChallenge"] == "EMAIL_OTP"
    assert passwordless["webAuthn"] == {
        "relyingPartyId": "dev.leagues.example.com",
        "userVerification": "required",
    }
    assert cognito["mfa"] == {"status": "optional", "smsEnabled": False, "totpEnabled": True}
    assert cognito["passwordFormat"]["minLength"] == 12


def test_api_uses_the_endpoint_with_user_pool_auth(report: dict[str, Any]) -> None:
    assert report["api"] == {"endpoint": GRAPHQL_URL, "defaultAuthMode": "userPool", "region": REGION}


def test_client_exposes_the_schema_routes(report: dict[str, Any]) -> None:
    routes = report["clientRoutes"]
    assert {"getLeague", "listLeagues", "myFollows"} <= set(routes["queries"])
    assert {"action", "unfollow", "upsertLeague"} <= set(routes["mutations"])
    assert routes["generations"] == ["generateInsights"]
    assert routes["conversations"] == ["chat"]


def test_every_request_is_valid_against_the_schema_and_signed_as_the_user(report: dict[str, Any]) -> None:
    sent = [request["fields"][0] for request in report["requests"]]
    assert sent == [
        "getLeague",
        "listLeagues",
        "action",
        "generateInsights",
        "createConversationChat",
        "getConversationChat",
        "listConversationChats",
        "onCreateAssistantResponseChat",
        "sendMessageChat",
        "listConversationMessageChats",
    ]
    for request in report["requests"]:
        assert request["errors"] == [], (request["query"], request["errors"])
        assert request["authorization"] == report["token"], request["fields"]


def test_league_operations_send_their_arguments(report: dict[str, Any]) -> None:
    (get_league,) = requests_to(report, "getLeague")
    assert (get_league["operation"], get_league["variables"]) == ("query", {"id": "league-39"})
    assert "leagueCountry {" in get_league["query"] and "teams {" in get_league["query"]
    (list_leagues,) = requests_to(report, "listLeagues")
    assert list_leagues["variables"] == {"season": 2024, "limit": 10}
    assert "nextToken" in list_leagues["query"]
    (action,) = requests_to(report, "action")
    assert (action["operation"], action["variables"]) == (
        "mutation",
        {"leagueId": "league-39", "season": 2024},
    )
    assert report["results"]["listLeagues"]["nextToken"] == "page-2"


def test_generation_route_is_a_query_with_its_argument(report: dict[str, Any]) -> None:
    (generation,) = requests_to(report, "generateInsights")
    assert generation["operation"] == "query"
    assert generation["variables"] == {"requirement": "Summarise the season"}
    assert report["results"]["generateInsights"] == {"insights": "Close race; Arsenal lead."}


def test_conversation_route_sends_and_streams(report: dict[str, Any]) -> None:
    (send,) = requests_to(report, "sendMessageChat")
    assert send["operation"] == "mutation"
    assert send["variables"] == {"conversationId": "conv-1", "content": [{"text": "Which league?"}]}
    (subscribe,) = requests_to(report, "onCreateAssistantResponseChat")
    assert (subscribe["transport"], subscribe["operation"]) == ("websocket", "subscription")
    assert subscribe["variables"] == {"conversationId": "conv-1"}
    (messages,) = requests_to(report, "listConversationMessageChats")
    assert messages["variables"] == {"filter": {"conversationId": {"eq": "conv-1"}}}
    assert report["streamEvent"]["text"] == "Premier"
    assert report["streamEvent"]["conversationId"] == "conv-1"
    assert report["results"]["sendMessage"]["content"] == [{"text": "Which league?"}]


def test_validation_catches_an_introspection_that_disagrees_with_the_schema(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    outputs = copy.deepcopy(sample_outputs())
    league = outputs["data"]["model_introspection"]["nonModels"]["League"]
    league["fields"]["rank"] = {
        "name": "rank",
        "isArray": False,
        "type": "Int",
        "isRequired": False,
        "attributes": [],
    }
    broken = run_amplify(outputs, tmp_path_factory.mktemp("amplify_broken"))
    (get_league,) = requests_to(broken, "getLeague")
    assert any('"rank"' in error and '"League"' in error for error in get_league["errors"])
