"""The CrossGuard pack catches each guardrail being dropped, only where it applies, and passes the real prod stack.

Resources reach the checks as the engine hands them over: real ``ResourceValidationArgs`` with props wrapped in
the SDK's own unknown-checking proxy (lists arrive as read-only sequences, not ``list``) and a stack-qualified URN.
"""

from __future__ import annotations

import copy
import json
import runpy
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pulumi_policy
import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

from policy import guardrails
from tools.evaluate import ResourceRecord
from tools.synth import synth

POLICY_DIR = Path(__file__).resolve().parents[2] / "policy"
PROJECT = "genai-backend"
LAMBDA = guardrails.LAMBDA_FUNCTION
TABLE = guardrails.DYNAMODB_TABLE
API = guardrails.APPSYNC_API
POOL = guardrails.COGNITO_USER_POOL
ROLE = guardrails.IAM_ROLE
ROLE_POLICY = guardrails.IAM_ROLE_POLICY
MANAGED_POLICY = guardrails.IAM_POLICY

Check = Callable[[ResourceValidationArgs, Callable[[str, str | None], None]], Any]


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    *,
    stack: str = "prod",
    name: str = "subject",
    config: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    options = PolicyResourceOptions(
        protect=False,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )
    urn = f"urn:pulumi:{stack}::{PROJECT}::genai:index:FullstackBackend${resource_type}::{name}"
    return ResourceValidationArgs(
        resource_type,
        unknown_checking_proxy(copy.deepcopy(dict(props))),
        urn,
        name,
        options,
        None,
        config,
    )


def violations(check: Check, args: ResourceValidationArgs) -> list[str]:
    found: list[str] = []
    result = check(args, lambda message, _urn=None: found.append(message))
    assert result is None, "checks are synchronous"
    return found


# --- one passing and one failing case per guardrail ---------------------------------------------------------

GOOD_LOGGING = {
    "loggingConfig": {"logFormat": "JSON", "applicationLogLevel": "WARN", "systemLogLevel": "INFO"}
}


def test_lambda_logging_passes_json_with_a_level() -> None:
    assert violations(guardrails.lambda_json_logging, resource_args(LAMBDA, GOOD_LOGGING)) == []


@pytest.mark.parametrize(
    ("logging", "expected"),
    [
        ({"logFormat": "Text"}, ["logFormat is 'Text'", "applicationLogLevel is None"]),
        ({"logFormat": "JSON"}, ["applicationLogLevel is None"]),
        ({"logFormat": "JSON", "applicationLogLevel": "VERBOSE"}, ["applicationLogLevel is 'VERBOSE'"]),
        (None, ["logFormat is None", "applicationLogLevel is None"]),
    ],
)
def test_lambda_logging_names_what_is_missing(logging: dict[str, Any] | None, expected: list[str]) -> None:
    props = {} if logging is None else {"loggingConfig": logging}
    found = violations(guardrails.lambda_json_logging, resource_args(LAMBDA, props, name="league-fn"))
    assert len(found) == len(expected)
    for message, fragment in zip(found, expected, strict=True):
        assert "'league-fn'" in message and fragment in message


def _role_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), "role": "r"}


NARROW = {"Effect": "Allow", "Action": ["dynamodb:GetItem", "bedrock:InvokeModel*"], "Resource": ["arn:x"]}


@pytest.mark.parametrize(
    "props_and_type",
    [
        (_role_policy(NARROW), ROLE_POLICY),
        (_role_policy({"Effect": "Deny", "Action": "*", "Resource": "*"}), ROLE_POLICY),
        (
            _role_policy({"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}),
            MANAGED_POLICY,
        ),
        ({"inlinePolicies": [{"name": "p", "policy": json.dumps({"Statement": NARROW})}]}, ROLE),
    ],
)
def test_iam_passes_listed_actions_and_denies(props_and_type: tuple[dict[str, Any], str]) -> None:
    props, resource_type = props_and_type
    assert violations(guardrails.iam_no_wildcard_actions, resource_args(resource_type, props)) == []


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        ({"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "arn:x"}, "statement All allows '*'"),
        (
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:*"], "Resource": "arn:x"},
            "'dynamodb:*'",
        ),
        ({"Effect": "Allow", "Action": "Bedrock:*", "Resource": "arn:x"}, "'Bedrock:*'"),
        ({"Effect": "Allow", "Action": ["cognito-idp:*"], "Resource": "arn:x"}, "'cognito-idp:*'"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:x"}, "NotAction"),
    ],
)
def test_iam_rejects_whole_service_grants(statement: dict[str, Any], fragment: str) -> None:
    args = resource_args(ROLE_POLICY, _role_policy(NARROW, statement), name="fn-policy")
    [message] = violations(guardrails.iam_no_wildcard_actions, args)
    assert "'fn-policy'" in message and fragment in message


def test_iam_checks_inline_role_policies_and_unreadable_documents() -> None:
    wildcard = json.dumps({"Statement": {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}})
    role = {
        "inlinePolicies": [{"name": "ok", "policy": json.dumps({"Statement": NARROW})}, {"policy": wildcard}]
    }
    [message] = violations(guardrails.iam_no_wildcard_actions, resource_args(ROLE, role))
    assert "inlinePolicies[1].policy" in message
    as_data = {
        "policy": {"Statement": [NARROW, {"Effect": "Allow", "Action": ["cognito-idp:*"], "Resource": "*"}]}
    }
    [message] = violations(guardrails.iam_no_wildcard_actions, resource_args(MANAGED_POLICY, as_data))
    assert "statement 1 allows 'cognito-idp:*'" in message
    [message] = violations(
        guardrails.iam_no_wildcard_actions, resource_args(MANAGED_POLICY, {"policy": "{not json"})
    )
    assert "not valid JSON" in message


PROTECTED_TABLE = {
    "deletionProtectionEnabled": True,
    "pointInTimeRecovery": {"enabled": True},
    "hashKey": "pk",
}


def test_production_table_with_protection_passes() -> None:
    assert violations(guardrails.dynamodb_production_protection, resource_args(TABLE, PROTECTED_TABLE)) == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"deletionProtectionEnabled": False}, "deletionProtectionEnabled"),
        ({"pointInTimeRecovery": {"enabled": False}}, "pointInTimeRecovery.enabled"),
        ({"pointInTimeRecovery": None}, "pointInTimeRecovery.enabled"),
    ],
)
def test_production_table_without_protection_fails(change: dict[str, Any], fragment: str) -> None:
    args = resource_args(TABLE, {**PROTECTED_TABLE, **change}, name="league-table")
    [message] = violations(guardrails.dynamodb_production_protection, args)
    assert "'league-table'" in message and fragment in message


@pytest.mark.parametrize("level", ["ERROR", "NONE", None])
def test_production_api_with_quiet_field_logs_passes(level: str | None) -> None:
    props = {} if level is None else {"logConfig": {"fieldLogLevel": level}}
    assert violations(guardrails.appsync_production_field_logs, resource_args(API, props)) == []


@pytest.mark.parametrize("level", ["ALL", "DEBUG", "INFO"])
def test_production_api_with_verbose_field_logs_fails(level: str) -> None:
    args = resource_args(API, {"logConfig": {"fieldLogLevel": level}}, name="api")
    [message] = violations(guardrails.appsync_production_field_logs, args)
    assert f"fieldLogLevel is '{level}'" in message and "'api'" in message


def test_production_user_pool_with_deletion_protection_passes() -> None:
    args = resource_args(POOL, {"deletionProtection": "ACTIVE"})
    assert violations(guardrails.cognito_production_deletion_protection, args) == []


@pytest.mark.parametrize("protection", ["INACTIVE", None])
def test_production_user_pool_without_deletion_protection_fails(protection: str | None) -> None:
    props = {} if protection is None else {"deletionProtection": protection}
    [message] = violations(
        guardrails.cognito_production_deletion_protection, resource_args(POOL, props, name="pool")
    )
    assert f"deletionProtection is {protection!r}" in message


# --- which stacks count as production ----------------------------------------------------------------------

UNPROTECTED = [
    (guardrails.dynamodb_production_protection, TABLE, {"deletionProtectionEnabled": False}),
    (guardrails.appsync_production_field_logs, API, {"logConfig": {"fieldLogLevel": "ALL"}}),
    (guardrails.cognito_production_deletion_protection, POOL, {"deletionProtection": "INACTIVE"}),
]


@pytest.mark.parametrize(("check", "resource_type", "props"), UNPROTECTED)
def test_production_rules_follow_the_stack_in_the_urn_and_the_config(
    check: Check, resource_type: str, props: dict[str, Any]
) -> None:
    assert violations(check, resource_args(resource_type, props, stack="dev")) == []
    assert violations(check, resource_args(resource_type, props, stack="prod")) != []
    staging_only = {guardrails.PRODUCTION_STACKS_KEY: ["staging"]}
    assert violations(check, resource_args(resource_type, props, stack="staging", config=staging_only)) != []
    assert violations(check, resource_args(resource_type, props, stack="prod", config=staging_only)) == []


@pytest.mark.parametrize("bad", ["prod", [""], [1], {"prod": True}])
def test_malformed_production_stacks_config_is_a_clear_error(bad: object) -> None:
    args = resource_args(TABLE, PROTECTED_TABLE, config={guardrails.PRODUCTION_STACKS_KEY: bad})
    with pytest.raises(ValueError, match="'productionStacks' must be a list of stack names"):
        guardrails.dynamodb_production_protection(args, lambda message, urn=None: None)


def test_stack_comes_from_the_urn() -> None:
    assert guardrails.stack_of("urn:pulumi:prod::genai-backend::aws:iam/role:Role::r") == "prod"
    with pytest.raises(ValueError, match="not a Pulumi resource URN"):
        guardrails.stack_of("arn:aws:iam::123456789012:role/r")


# --- the values the checks compare against are AWS's own --------------------------------------------------


def test_checked_values_exist_in_the_aws_service_models() -> None:
    session = botocore.session.get_session()

    def enum(service: str, shape: str) -> set[str]:
        return set(session.get_service_model(service).shape_for(shape).enum)

    assert enum("lambda", "ApplicationLogLevel") == guardrails.LAMBDA_LOG_LEVELS
    assert "JSON" in enum("lambda", "LogFormat")
    assert enum("appsync", "FieldLogLevel") > guardrails.VERBOSE_FIELD_LOG_LEVELS
    assert enum("appsync", "FieldLogLevel") - guardrails.VERBOSE_FIELD_LOG_LEVELS == {"NONE", "ERROR"}
    assert "ACTIVE" in enum("cognito-idp", "DeletionProtectionType")
    # IAM action prefixes are the services' signing names (bedrock-runtime signs as "bedrock").
    signing_names = {
        session.get_service_model(name).signing_name
        for name in ("bedrock-runtime", "dynamodb", "cognito-idp")
    }
    assert signing_names == guardrails.GUARDED_SERVICES


# --- the pack as the engine loads it, against the real prod stack ------------------------------------------


def test_entry_point_starts_a_mandatory_pack_with_every_guardrail(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: started.append(kwargs))
    runpy.run_path(str(POLICY_DIR), run_name="__main__")
    [pack] = started
    assert pack["enforcement_level"] is EnforcementLevel.MANDATORY
    names = [policy.name for policy in pack["policies"]]
    assert names == [guardrail.name for guardrail in guardrails.GUARDRAILS]
    assert len(set(names)) == len(names)
    configurable = {policy.name for policy in pack["policies"] if policy.config_schema is not None}
    assert configurable == {
        "dynamodb-production-protection",
        "appsync-production-field-logs",
        "cognito-production-deletion-protection",
    }


@cache
def prod_resources() -> tuple[ResourceRecord, ...]:
    evaluation, _ = synth("prod")
    return tuple(evaluation.resources)


def run_pack(
    resources: tuple[ResourceRecord, ...] | list[ResourceRecord], stack: str
) -> dict[str, list[str]]:
    """Every policy on every resource, through the SDK's own ``validate`` wrapper: policy name → messages."""
    found: dict[str, list[str]] = {}
    for policy in guardrails.policies():
        assert isinstance(policy, ResourceValidationPolicy)
        for resource in resources:
            args = resource_args(resource.type, resource.inputs, stack=stack, name=resource.name)
            policy.validate(
                args, lambda message, _urn=None, name=policy.name: found.setdefault(name, []).append(message)
            )
    return found


def test_the_prod_stack_passes_every_policy() -> None:
    resources = prod_resources()
    assert {resource.type for resource in resources} >= {LAMBDA, TABLE, API, POOL, ROLE_POLICY}
    assert run_pack(resources, "prod") == {}


def _mutated_prod() -> list[ResourceRecord]:
    mutated = [copy.deepcopy(resource) for resource in prod_resources()]
    for resource in mutated:
        if resource.type == LAMBDA:
            resource.inputs["loggingConfig"]["logFormat"] = "Text"
        elif resource.type == TABLE:
            resource.inputs["pointInTimeRecovery"] = {"enabled": False}
        elif resource.type == API:
            resource.inputs["logConfig"]["fieldLogLevel"] = "ALL"
        elif resource.type == POOL:
            resource.inputs["deletionProtection"] = "INACTIVE"
        elif resource.type == ROLE_POLICY:
            document = json.loads(resource.inputs["policy"])
            document["Statement"][0]["Action"] = ["dynamodb:*"]
            resource.inputs["policy"] = json.dumps(document)
    return mutated


def test_a_weakened_prod_stack_fails_every_policy_and_names_the_resources() -> None:
    mutated = _mutated_prod()
    found = run_pack(mutated, "prod")
    assert set(found) == {guardrail.name for guardrail in guardrails.GUARDRAILS}
    tables = [resource.name for resource in mutated if resource.type == TABLE]
    assert sorted(m.split("'")[1] for m in found["dynamodb-production-protection"]) == sorted(tables)
    role_policies = [resource.name for resource in mutated if resource.type == ROLE_POLICY]
    assert len(found["iam-no-wildcard-actions"]) == len(role_policies)


def test_the_same_weakening_on_a_dev_stack_only_fails_the_all_stack_policies() -> None:
    assert set(run_pack(_mutated_prod(), "dev")) == {"lambda-json-logging", "iam-no-wildcard-actions"}
