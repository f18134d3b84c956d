"""The resolver harness itself: DynamoDB request execution, AppSync's condition rule, pipelines, plug-ins.

Resolver tests are only as good as this bridge, so it is held to AppSync's documented behaviour
(DynamoDB resolver reference for JS; pipeline and runtime pages) and to its own strictness promise:
a malformed or unguarded request fails the test instead of passing quietly.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.appsync_harness import (
    DEFAULT_EXECUTORS,
    AppSyncHarness,
    DataSource,
    DataSourceOutcome,
    DataSourceRequestError,
    PipelineFunction,
    dynamodb_table,
    none_source,
)
from tests.cognito_tokens import CognitoTestPool, UntrustedTokenError

REGION = "us-east-1"
PASSTHROUGH = """
export function request(ctx) { return ctx.args.request; }
export function response(ctx) { return { result: ctx.result ?? null, error: ctx.error ?? null }; }
"""
PIPELINE = """
import { runtime } from '@aws-appsync/utils';
export function request(ctx) {
  ctx.stash.trail = ['before'];
  if (ctx.args.stopAll) { runtime.earlyReturn({ stopped: true }); }
  return {};
}
export function response(ctx) { return { final: ctx.prev.result, trail: ctx.stash.trail }; }
"""
STEP = """
import { runtime } from '@aws-appsync/utils';
export function request(ctx) {
  ctx.stash.trail.push('NAME');
  const count = ctx.prev.result.count ?? 0;
  if (ctx.args.skipAfter === 'NAME') { runtime.earlyReturn({ count, skipped: true }, { skipTo: 'END' }); }
  return { payload: { count: count + 1 } };
}
export function response(ctx) { return ctx.result; }
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("harness")
    written = {"passthrough": PASSTHROUGH, "pipeline": PIPELINE}
    written |= {name: STEP.replace("NAME", name) for name in ("first", "second", "third")}
    for name, code in written.items():
        (directory / f"{name}.js").write_text(code)
    return {name: directory / f"{name}.js" for name in written}


@pytest.fixture(scope="module")
def table() -> Iterator[DataSource]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName="things",
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        )
        client.put_item(TableName="things", Item={"id": {"S": "kept"}, "size": {"N": "2"}})
        yield dynamodb_table("Things", client, "things")


@pytest.fixture(scope="module")
def harness() -> Iterator[AppSyncHarness]:
    with AppSyncHarness() as running:
        yield running


def send(harness: AppSyncHarness, files: dict[str, Path], table: DataSource, request: dict[str, Any]) -> Any:
    return harness.run_unit(files["passthrough"], table, arguments={"request": request}).result


PUT_IF_ABSENT = {"expression": "attribute_not_exists(id)"}


@pytest.mark.parametrize(
    "request_object",
    [
        {"operation": "GetItem", "key": {"id": {"S": "kept"}}, "conditon": PUT_IF_ABSENT},
        {"operation": "Scan"},
        {"operation": "GetItem", "key": {"id": "kept"}},
        {"operation": "UpdateItem", "key": {"id": {"S": "kept"}}},
        {
            "operation": "DeleteItem",
            "key": {"id": {"S": "kept"}},
            "condition": {
                "expression": "size = :size",
                "expressionValues": {":size": {"N": 2}, ":unused": {"N": 1}},
            },
        },
        {
            "operation": "DeleteItem",
            "key": {"id": {"S": "kept"}},
            "condition": {"expression": "#size = :size"},
        },
    ],
    ids=[
        "misspelt-field",
        "unsupported-operation",
        "untyped-key",
        "update-without-update",
        "unused-value",
        "undefined",
    ],
)
def test_malformed_requests_fail_the_test_instead_of_reaching_dynamodb(
    harness: AppSyncHarness, files: dict[str, Path], table: DataSource, request_object: dict[str, Any]
) -> None:
    with pytest.raises(DataSourceRequestError):
        send(harness, files, table, request_object)
    assert table.config["client"].get_item(TableName="things", Key={"id": {"S": "kept"}}).get("Item")


def test_expected_request_fields_guard_against_a_dropped_condition(
    harness: AppSyncHarness, files: dict[str, Path], table: DataSource
) -> None:
    request_object = {"operation": "DeleteItem", "key": {"id": {"S": "kept"}}}
    with pytest.raises(DataSourceRequestError, match=r"condition\.expression"):
        harness.run_unit(
            files["passthrough"],
            table,
            arguments={"request": request_object},
            expect_request=["condition.expression"],
        )
    assert table.config["client"].get_item(TableName="things", Key={"id": {"S": "kept"}}).get("Item")


def test_failed_put_condition_counts_as_success_only_when_the_item_already_matches(
    harness: AppSyncHarness, files: dict[str, Path], table: DataSource
) -> None:
    same = {"operation": "PutItem", "key": {"id": {"S": "kept"}}, "attributeValues": {"size": {"N": 2}}}
    assert send(harness, files, table, {**same, "condition": PUT_IF_ABSENT}) == {
        "result": {"id": "kept", "size": 2},
        "error": None,
    }
    different = {**same, "attributeValues": {"size": {"N": 3}}, "condition": PUT_IF_ABSENT}
    outcome = send(harness, files, table, different)
    assert outcome["result"] is None
    assert outcome["error"]["type"] == "DynamoDB:ConditionalCheckFailedException"


def test_failed_delete_condition_on_a_missing_item_is_a_success_with_no_result(
    harness: AppSyncHarness, files: dict[str, Path], table: DataSource
) -> None:
    request_object = {
        "operation": "DeleteItem",
        "key": {"id": {"S": "never-existed"}},
        "condition": {"expression": "attribute_exists(id)"},
    }
    assert send(harness, files, table, request_object) == {"result": None, "error": None}


def test_failed_update_condition_is_reported_in_ctx_error(
    harness: AppSyncHarness, files: dict[str, Path], table: DataSource
) -> None:
    request_object = {
        "operation": "UpdateItem",
        "key": {"id": {"S": "kept"}},
        "update": {"expression": "SET #size = :size", "expressionNames": {"#size": "size"}},
        "condition": {"expression": "#size > :size", "expressionValues": {":size": {"N": 10}}},
    }
    outcome = send(harness, files, table, request_object)
    assert outcome["error"]["type"] == "DynamoDB:ConditionalCheckFailedException"
    stored = table.config["client"].get_item(TableName="things", Key={"id": {"S": "kept"}})["Item"]
    assert stored["size"] == {"N": "2"}


def test_a_garbled_next_token_is_a_data_source_error(
    harness: AppSyncHarness, files: dict[str, Path], table: DataSource
) -> None:
    request_object = {
        "operation": "Query",
        "query": {"expression": "id = :id", "expressionValues": {":id": {"S": "kept"}}},
        "nextToken": "%%%not-a-token",
    }
    assert send(harness, files, table, request_object)["error"]["type"] == "DynamoDB:ValidationException"


@pytest.mark.parametrize(
    ("arguments", "expected_result", "expected_trail", "data_source_calls"),
    [
        ({}, {"count": 3}, ["before", "first", "second", "third"], 3),
        ({"skipAfter": "second"}, {"count": 1, "skipped": True}, ["before", "first", "second"], 1),
        ({"stopAll": True}, {"stopped": True}, ["before"], 0),
    ],
    ids=["all-functions", "earlyReturn-skipTo-END", "earlyReturn-in-resolver-request"],
)
def test_pipeline_chains_prev_result_and_stash_and_honours_early_return(
    harness: AppSyncHarness,
    files: dict[str, Path],
    arguments: dict[str, Any],
    expected_result: Any,
    expected_trail: list[str],
    data_source_calls: int,
) -> None:
    steps = [PipelineFunction(files[name], none_source()) for name in ("first", "second", "third")]
    run = harness.run_pipeline(files["pipeline"], steps, arguments=arguments)
    assert run.error is None
    assert run.result == {"final": expected_result, "trail": expected_trail}
    assert len(run.requests) == data_source_calls


def test_data_source_kinds_plug_in_through_executors(files: dict[str, Path]) -> None:
    received: list[dict[str, Any]] = []

    def fake_http(source: DataSource, request: dict[str, Any]) -> DataSourceOutcome:
        received.append(request)
        return DataSourceOutcome(result={"statusCode": 200, "body": '{"ok": true}'})

    http_request = {"method": "POST", "resourcePath": "/model/x/converse", "params": {"body": {}}}
    bedrock = DataSource(kind="HTTP", name="BedrockRuntime")
    with AppSyncHarness(executors={**DEFAULT_EXECUTORS, "HTTP": fake_http}) as extended:
        run = extended.run_unit(files["passthrough"], bedrock, arguments={"request": http_request})
    assert received == [http_request]
    assert run.result == {"result": {"statusCode": 200, "body": '{"ok": true}'}, "error": None}
    with (
        AppSyncHarness() as plain,
        pytest.raises(DataSourceRequestError, match="no executor for data source kind"),
    ):
        plain.run_unit(files["passthrough"], bedrock, arguments={"request": http_request})


def test_tokens_that_were_not_issued_by_the_pool_are_rejected() -> None:
    with mock_aws():
        pool = CognitoTestPool(boto3.client("cognito-idp", region_name=REGION))
        user = pool.create_user("carol@example.com")
        header, payload, signature = user.id_token.split(".")
        tampered = ".".join(
            [header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), signature]
        )
        with pytest.raises(UntrustedTokenError, match="bad_signature"):
            pool.identity_from_token(tampered)
        other_pool = CognitoTestPool(boto3.client("cognito-idp", region_name=REGION), pool_name="other")
        with pytest.raises(UntrustedTokenError, match="iss"):
            other_pool.identity_from_token(user.id_token)
