"""examples/minimal, a separate Pulumi project, evaluated under mocks exactly as its own program runs.

It proves the components compose outside this backend: a function with its logging settings, a table,
and a grant that lets the function write to that table and no other. The handler itself runs against
a moto table, so the example is a working program and not just a declaration.
"""

from __future__ import annotations

import importlib.util
import json
import os
import runpy
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from tests.policy_evaluator import is_allowed
from tests.support import TEST_REGION
from tools.evaluate import Evaluation, evaluate
from tools.fake_cloud import ACCOUNT_ID

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "examples" / "minimal"
PROJECT = yaml.safe_load((EXAMPLE / "Pulumi.yaml").read_text(encoding="utf-8"))["name"]


def run_example(config: dict[str, str] | None = None) -> Evaluation:
    """Runs the example's __main__.py from its own folder, as ``pulumi up`` there would."""
    previous = Path.cwd()
    os.chdir(EXAMPLE)
    try:
        return evaluate(
            lambda: runpy.run_path(str(EXAMPLE / "__main__.py"), run_name="__main__"),
            stack="dev",
            project=PROJECT,
            region=TEST_REGION,
            config=config,
        )
    finally:
        os.chdir(previous)


@pytest.fixture(scope="module")
def example() -> Evaluation:
    return run_example()


def table_arn(physical_name: str) -> str:
    return f"arn:aws:dynamodb:{TEST_REGION}:{ACCOUNT_ID}:table/{physical_name}"


def test_example_is_its_own_project_installing_the_components_package() -> None:
    main_project = yaml.safe_load((REPO_ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))["name"]
    assert main_project != PROJECT
    packaging = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = (EXAMPLE / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith(f"{packaging['project']['name']} @ git+https://") for line in requirements)


def test_function_has_its_handler_and_structured_logging(example: Evaluation) -> None:
    function = example.named("hello-function").inputs
    assert function["handler"] == "hello.handler.handler"
    logging_config = function["loggingConfig"]
    assert logging_config["logFormat"] == "JSON"
    assert logging_config["applicationLogLevel"] == "INFO"
    assert logging_config["logGroup"].startswith("hello-logs-")
    assert example.named("hello-logs").inputs["retentionInDays"] == 14


def test_function_is_told_the_table_name(example: Evaluation) -> None:
    table_name = example.named("hello-function").inputs["environment"]["variables"]["TABLE_NAME"]
    assert table_name.startswith("greetings-table-")
    assert example.outputs["tableName"] == table_name
    assert example.outputs["functionName"].startswith("hello-function-")


def test_table_is_on_demand_and_unprotected_by_default(example: Evaluation) -> None:
    table = example.named("greetings-table")
    assert table.inputs["hashKey"] == "id"
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert table.inputs["deletionProtectionEnabled"] is False
    assert not table.protect


def test_protect_data_config_protects_the_table() -> None:
    table = run_example({f"{PROJECT}:protectData": "true"}).named("greetings-table")
    assert table.inputs["deletionProtectionEnabled"] is True
    assert table.protect and table.retain_on_delete


def test_grant_lets_the_function_role_write_this_table_only(example: Evaluation) -> None:
    grant = example.named("greetings-hello-read-write")
    assert grant.inputs["role"].startswith("hello-role-")
    policy = json.loads(grant.inputs["policy"])
    table_name = example.named("hello-function").inputs["environment"]["variables"]["TABLE_NAME"]
    assert is_allowed(policy, "dynamodb:PutItem", table_arn(table_name), {})
    assert is_allowed(policy, "dynamodb:GetItem", table_arn(table_name), {})
    assert not is_allowed(policy, "dynamodb:PutItem", table_arn("someone-elses-table"), {})
    assert not is_allowed(policy, "dynamodb:DeleteTable", table_arn(table_name), {})


@pytest.fixture
def moto_table() -> Iterator[Any]:
    with mock_aws():
        resource = boto3.resource("dynamodb", region_name=TEST_REGION)
        table = resource.create_table(
            TableName="greetings",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield table


def test_handler_stores_a_greeting_keyed_by_request(moto_table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "greetings")
    monkeypatch.setenv("AWS_DEFAULT_REGION", TEST_REGION)
    spec = importlib.util.spec_from_file_location(
        "hello_handler", EXAMPLE / "functions" / "hello" / "handler.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    request = SimpleNamespace(aws_request_id="req-1")
    returned = module.handler({"name": "Ana"}, request)
    stored = moto_table.get_item(Key={"id": "req-1"})["Item"]
    assert stored == returned == {"id": "req-1", "greeting": "Hello, Ana!"}
    module.handler({"name": "Bo"}, request)
    assert moto_table.scan()["Count"] == 1
