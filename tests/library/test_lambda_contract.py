"""Values the function and table components (and the handler) send to AWS, checked against AWS's own API
models as shipped in botocore: a typo here would otherwise surface only at deploy time."""

from __future__ import annotations

import json
import re
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import ServiceModel

from genai_backend_components import function as function_module
from genai_backend_components import table as table_module
from genai_backend_components.function import LoggedFunction, LoggedFunctionArgs
from genai_backend_components.table import Table, TableArgs
from tests.support import evaluate_component

ROOT = Path(__file__).resolve().parents[2]
LEAGUE_CODE = ROOT / "functions" / "league"
LEAGUE_HANDLER = "league.handler.handler"


@cache
def _model(service: str) -> ServiceModel:
    return botocore.session.get_session().get_service_model(service)


def _enum(service: str, shape: str) -> set[str]:
    return set(_model(service).shape_for(shape).enum)


def _metadata(service: str, shape: str) -> dict[str, Any]:
    return _model(service).shape_for(shape).metadata


def test_lambda_enums_accept_every_value_the_component_can_send() -> None:
    assert set(function_module.SUPPORTED_RUNTIMES) <= _enum("lambda", "Runtime")
    assert function_module.ARCHITECTURE in _enum("lambda", "Architecture")
    assert set(function_module.LOG_FORMATS) <= _enum("lambda", "LogFormat")
    assert set(function_module.APPLICATION_LOG_LEVELS) <= _enum("lambda", "ApplicationLogLevel")
    assert set(function_module.SYSTEM_LOG_LEVELS) <= _enum("lambda", "SystemLogLevel")
    assert set(function_module.TRACING_MODES) <= _enum("lambda", "TracingMode")


def test_component_accepts_every_level_aws_offers() -> None:
    # The other direction: no valid AWS level is refused by our validation.
    assert set(function_module.APPLICATION_LOG_LEVELS) == _enum("lambda", "ApplicationLogLevel")
    assert set(function_module.SYSTEM_LOG_LEVELS) == _enum("lambda", "SystemLogLevel")


def test_numeric_limits_lie_within_the_api_limits() -> None:
    memory = _metadata("lambda", "MemorySize")
    timeout = _metadata("lambda", "Timeout")
    low, high = function_module.MEMORY_RANGE
    assert memory["min"] <= low < high <= memory["max"]
    low, high = function_module.TIMEOUT_RANGE
    assert timeout["min"] <= low < high <= timeout["max"]
    assert _metadata("lambda", "ReservedConcurrentExecutions")["min"] == 0


def test_retention_values_are_exactly_the_ones_cloudwatch_lists() -> None:
    documentation = _model("logs").shape_for("Days").documentation
    listed = documentation.split("Possible values are:")[1].split(".")[0]
    assert set(function_module.RETENTION_DAYS) == {int(number) for number in re.findall(r"\d+", listed)}


@pytest.mark.parametrize("key", ["A", "AB", "a1", "A_B", "1A", "_A", "A-B", "ÄB", "A B", "LEAGUE_TABLE_NAME"])
def test_environment_key_rule_matches_the_api_pattern(key: str) -> None:
    api_pattern = _metadata("lambda", "EnvironmentVariableName")["pattern"]
    assert bool(function_module._ENVIRONMENT_KEY.fullmatch(key)) == bool(re.fullmatch(api_pattern, key))


def test_dynamodb_enums_accept_every_value_the_table_can_send() -> None:
    assert table_module.BILLING_MODE in _enum("dynamodb", "BillingMode")
    assert set(table_module.PROJECTION_TYPES) == _enum("dynamodb", "ProjectionType")
    assert set(table_module.ATTRIBUTE_TYPES) == _enum("dynamodb", "ScalarAttributeType")
    assert {"HASH", "RANGE"} == _enum("dynamodb", "KeyType")  # the key types _index_input sends


def test_handler_condition_failure_option_is_valid() -> None:
    assert "ALL_OLD" in _enum("dynamodb", "ReturnValuesOnConditionCheckFailure")


# IAM action names that differ from the API operation they authorise.
IAM_ACTION_OPERATIONS = {
    "lambda:InvokeFunction": "Invoke",
    "dynamodb:ConditionCheckItem": "TransactWriteItems",  # its ConditionCheck element
}


def _granted_actions() -> set[str]:
    """Every action the two components put into a policy, with all optional grants switched on."""
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    def program() -> None:
        traced = LoggedFunctionArgs(code_path=str(LEAGUE_CODE), handler=LEAGUE_HANDLER, tracing_mode="Active")
        function = LoggedFunction("f", traced)
        table = Table(
            "t", TableArgs(hash_key="id", attribute_types={"id": "S"}, kms_key_arn=key, protect_data=True)
        )
        function.grant("table", [*table.read_write_statements("Table"), function.invoke_statement("Invoke")])

    evaluation = evaluate_component(program)
    return {
        action
        for record in evaluation.of_type("aws:iam/rolePolicy:RolePolicy")
        for granted in json.loads(record.inputs["policy"])["Statement"]
        for action in granted["Action"]
    }


def test_granted_actions_name_real_api_operations() -> None:
    actions = _granted_actions()
    assert {"logs:PutLogEvents", "xray:PutTraceSegments", "dynamodb:Query", "kms:Decrypt"} <= actions
    for action in sorted(actions):
        service, name = action.split(":")
        operations = _model(service).operation_names
        expected = IAM_ACTION_OPERATIONS.get(action, name)
        assert any(fnmatch(operation, expected) for operation in operations), action
