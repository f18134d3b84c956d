"""The CrossGuard pack catches each guardrail being dropped, only where it applies, and passes the real stacks.

Resources reach the checks as the engine hands them over: real ``ResourceValidationArgs`` with props wrapped in
the SDK's own unknown-checking proxy (lists arrive as read-only sequences, not ``list``) and a stack-qualified URN.
Where the engine's plumbing matters (per-policy config, values unknown during a preview), the SDK's own analyzer
service answers ``Configure`` and ``Analyze`` requests built as the CLI sends them.
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
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policy import guardrails, iam_checks
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
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

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


# --- lambda-json-logging -------------------------------------------------------------------------------------

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


# --- iam-no-wildcard-actions ---------------------------------------------------------------------------------


def _role_policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)}), "role": "r"}


NARROW = {"Effect": "Allow", "Action": ["dynamodb:GetItem", "bedrock:InvokeModel*"], "Resource": ["arn:x"]}


@pytest.mark.parametrize(
    "props_and_type",
    [
        (_role_policy(NARROW), ROLE_POLICY),
        (_role_policy({"Effect": "Deny", "Action": "*", "Resource": "*"}), ROLE_POLICY),
        (
            _role_policy({"Effect": "Allow", "Action": ["s3:Get*", "logs:Put*"], "Resource": "arn:x"}),
            ROLE_POLICY,
        ),
        (
            _role_policy({"Effect": "Allow", "Action": "xray:PutTraceSegments", "Resource": "*"}),
            MANAGED_POLICY,
        ),
        ({"inlinePolicies": [{"name": "p", "policy": json.dumps({"Statement": NARROW})}]}, ROLE),
    ],
)
def test_iam_passes_listed_actions_narrow_patterns_and_denies(
    props_and_type: tuple[dict[str, Any], str],
) -> None:
    props, resource_type = props_and_type
    assert (
        violations(guardrails.iam_checks.iam_no_wildcard_actions, resource_args(resource_type, props)) == []
    )


@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        ("*", "allows '*'"),
        ("*:*", "allows '*:*'"),
        ("*:GetObject", "allows '*:GetObject'"),
        ("iam:*", "allows 'iam:*'"),
        ("sts:*", "allows 'sts:*'"),
        ("kms:*", "allows 'kms:*'"),
        ("iam:Pass*", "allows 'iam:Pass*'"),
        ("KMS:Get*", "allows 'KMS:Get*'"),
        ("sts:Assume?ole", "allows 'sts:Assume?ole'"),
        ("s3:*", "allows 's3:*'"),
        ("dynamodb:*", "allows 'dynamodb:*'"),
        ("Bedrock:*", "allows 'Bedrock:*'"),
        ("cognito-idp:*", "allows 'cognito-idp:*'"),
    ],
)
def test_iam_rejects_wildcards_and_whole_service_grants(action: str, fragment: str) -> None:
    statement = {
        "Sid": "Broad",
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", action],
        "Resource": "arn:x",
    }
    args = resource_args(ROLE_POLICY, _role_policy(NARROW, statement), name="fn-policy")
    [message] = violations(iam_checks.iam_no_wildcard_actions, args)
    assert "'fn-policy'" in message and "statement Broad" in message and fragment in message


def test_iam_rejects_not_action_and_checks_inline_and_unreadable_documents() -> None:
    not_action = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:x"}
    [message] = violations(
        iam_checks.iam_no_wildcard_actions, resource_args(ROLE_POLICY, _role_policy(not_action))
    )
    assert "NotAction" in message
    wildcard = json.dumps({"Statement": {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}})
    role = {
        "inlinePolicies": [{"name": "ok", "policy": json.dumps({"Statement": NARROW})}, {"policy": wildcard}]
    }
    [message] = violations(iam_checks.iam_no_wildcard_actions, resource_args(ROLE, role))
    assert "inlinePolicies[1].policy" in message
    as_data = {
        "policy": {"Statement": [NARROW, {"Effect": "Allow", "Action": ["cognito-idp:*"], "Resource": "*"}]}
    }
    [message] = violations(iam_checks.iam_no_wildcard_actions, resource_args(MANAGED_POLICY, as_data))
    assert "statement 1 allows 'cognito-idp:*'" in message
    [message] = violations(
        iam_checks.iam_no_wildcard_actions, resource_args(MANAGED_POLICY, {"policy": "{not json"})
    )
    assert "not valid JSON" in message


# --- iam-no-sensitive-actions-on-any-resource ----------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        {
            "Effect": "Allow",
            "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
            "Resource": ["*"],
        },
        {"Effect": "Allow", "Action": ["dynamodb:ListStreams"], "Resource": ["*"]},
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "kms:Decrypt"],
            "Resource": ["arn:aws:dynamodb:x"],
        },
        {"Effect": "Deny", "Action": ["iam:PassRole"], "Resource": "*"},
    ],
)
def test_sensitive_actions_pass_on_named_resources_and_unscoped_apis_on_star(
    statement: dict[str, Any],
) -> None:
    args = resource_args(ROLE_POLICY, _role_policy(statement))
    assert violations(iam_checks.iam_no_sensitive_actions_on_any_resource, args) == []


@pytest.mark.parametrize(
    ("actions", "fragment"),
    [
        (["iam:PassRole"], "iam:PassRole (hands any role"),
        (["sts:AssumeRole"], "sts:AssumeRole"),
        (["kms:Decrypt"], "kms:Decrypt"),
        (["secretsmanager:GetSecretValue"], "secretsmanager:GetSecretValue"),
        (["ssm:GetParameter*"], "ssm:GetParameter (reads every parameter"),
        (["s3:Get*"], "s3:GetObject"),
        (["dynamodb:Query"], "dynamodb:Query"),
        (["lambda:InvokeFunction"], "lambda:InvokeFunction"),
        (["bedrock:InvokeModel*"], "bedrock:InvokeModel (calls any model"),
        (["xray:PutTraceSegments", "Dynamodb:getitem"], "dynamodb:GetItem"),
    ],
)
def test_sensitive_actions_on_every_resource_fail(actions: list[str], fragment: str) -> None:
    statement = {"Sid": "Everything", "Effect": "Allow", "Action": actions, "Resource": "*"}
    args = resource_args(ROLE_POLICY, _role_policy(NARROW, statement), name="fn-policy")
    [message] = violations(iam_checks.iam_no_sensitive_actions_on_any_resource, args)
    assert "'fn-policy'" in message and "statement Everything" in message and fragment in message
    assert "on every resource" in message


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("iam:PassRole", "arn:aws:iam::123456789012:role/*"),
        ("dynamodb:Query", "arn:aws:dynamodb:*:*:table/*"),
        ("s3:GetObject", "arn:aws:s3:::*"),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:*"),
    ],
)
def test_every_resource_of_a_kind_counts_as_every_resource(action: str, resource: str) -> None:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    args = resource_args(ROLE_POLICY, _role_policy(statement))
    assert len(violations(iam_checks.iam_no_sensitive_actions_on_any_resource, args)) == 1


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/app-league:*",
        "arn:aws:dynamodb:us-east-1:123456789012:table/app-follows/index/*",
        "arn:aws:s3:::app-bucket/*",
    ],
)
def test_a_named_resource_with_a_wildcard_suffix_is_narrow(resource: str) -> None:
    statement = {"Effect": "Allow", "Action": ["logs:PutLogEvents", "dynamodb:Query", "s3:GetObject"],
                 "Resource": resource}  # fmt: skip
    args = resource_args(ROLE_POLICY, _role_policy(statement))
    assert violations(iam_checks.iam_no_sensitive_actions_on_any_resource, args) == []


def test_not_resource_counts_as_every_resource() -> None:
    statement = {"Effect": "Allow", "Action": "kms:Decrypt", "NotResource": "arn:aws:kms:us-east-1:1:key/x"}
    args = resource_args(ROLE_POLICY, _role_policy(statement))
    assert len(violations(iam_checks.iam_no_sensitive_actions_on_any_resource, args)) == 1


# --- iam-no-broad-managed-policies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (
            ATTACHMENT,
            {"role": "r", "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
        ),
        (ATTACHMENT, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"}),
        (ATTACHMENT, {"role": "r", "policyArn": "arn:aws:iam::123456789012:policy/app-league-read"}),
        (ROLE, {"assumeRolePolicy": "{}", "managedPolicyArns": []}),
    ],
)
def test_narrow_or_own_managed_policies_may_be_attached(resource_type: str, props: dict[str, Any]) -> None:
    args = resource_args(resource_type, props)
    assert violations(iam_checks.iam_no_broad_managed_policies, args) == []


@pytest.mark.parametrize(
    ("resource_type", "key", "arn", "name"),
    [
        (ATTACHMENT, "policyArn", "arn:aws:iam::aws:policy/AdministratorAccess", "AdministratorAccess"),
        (
            "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            "policyArn",
            "arn:aws:iam::aws:policy/PowerUserAccess",
            "PowerUserAccess",
        ),
        (
            "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
            "policyArn",
            "arn:aws:iam::aws:policy/IAMFullAccess",
            "IAMFullAccess",
        ),
        (
            "aws:iam/policyAttachment:PolicyAttachment",
            "policyArn",
            "arn:aws:iam::aws:policy/AmazonS3FullAccess",
            "AmazonS3FullAccess",
        ),
        (ROLE, "managedPolicyArns", ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "ReadOnlyAccess"),
        (
            "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
            "policyArns",
            [
                "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
                "arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
            ],
            "AdministratorAccess-Amplify",
        ),
        (
            ATTACHMENT,
            "policyArn",
            "arn:aws-us-gov:iam::aws:policy/AdministratorAccess",
            "AdministratorAccess",
        ),
    ],
)
def test_broad_managed_policies_are_refused_however_attached(
    resource_type: str, key: str, arn: str | list[str], name: str
) -> None:
    args = resource_args(resource_type, {key: arn}, name="attach")
    [message] = violations(iam_checks.iam_no_broad_managed_policies, args)
    assert "'attach'" in message and f"AWS managed policy {name} " in message and key in message


# --- production-data-protection: one policy, one setting ----------------------------------------------------

PROTECTED_TABLE = {
    "deletionProtectionEnabled": True,
    "pointInTimeRecovery": {"enabled": True},
    "hashKey": "pk",
}
PRODUCTION = guardrails.production_data_protection


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        (TABLE, PROTECTED_TABLE),
        (API, {"logConfig": {"fieldLogLevel": "ERROR"}}),
        (API, {"logConfig": {"fieldLogLevel": "NONE"}}),
        (API, {}),
        (POOL, {"deletionProtection": "ACTIVE"}),
        (LAMBDA, {}),
    ],
)
def test_protected_production_resources_pass(resource_type: str, props: dict[str, Any]) -> None:
    assert violations(PRODUCTION, resource_args(resource_type, props)) == []


@pytest.mark.parametrize(
    ("resource_type", "props", "fragment"),
    [
        (
            TABLE,
            {**PROTECTED_TABLE, "deletionProtectionEnabled": False},
            "set deletionProtectionEnabled to true",
        ),
        (
            TABLE,
            {**PROTECTED_TABLE, "pointInTimeRecovery": {"enabled": False}},
            "pointInTimeRecovery.enabled",
        ),
        (TABLE, {**PROTECTED_TABLE, "pointInTimeRecovery": None}, "pointInTimeRecovery.enabled"),
        (API, {"logConfig": {"fieldLogLevel": "ALL"}}, "fieldLogLevel is 'ALL'"),
        (API, {"logConfig": {"fieldLogLevel": "DEBUG"}}, "fieldLogLevel is 'DEBUG'"),
        (API, {"logConfig": {"fieldLogLevel": "INFO"}}, "fieldLogLevel is 'INFO'"),
        (POOL, {"deletionProtection": "INACTIVE"}, "deletionProtection is 'INACTIVE'"),
        (POOL, {}, "deletionProtection is None"),
    ],
)
def test_unprotected_production_resources_fail(
    resource_type: str, props: dict[str, Any], fragment: str
) -> None:
    [message] = violations(PRODUCTION, resource_args(resource_type, props, name="data"))
    assert "'data'" in message and fragment in message


UNPROTECTED = [
    (TABLE, {"deletionProtectionEnabled": False, "pointInTimeRecovery": {"enabled": True}}),
    (API, {"logConfig": {"fieldLogLevel": "ALL"}}),
    (POOL, {"deletionProtection": "INACTIVE"}),
]


def analyzer() -> _PolicyAnalyzerServicer:
    """The SDK's analyzer service, as `pulumi preview --policy-pack policy` starts it."""
    return _PolicyAnalyzerServicer(
        "genai-backend-guardrails", "0.2.0", guardrails.policies(), EnforcementLevel.MANDATORY
    )


def analyze(
    service: _PolicyAnalyzerServicer, resource_type: str, props: Mapping[str, Any], stack: str
) -> Any:
    properties = struct_pb2.Struct()
    properties.update(dict(props))
    urn = f"urn:pulumi:{stack}::{PROJECT}::{resource_type}::subject"
    request = analyzer_pb2.AnalyzeRequest(type=resource_type, properties=properties, urn=urn, name="subject")
    return service.Analyze(request, None)


def test_one_production_stacks_setting_covers_every_production_rule() -> None:
    """Set once, under the one configurable policy, it covers tables, APIs and user pools alike (it used to be
    repeated under three policies, and setting it on one left the other two unenforced)."""
    service = analyzer()
    config = analyzer_pb2.PolicyConfig()
    config.properties.update({guardrails.PRODUCTION_STACKS_KEY: ["prod", "staging"]})
    service.Configure(
        analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={guardrails.PRODUCTION_POLICY: config}), None
    )
    for resource_type, props in UNPROTECTED:
        for stack, expected in (("staging", 1), ("prod", 1), ("dev", 0)):
            diagnostics = analyze(service, resource_type, props, stack).diagnostics
            production = [d for d in diagnostics if d.policyName == guardrails.PRODUCTION_POLICY]
            assert len(production) == expected, (resource_type, stack)
    configurable = [p.name for p in guardrails.policies() if p.config_schema is not None]
    assert configurable == [guardrails.PRODUCTION_POLICY]


@pytest.mark.parametrize(("resource_type", "props"), UNPROTECTED)
def test_production_rules_follow_the_stack_in_the_urn_and_the_default(
    resource_type: str, props: dict[str, Any]
) -> None:
    assert violations(PRODUCTION, resource_args(resource_type, props, stack="dev")) == []
    assert violations(PRODUCTION, resource_args(resource_type, props, stack="prod")) != []
    staging_only = {guardrails.PRODUCTION_STACKS_KEY: ["staging"]}
    assert (
        violations(PRODUCTION, resource_args(resource_type, props, stack="staging", config=staging_only))
        != []
    )
    assert (
        violations(PRODUCTION, resource_args(resource_type, props, stack="prod", config=staging_only)) == []
    )


@pytest.mark.parametrize("bad", ["prod", [""], [1], {"prod": True}])
def test_malformed_production_stacks_config_is_a_clear_error(bad: object) -> None:
    args = resource_args(TABLE, PROTECTED_TABLE, config={guardrails.PRODUCTION_STACKS_KEY: bad})
    with pytest.raises(ValueError, match="'productionStacks' of 'production-data-protection' must be a list"):
        PRODUCTION(args, lambda message, urn=None: None)


def test_stack_comes_from_the_urn() -> None:
    assert guardrails.stack_of("urn:pulumi:prod::genai-backend::aws:iam/role:Role::r") == "prod"
    with pytest.raises(ValueError, match="not a Pulumi resource URN"):
        guardrails.stack_of("arn:aws:iam::123456789012:role/r")


# --- what a preview cannot judge ---------------------------------------------------------------------------


def test_an_unknown_policy_document_is_not_judged_in_preview_and_not_mistaken_for_bad_json() -> None:
    """A document built from resources the same update creates is unknown during preview: the checks raise the
    SDK's UnknownValueError, which the analyzer turns into an advisory "can't run policy" note (`pulumi up`
    runs the policy again with the value known, before it creates the resource)."""
    unknown = {"policy": UNKNOWN_STRING_VALUE, "role": "r"}
    for check in (iam_checks.iam_no_wildcard_actions, iam_checks.iam_no_sensitive_actions_on_any_resource):
        with pytest.raises(UnknownValueError):
            violations(check, resource_args(ROLE_POLICY, unknown))
    diagnostics = analyze(analyzer(), ROLE_POLICY, unknown, "prod").diagnostics
    assert {d.policyName for d in diagnostics} == {
        "iam-no-wildcard-actions",
        "iam-no-sensitive-actions-on-any-resource",
    }
    for diagnostic in diagnostics:
        assert "can't run policy" in diagnostic.message and "during preview" in diagnostic.message
        assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
    # A known document next to it is judged as usual.
    known = _role_policy({"Effect": "Allow", "Action": "iam:*", "Resource": "*"})
    judged = analyze(analyzer(), ROLE_POLICY, known, "prod").diagnostics
    assert {d.enforcementLevel for d in judged} == {analyzer_pb2.MANDATORY} and len(judged) == 2


# --- the values the checks compare against are AWS's own --------------------------------------------------

NOT_API_OPERATIONS = {
    "iam:PassRole",
    "lambda:InvokeFunction",
    "lambda:InvokeFunctionUrl",
    "appsync:GraphQL",
    "dynamodb:PartiQLSelect",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
}
"""IAM actions that are permissions only, with no API operation of the same name."""
SIGNING_TO_MODEL = {"bedrock": "bedrock-runtime", "cognito-idp": "cognito-idp", "logs": "logs"}


def test_checked_values_exist_in_the_aws_service_models() -> None:
    session = botocore.session.get_session()

    def enum(service: str, shape: str) -> set[str]:
        return set(session.get_service_model(service).shape_for(shape).enum)

    assert enum("lambda", "ApplicationLogLevel") == guardrails.LAMBDA_LOG_LEVELS
    assert "JSON" in enum("lambda", "LogFormat")
    assert enum("appsync", "FieldLogLevel") - guardrails.VERBOSE_FIELD_LOG_LEVELS == {"NONE", "ERROR"}
    assert "ACTIVE" in enum("cognito-idp", "DeletionProtectionType")
    # IAM action prefixes are the services' signing names.
    assert {
        session.get_service_model(name).signing_name for name in ("iam", "sts", "kms")
    } == iam_checks.PRIVILEGE_SERVICES
    for action in set(iam_checks.SENSITIVE_ON_ANY_RESOURCE) - NOT_API_OPERATIONS:
        service, operation = action.split(":")
        model = session.get_service_model(SIGNING_TO_MODEL.get(service, service))
        assert model.signing_name == service and operation in model.operation_names, action


# --- the pack as the engine loads it, against the real stacks ----------------------------------------------


def test_entry_point_starts_a_mandatory_pack_with_every_guardrail(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[dict[str, Any]] = []
    monkeypatch.setattr(pulumi_policy, "PolicyPack", lambda **kwargs: started.append(kwargs))
    runpy.run_path(str(POLICY_DIR), run_name="__main__")
    [pack] = started
    assert pack["enforcement_level"] is EnforcementLevel.MANDATORY
    names = [policy.name for policy in pack["policies"]]
    assert names == [guardrail.name for guardrail in guardrails.GUARDRAILS]
    assert len(set(names)) == len(names)
    assert [p.name for p in pack["policies"] if p.config_schema is not None] == [guardrails.PRODUCTION_POLICY]


@cache
def stack_resources(stack: str) -> tuple[ResourceRecord, ...]:
    evaluation, _ = synth(stack)
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


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_real_stacks_pass_every_policy(stack: str) -> None:
    resources = stack_resources(stack)
    assert {resource.type for resource in resources} >= {LAMBDA, TABLE, API, POOL, ROLE_POLICY}
    # What they grant on "*" are the APIs without resource-level permissions (dev runs without tracing).
    documents = [json.loads(r.inputs["policy"]) for r in resources if r.type == ROLE_POLICY]
    on_star = {a for d in documents for s in d["Statement"] if "*" in s["Resource"] for a in s["Action"]}
    unscoped = {"dynamodb:ListStreams", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}
    assert on_star == (unscoped if stack == "prod" else {"dynamodb:ListStreams"})
    assert run_pack(resources, stack) == {}


def _weakened(stack: str) -> list[ResourceRecord]:
    mutated = [copy.deepcopy(resource) for resource in stack_resources(stack)]
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
            document["Statement"][0]["Resource"] = ["*"]
            resource.inputs["policy"] = json.dumps(document)
    admin = {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}
    mutated.append(ResourceRecord("admin", ATTACHMENT, "app", admin, []))
    return mutated


def test_a_weakened_prod_stack_fails_every_policy_and_names_the_resources() -> None:
    mutated = _weakened("prod")
    found = run_pack(mutated, "prod")
    assert set(found) == {guardrail.name for guardrail in guardrails.GUARDRAILS}
    tables = [resource.name for resource in mutated if resource.type == TABLE]
    table_messages = [m for m in found[guardrails.PRODUCTION_POLICY] if m.startswith("DynamoDB table")]
    assert sorted(m.split("'")[1] for m in table_messages) == sorted(tables)
    role_policies = [resource.name for resource in mutated if resource.type == ROLE_POLICY]
    assert len(found["iam-no-wildcard-actions"]) == len(role_policies)
    assert len(found["iam-no-sensitive-actions-on-any-resource"]) == len(role_policies)
    assert found["iam-no-broad-managed-policies"] == [
        "'admin': policyArn attaches the AWS managed policy AdministratorAccess "
        "(arn:aws:iam::aws:policy/AdministratorAccess); grant the actions the code needs in an inline policy instead."
    ]


def test_the_same_weakening_on_a_dev_stack_fails_all_but_the_production_policy() -> None:
    found = run_pack(_weakened("dev"), "dev")
    assert set(found) == {guardrail.name for guardrail in guardrails.GUARDRAILS} - {
        guardrails.PRODUCTION_POLICY
    }
