"""Values the function and table components (and the handler) send to AWS, checked against AWS's own API
models as shipped in botocore: a typo here would otherwise surface only at deploy time."""

from __future__ import annotations

import json
import re
from enum import Enum
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import ServiceModel

from genai_backend_components.constraints import RETENTION_DAYS
from genai_backend_components.function import (
    ARCHITECTURE,
    MEMORY_RANGE,
    TIMEOUT_RANGE,
    ApplicationLogLevel,
    LogFormat,
    LoggedFunction,
    LoggedFunctionArgs,
    LoggedFunctionModel,
    Runtime,
    SystemLogLevel,
    TracingMode,
)
from genai_backend_components.table import AttributeType, IndexProjection, Table, TableArgs
from genai_backend_components.table.component import BILLING_MODE
from genai_backend_components.validation import InvalidArgsError, check_args
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


def _values(choices: type[Enum]) -> set[str]:
    return {member.value for member in choices}


def test_lambda_enums_accept_every_value_the_component_can_send() -> None:
    assert _values(Runtime) <= _enum("lambda", "Runtime")
    assert ARCHITECTURE in _enum("lambda", "Architecture")
    assert _values(LogFormat) <= _enum("lambda", "LogFormat")
    assert _values(ApplicationLogLevel) <= _enum("lambda", "ApplicationLogLevel")
    assert _values(SystemLogLevel) <= _enum("lambda", "SystemLogLevel")
    assert _values(TracingMode) <= _enum("lambda", "TracingMode")


def test_component_accepts_every_level_aws_offers() -> None:
    # The other direction: no valid AWS level is refused by our validation.
    assert _values(ApplicationLogLevel) == _enum("lambda", "ApplicationLogLevel")
    assert _values(SystemLogLevel) == _enum("lambda", "SystemLogLevel")


def test_numeric_limits_lie_within_the_api_limits() -> None:
    memory = _metadata("lambda", "MemorySize")
    timeout = _metadata("lambda", "Timeout")
    low, high = MEMORY_RANGE
    assert memory["min"] <= low < high <= memory["max"]
    low, high = TIMEOUT_RANGE
    assert timeout["min"] <= low < high <= timeout["max"]
    assert _metadata("lambda", "ReservedConcurrentExecutions")["min"] == 0


def test_retention_values_are_exactly_the_ones_cloudwatch_lists() -> None:
    documentation = _model("logs").shape_for("Days").documentation
    listed = documentation.split("Possible values are:")[1].split(".")[0]
    assert set(RETENTION_DAYS) == {int(number) for number in re.findall(r"\d+", listed)}


@pytest.mark.parametrize("key", ["A", "AB", "a1", "A_B", "1A", "_A", "A-B", "ÄB", "A B", "LEAGUE_TABLE_NAME"])
def test_environment_key_rule_matches_the_api_pattern(key: str) -> None:
    api_pattern = _metadata("lambda", "EnvironmentVariableName")["pattern"]
    args = {"code_path": str(LEAGUE_CODE), "handler": LEAGUE_HANDLER, "environment": {key: "value"}}
    try:
        check_args(LoggedFunctionModel, "LoggedFunctionArgs", args)
        accepted = True
    except InvalidArgsError as error:
        assert [problem.path for problem in error.problems] == [f"environment[{key!r}]"]
        accepted = False
    assert accepted == bool(re.fullmatch(api_pattern, key))


def test_dynamodb_enums_accept_every_value_the_table_can_send() -> None:
    assert BILLING_MODE in _enum("dynamodb", "BillingMode")
    assert _values(IndexProjection) == _enum("dynamodb", "ProjectionType")
    assert _values(AttributeType) == _enum("dynamodb", "ScalarAttributeType")
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
