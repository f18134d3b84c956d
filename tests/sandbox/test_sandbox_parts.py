"""The sandbox's parts on their own: tables from TableArgs, the pool from AuthArgs, live resolver files,
subscription filters, asynchronous Lambda invocations, IAM signatures (the handler role's identity), the
conversation route's declared wiring, the Bedrock stand-in, the users file."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer
from botocore.validate import validate_parameters
from moto import mock_aws

from app.component_args import auth_args, follows_table_args, league_table_args
from app.stack_values import StackValues
from genai_backend_components.auth import AuthModel
from genai_backend_components.conversation import RESOLVER_DIRECTORY, RouteNames, resolver_plan
from genai_backend_components.conversation.wiring import handler_caller_check_code
from genai_backend_components.table import Table, TableArgs
from genai_backend_components.validation import check_args
from sandbox.authorization import IAM, USER_POOLS, Caller
from sandbox.bedrock_stub import event_frame, plan_answer, stream_events
from sandbox.cognito import UsersFileError, create_client_request, create_user_pool_request, read_users
from sandbox.graphql_api import FieldResolver, GraphqlApi
from sandbox.runtime.node_worker import NodeWorker
from sandbox.runtime.pipeline import PipelineFunction, ResolverRunner
from sandbox.runtime.sources import DataSourceRequestError, execute_lambda, execute_none, lambda_source
from sandbox.sigv4 import SANDBOX_ACCOUNT_ID, SignatureError, assumed_role_arn, verify
from sandbox.stack import load_settings, load_stack
from sandbox.subscriptions import filter_delivers
from sandbox.tables import create_table, create_table_request
from tests.appsync_harness import AppSyncHarness, none_source
from tests.support import evaluate_component

VALUES = StackValues(project="test", stack="test", region="us-east-1", values={"protectData": False})
EVERYTHING: TableArgs = {
    "hash_key": "pk",
    "range_key": "sk",
    "attribute_types": {"pk": "S", "sk": "N", "gsiKey": "S"},  # type: ignore[dict-item]
    "global_secondary_indexes": [
        {"name": "byGsiKey", "hash_key": "gsiKey", "projection": "INCLUDE", "non_key_attributes": ["title"]}  # type: ignore[typeddict-item]
    ],
    "stream_view_type": "NEW_IMAGE",  # type: ignore[typeddict-item]
    "ttl_attribute": "expiresAt",
    "protect_data": False,
}


@pytest.mark.parametrize(
    "args",
    [league_table_args(VALUES), follows_table_args(VALUES), EVERYTHING],
    ids=["league", "follows", "stream-ttl-include"],
)
def test_create_table_matches_what_the_table_component_declares(args: TableArgs) -> None:
    declared = evaluate_component(lambda: Table("t", args)).named("t-table").inputs
    request = create_table_request("t", args)
    keys = {entry["KeyType"]: entry["AttributeName"] for entry in request["KeySchema"]}
    assert keys.get("HASH") == declared["hashKey"] and keys.get("RANGE") == declared.get("rangeKey")
    assert request["BillingMode"] == declared["billingMode"]
    assert [
        {"name": a["AttributeName"], "type": a["AttributeType"]} for a in request["AttributeDefinitions"]
    ] == declared["attributes"]
    wanted_indexes = [
        {
            "name": index["name"],
            "keySchemas": index["keySchemas"],
            "projectionType": index["projectionType"],
            **({"nonKeyAttributes": index["nonKeyAttributes"]} if "nonKeyAttributes" in index else {}),
        }
        for index in declared.get("globalSecondaryIndexes", [])
    ]
    sent_indexes = [
        {
            "name": index["IndexName"],
            "keySchemas": [
                {"attributeName": k["AttributeName"], "keyType": k["KeyType"]} for k in index["KeySchema"]
            ],
            "projectionType": index["Projection"]["ProjectionType"],
            **(
                {"nonKeyAttributes": index["Projection"]["NonKeyAttributes"]}
                if "NonKeyAttributes" in index["Projection"]
                else {}
            ),
        }
        for index in request.get("GlobalSecondaryIndexes", [])
    ]
    assert sent_indexes == wanted_indexes
    stream = request.get("StreamSpecification")
    assert (stream or {}).get("StreamViewType") == declared.get("streamViewType")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, "t", args)
        table = client.describe_table(TableName="t")["Table"]
        assert table["KeySchema"] == request["KeySchema"]
        ttl = client.describe_time_to_live(TableName="t")["TimeToLiveDescription"]
        assert ttl.get("AttributeName") == (declared.get("ttl") or {}).get("attributeName")


def test_user_pool_requests_carry_the_stack_s_auth_args() -> None:
    settings = load_settings("dev")
    spec = check_args(AuthModel, "AuthArgs", auth_args(settings.values)[0])
    pool, left_out = create_user_pool_request(spec)
    botocore_model = botocore.session.get_session().get_service_model("cognito-idp")
    validate_parameters(pool, botocore_model.operation_model("CreateUserPool").input_shape)
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == settings.values["authPasswordMinLength"]
    assert pool["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"] == settings.values["authFirstFactors"]
    assert pool["AdminCreateUserConfig"] == {
        "AllowAdminCreateUserOnly": not settings.values["authSelfSignUp"]
    }
    assert "web_authn_configuration" in left_out
    client = create_client_request(spec, "us-east-1_pool")
    validate_parameters(client, botocore_model.operation_model("CreateUserPoolClient").input_shape)
    assert "ALLOW_USER_SRP_AUTH" in client["ExplicitAuthFlows"]
    assert client["ReadAttributes"] == ["email", "email_verified"]
    assert client["AccessTokenValidity"] == settings.values["authAccessTokenMinutes"]


# ---- the runtime


@pytest.fixture(scope="module")
def harness() -> Iterator[AppSyncHarness]:
    with AppSyncHarness() as running:
        yield running


def test_a_resolver_file_changed_on_disk_is_live_on_the_next_call(
    harness: AppSyncHarness, tmp_path: Path
) -> None:
    resolver = tmp_path / "Query.live.js"
    code = "export function request(ctx) {{ return {{ payload: {{ version: {} }} }}; }}\n" \
           "export function response(ctx) {{ return ctx.result; }}\n"  # fmt: skip
    resolver.write_text(code.format(1))
    assert harness.run_unit(resolver, none_source()).result == {"version": 1}
    resolver.write_text(code.format(2))
    later = datetime.now().timestamp() + 5
    os.utime(resolver, (later, later))
    assert harness.run_unit(resolver, none_source()).result == {"version": 2}


def test_subscription_filters_are_recorded_and_applied(harness: AppSyncHarness, tmp_path: Path) -> None:
    resolver = tmp_path / "Subscription.onThing.js"
    resolver.write_text(
        "import { util, extensions } from '@aws-appsync/utils';\n"
        "export function request(ctx) { return { payload: null }; }\n"
        "export function response(ctx) {\n"
        "  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({\n"
        "    owner: { eq: 'ana' }, or: [{ score: { gt: 5 } }, { tags: { containsAny: ['x'] } }] }));\n"
        "  return null;\n}\n"
    )
    run = harness.run_unit(resolver, none_source())
    assert run.subscription_filter == {
        "filterGroup": [
            {"filters": [{"fieldName": "owner", "operator": "eq", "value": "ana"},
                         {"fieldName": "score", "operator": "gt", "value": 5}]},
            {"filters": [{"fieldName": "owner", "operator": "eq", "value": "ana"},
                         {"fieldName": "tags", "operator": "containsAny", "value": ["x"]}]},
        ]
    }  # fmt: skip
    assert filter_delivers(run.subscription_filter, {"owner": "ana", "score": 6})
    assert filter_delivers(run.subscription_filter, {"owner": "ana", "score": 1, "tags": ["x", "y"]})
    assert not filter_delivers(run.subscription_filter, {"owner": "ben", "score": 9})
    assert not filter_delivers(run.subscription_filter, {"owner": "ana", "score": 5})


def test_event_invocations_are_queued_and_answer_null() -> None:
    queued: list[Any] = []
    source = lambda_source(
        "Handler", lambda event: {"ran": event}, lambda handler, payload: queued.append((handler, payload))
    )
    outcome = execute_lambda(source, {"operation": "Invoke", "invocationType": "Event", "payload": {"id": 1}})
    assert outcome.result is None and outcome.error is None
    assert queued[0][1] == {"id": 1} and queued[0][0]({"id": 1}) == {"ran": {"id": 1}}
    with pytest.raises(DataSourceRequestError, match="background"):
        execute_lambda(
            lambda_source("Handler", lambda event: None), {"operation": "Invoke", "invocationType": "Event"}
        )


# ---- IAM signatures


def _signed_headers(body: bytes, credentials: Credentials, service: str = "appsync") -> dict[str, str]:
    request = AWSRequest(
        method="POST",
        url="https://127.0.0.1:9/graphql",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    return {**dict(request.headers.items()), "Host": "127.0.0.1:9"}


def test_iam_signatures_verify_only_with_the_sandbox_credentials() -> None:
    ours = Credentials("AKIASANDBOX000000001", "secret-one", "token-one")
    body = b'{"query":"{ getLeague(id: \\"1\\") { id } }"}'
    headers = _signed_headers(body, ours)
    handler_session = "arn:aws:sts::123456789012:assumed-role/chat-handler-role-1/chat-handler-function-2"
    identity = verify(
        "POST", "https://127.0.0.1:9/graphql", headers, body, lambda: ours, user_arn=handler_session
    )
    assert identity["userArn"] == handler_session and "sub" not in identity
    assert identity["cognitoIdentityPoolId"] is None and identity["cognitoIdentityId"] is None
    failures = {
        "tampered body": ("POST", headers, body + b" ", ours),
        "other secret": (
            "POST",
            headers,
            body,
            Credentials("AKIASANDBOX000000001", "secret-two", "token-one"),
        ),
        "other token": (
            "POST",
            headers,
            body,
            Credentials("AKIASANDBOX000000001", "secret-one", "token-two"),
        ),
        "other service": ("POST", _signed_headers(body, ours, "execute-api"), body, ours),
    }
    for label, (method, signed, sent, known) in failures.items():
        with pytest.raises(SignatureError):
            verify(
                method, "https://127.0.0.1:9/graphql", signed, sent, lambda known=known: known, user_arn="x"
            )
        del label
    later = datetime.now(UTC) + timedelta(minutes=16)
    with pytest.raises(SignatureError, match="expired"):
        verify("POST", "https://127.0.0.1:9/graphql", headers, body, lambda: ours, user_arn="x", now=later)


def test_the_plan_serves_the_declared_conversation_wiring_and_iam_callers_are_the_handler_role(
    tmp_path: Path,
) -> None:
    """The conversation route's resolvers, steps and data sources as the component declares them, generated
    steps included; SigV4 callers are a session of the handler's role, which the generated check admits."""
    asyncio.set_event_loop(asyncio.new_event_loop())  # the mock evaluation needs a loop of its own
    plan = load_stack("dev", "https://127.0.0.1:9/graphql")
    names = RouteNames.of(plan.conversation_route)
    [handler] = [
        function for function in plan.functions.values() if "conversation_handler" in function.handler
    ]
    role_name = plan.iam_caller_arn.split("/")[1]
    assert plan.iam_caller_arn == assumed_role_arn(role_name, handler.name)

    # Every field in the wiring's order and on its data sources; a shipped file is served as is, a step
    # generated per stack (data tools, handler-role check) from a file named after its function.
    functions, resolvers = resolver_plan(names)
    for type_field, resolver in resolvers.items():
        if resolver.pipeline:
            declared = [(name, functions[name]) for name in resolver.pipeline]
            expected = [(Path(f"{name}.js"), Path(f.code_path), f.data_source) for name, f in declared]
        else:
            expected = [(None, Path(resolver.code_path), resolver.data_source)]
        served = plan.resolvers[type_field]
        assert [source for _, source in served.steps] == [source for *_, source in expected], type_field
        for (file, _), (generated, shipped, _) in zip(served.steps, expected, strict=True):
            assert file in (shipped, generated), type_field
        assert served.pipeline == (Path(resolver.code_path) if resolver.pipeline else None)

    answer = plan.resolvers[f"Mutation.{names.assistant_response}"]
    stream = plan.resolvers[f"Mutation.{names.assistant_response_stream}"]
    check_file, none = answer.steps[0]
    assert stream.steps == ((check_file, none),)
    assert plan.generated[str(check_file)] == handler_caller_check_code("aws", SANDBOX_ACCOUNT_ID, role_name)
    (tmp_path / "check.js").write_text(plan.generated[str(check_file)])
    part = {"conversationId": "c", "associatedUserMessageId": "m", "owner": "o", "contentBlockText": "hi"}
    with AppSyncHarness() as harness:

        def publish(user_arn: str) -> str | None:
            identity = {"accountId": SANDBOX_ACCOUNT_ID, "userArn": user_arn}
            steps = [PipelineFunction(tmp_path / "check.js", none_source())]
            stream_resolver = RESOLVER_DIRECTORY / "createAssistantResponseStream.js"
            return harness.run_pipeline(
                stream_resolver, steps, arguments={"input": part}, identity=identity
            ).error_type

        assert publish(plan.iam_caller_arn) is None
        assert publish(assumed_role_arn("sandbox-backend", handler.name)) == "Unauthorized"


# ---- the Bedrock stand-in


CONVERSE = botocore.session.get_session().get_service_model("bedrock-runtime").operation_model("Converse")


def test_stand_in_fills_a_forced_tool_from_its_schema() -> None:
    schema = {"type": "object", "properties": {"insights": {"type": "string"}, "score": {"type": "integer"},
                                                "tags": {"type": "array", "items": {"type": "string"}}}}  # fmt: skip
    body = {
        "messages": [{"role": "user", "content": [{"text": "Who improved?"}]}],
        "toolConfig": {"tools": [{"toolSpec": {"name": "record", "inputSchema": {"json": schema}}}],
                       "toolChoice": {"tool": {"name": "record"}}},
    }  # fmt: skip
    validate_parameters({**body, "modelId": "m"}, CONVERSE.input_shape)
    answer = plan_answer(body)
    assert answer["stopReason"] == "tool_use"
    tool_input = answer["content"][0]["toolUse"]["input"]
    assert set(tool_input) == {"insights", "score", "tags"} and "Who improved?" in tool_input["insights"]
    assert isinstance(tool_input["score"], int) and all(isinstance(tag, str) for tag in tool_input["tags"])
    assert plan_answer(body) == answer, "answers must be deterministic"


def test_stand_in_asks_for_a_named_tool_then_reads_its_result() -> None:
    tools = {"tools": [{"toolSpec": {"name": "lookupTeam", "inputSchema": {"json": {"type": "object"}}}}]}
    asked = plan_answer(
        {
            "messages": [{"role": "user", "content": [{"text": "Use lookupTeam for Arsenal"}]}],
            "toolConfig": tools,
        }
    )
    assert asked["stopReason"] == "tool_use" and asked["content"][0]["toolUse"]["name"] == "lookupTeam"
    result = {
        "toolResult": {
            "toolUseId": asked["content"][0]["toolUse"]["toolUseId"],
            "content": [{"json": {"rank": 1}}],
        }
    }
    messages = [
        {"role": "user", "content": [{"text": "Use lookupTeam for Arsenal"}]},
        {"role": "assistant", "content": asked["content"]},
        {"role": "user", "content": [result]},
    ]
    answered = plan_answer({"messages": messages, "toolConfig": tools})
    assert answered["stopReason"] == "end_turn" and '"rank":1' in answered["content"][0]["text"]


def test_stand_in_stream_frames_parse_as_bedrock_event_stream() -> None:
    answer = plan_answer({"messages": [{"role": "user", "content": [{"text": "Who leads?"}]}]})
    buffer = EventStreamBuffer()
    for kind, payload in stream_events(answer, {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3}):
        buffer.add_data(event_frame(kind, payload))
    parsed = [(message.headers[":event-type"], json.loads(message.payload)) for message in buffer]
    kinds = [kind for kind, _ in parsed]
    assert kinds[0] == "messageStart" and kinds[-2:] == ["messageStop", "metadata"]
    text = "".join(payload["delta"]["text"] for kind, payload in parsed if kind == "contentBlockDelta")
    assert text == answer["content"][0]["text"] and kinds.count("contentBlockDelta") > 3


# ---- the users file


def test_users_file_problems_name_item_and_field(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(json.dumps([
        {"email": "ana@example.com", "password": "Passw0rd-Passw0rd!", "groups": ["admins"]},
        {"email": "not-an-email", "password": "", "groups": "admins"},
        {"email": "ANA@example.com", "password": "x"},
    ]))  # fmt: skip
    with pytest.raises(UsersFileError) as raised:
        read_users(path, {"admins"})
    message = str(raised.value)
    assert f"{path}[1].email: must be an email address, got 'not-an-email'" in message
    assert f"{path}[1].password: must be a non-empty string" in message
    assert f"{path}[1].groups: must be a list of group names" in message
    assert f"{path}[2].email: ANA@example.com is listed twice" in message
    path.write_text(json.dumps([{"email": "ana@example.com", "password": "p", "groups": ["admins"]}]))
    assert [user.groups for user in read_users(path, {"admins"})] == [("admins",)]
    path.write_text("{}")
    with pytest.raises(UsersFileError, match="must hold a JSON list"):
        read_users(path, set())


# ---- the GraphQL engine on its own


ENGINE_SCHEMA = """
type Query {
  thing(meta: AWSJSON): Thing @aws_cognito_user_pools
  backendOnly: String @aws_iam
}
type Thing @aws_cognito_user_pools {
  name: String
  meta: AWSJSON
  detail: String
}
"""


@pytest.fixture()
def worker() -> Iterator[NodeWorker]:
    running = NodeWorker(timeout_seconds=10)
    yield running
    running.close()


def test_engine_runs_nested_resolvers_appends_errors_and_parses_awsjson(
    worker: NodeWorker, tmp_path: Path
) -> None:
    thing = tmp_path / "Query.thing.js"
    thing.write_text(
        "export function request(ctx) { return { payload: { name: 'box', meta: ctx.args.meta } }; }\n"
        "export function response(ctx) { return ctx.result; }\n"
    )
    detail = tmp_path / "Thing.detail.js"
    detail.write_text(
        "import { util } from '@aws-appsync/utils';\n"
        "export function request(ctx) { return { payload: `${ctx.source.name}:${ctx.source.meta.size}` }; }\n"
        "export function response(ctx) { util.appendError('partly stale', 'Stale'); return ctx.result; }\n"
    )
    runner = ResolverRunner(worker, {"NONE": execute_none})
    api = GraphqlApi(
        ENGINE_SCHEMA,
        {
            "Query.thing": FieldResolver.unit(thing, none_source()),
            "Thing.detail": FieldResolver.unit(detail, none_source()),
        },
        runner,
    )
    user = Caller(USER_POOLS, {"sub": "u-1", "claims": {}, "groups": []})
    operation = api.parse({"query": 'query { thing(meta: "{\\"size\\":3}") { name meta detail } }'})
    result = api.execute(operation, user)
    assert result.data == {"thing": {"name": "box", "meta": '{"size":3}', "detail": "box:3"}}
    assert [(error.message, error.path, error.extensions["errorType"]) for error in result.errors or []] == [
        ("partly stale", ["thing", "detail"], "Stale")
    ]
    denied = api.execute(api.parse({"query": "{ backendOnly }"}), user)
    assert denied.data == {"backendOnly": None}
    assert denied.errors and denied.errors[0].message == "Not Authorized to access backendOnly on type Query"
    iam = Caller(IAM, {"userArn": "arn:aws:sts::123456789012:assumed-role/x/y"})
    nested = api.execute(api.parse({"query": '{ thing(meta: "{}") { name } }'}), iam)
    assert nested.data == {"thing": None} and nested.errors
    with pytest.raises(ValueError, match=r"Thing\.nothing"):
        GraphqlApi(ENGINE_SCHEMA, {"Thing.nothing": FieldResolver.unit(detail, none_source())}, runner)
