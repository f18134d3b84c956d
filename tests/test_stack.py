"""The real program (__main__.py) with the real stack files, evaluated under mocks: what differs between stacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tests.policy_evaluator import is_allowed
from tools.evaluate import Evaluation
from tools.synth import main as synth_main
from tools.synth import synth

ROOT = Path(__file__).resolve().parent.parent


@cache
def stack(name: str) -> Evaluation:
    evaluation, _ = synth(name)
    return evaluation


def _one(evaluation: Evaluation, type_token: str) -> Any:
    [record] = evaluation.of_type(type_token)
    return record


def _policy(evaluation: Evaluation, name: str) -> dict[str, Any]:
    return json.loads(evaluation.named(name).inputs["policy"])


def test_lambda_logging_follows_the_stack() -> None:
    for name, level in (("dev", "TRACE"), ("prod", "WARN")):
        functions = stack(name).of_type("aws:lambda/function:Function")
        assert sorted(function.name for function in functions) == [
            "app-chat-handler-function",
            "app-league-fn-function",
        ]
        for function in functions:
            logging = function.inputs["loggingConfig"]
            assert logging["logFormat"] == "JSON"
            assert logging["applicationLogLevel"] == level
            assert logging["systemLogLevel"] == "INFO"
            assert logging["logGroup"].startswith(function.name.removesuffix("function") + "logs-")


def test_log_retention_follows_the_stack() -> None:
    for name, days in (("dev", 14), ("prod", 365)):
        groups = stack(name).of_type("aws:cloudwatch/logGroup:LogGroup")
        assert {group.inputs["retentionInDays"] for group in groups} == {days}
        assert len(groups) == 3  # the League function's, the chat handler's and the API's


def test_api_logging_and_introspection_follow_the_stack() -> None:
    dev = _one(stack("dev"), "aws:appsync/graphQLApi:GraphQLApi").inputs
    prod = _one(stack("prod"), "aws:appsync/graphQLApi:GraphQLApi").inputs
    assert (dev["logConfig"]["fieldLogLevel"], prod["logConfig"]["fieldLogLevel"]) == ("ALL", "ERROR")
    assert dev["logConfig"]["excludeVerboseContent"] is True
    assert (dev["introspectionConfig"], prod["introspectionConfig"]) == ("ENABLED", "DISABLED")
    assert (dev["xrayEnabled"], prod["xrayEnabled"]) == (False, True)
    assert prod["userPoolConfig"]["awsRegion"] == "us-west-2"


def test_user_data_is_protected_only_in_prod() -> None:
    protected = {
        "app-auth-user-pool",
        "app-league-table",
        "app-follows-table",
        "app-chat-conversations-table",
        "app-chat-messages-table",
    }
    for name, expected in (("dev", set()), ("prod", protected)):
        evaluation = stack(name)
        assert {r.name for r in evaluation.resources if r.protect and r.retain_on_delete} == expected
        pool = _one(evaluation, "aws:cognito/userPool:UserPool").inputs
        assert pool["deletionProtection"] == ("ACTIVE" if expected else "INACTIVE")
        for table in evaluation.of_type("aws:dynamodb/table:Table"):
            assert table.inputs["deletionProtectionEnabled"] is bool(expected)
            assert table.inputs["pointInTimeRecovery"]["enabled"] is bool(expected)


def test_model_and_inference_profile_follow_the_stack() -> None:
    for name, invoke_id in (
        ("dev", "global.anthropic.claude-haiku-4-5-20251001-v1:0"),
        ("prod", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    ):
        evaluation = stack(name)
        assert evaluation.outputs["modelInvokeId"] == invoke_id
        assert f'"modelId": "{invoke_id}"' in evaluation.named("app-generation-settings").inputs["code"]


def test_bedrock_iam_follows_the_profile() -> None:
    prod = _policy(stack("prod"), "app-generation-datasource-BedrockRuntime-policy")
    profile = "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    model = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"
    through_profile = {"bedrock:InferenceProfileArn": profile, "aws:RequestedRegion": "us-east-1"}
    assert is_allowed(prod, "bedrock:InvokeModel", profile, {"aws:RequestedRegion": "us-west-2"})
    assert is_allowed(prod, "bedrock:InvokeModel", model, through_profile)
    assert not is_allowed(prod, "bedrock:InvokeModel", model, {"aws:RequestedRegion": "us-east-1"})
    assert not is_allowed(
        prod, "bedrock:InvokeModelWithResponseStream", profile, {"aws:RequestedRegion": "us-west-2"}
    )
    dev = _policy(stack("dev"), "app-generation-datasource-BedrockRuntime-policy")
    global_profile = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0"
    regionless = "arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0"
    assert is_allowed(
        dev,
        "bedrock:InvokeModel",
        regionless,
        {"bedrock:InferenceProfileArn": global_profile, "aws:RequestedRegion": "unspecified"},
    )
    assert not is_allowed(dev, "bedrock:InvokeModel", profile, {"aws:RequestedRegion": "us-west-2"})


def test_auth_differs_by_stack() -> None:
    dev = _one(stack("dev"), "aws:cognito/userPool:UserPool").inputs
    prod = _one(stack("prod"), "aws:cognito/userPool:UserPool").inputs
    assert dev["adminCreateUserConfig"]["allowAdminCreateUserOnly"] is True
    assert dev["signInPolicy"]["allowedFirstAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]
    assert prod["webAuthnConfiguration"] == {
        "relyingPartyId": "app.example.com",
        "userVerification": "required",
    }
    client = _one(stack("prod"), "aws:cognito/userPoolClient:UserPoolClient").inputs
    assert client["callbackUrls"] == ["https://app.example.com/"]
    assert client["supportedIdentityProviders"] == ["COGNITO", "OIDC-Provider"]
    assert len(stack("prod").of_type("aws:cognito/userGroup:UserGroup")) == 1


def test_client_config_is_exported_without_secrets() -> None:
    for name in ("dev", "prod"):
        outputs = stack(name).outputs
        document = outputs["amplifyOutputs"]
        assert document["version"] == "1.5"
        assert document["data"]["url"] == outputs["graphqlUrl"]
        assert document["auth"]["user_pool_id"] == outputs["userPoolId"]
        introspection = document["data"]["model_introspection"]
        assert list(introspection["generations"]) == ["generateInsights"]
        assert list(introspection["conversations"]) == ["chat"]
        assert "[secret]" not in json.dumps(outputs)


def test_secrets_stay_masked_in_inputs() -> None:
    provider = _one(stack("dev"), "aws:cognito/identityProvider:IdentityProvider")
    assert provider.inputs["providerDetails"] == "[secret]"


def test_synth_is_byte_identical_across_processes(tmp_path) -> None:
    """Two fresh interpreters with different hash seeds: set and dict ordering cannot leak into the output."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"dev-{seed}.json"
        subprocess.run(
            [sys.executable, "-m", "tools.synth", "--stack", "dev", "--out", str(out)],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
            capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].decode() == stack("dev").to_text()


def test_synth_reports_faked_secrets(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    out = tmp_path / "dev.json"
    assert synth_main(["--stack", "dev", "--out", str(out)]) == 0
    assert "secret 'authOidcClientSecrets' is not set" in capsys.readouterr().err
    assert json.loads(out.read_text())["stack"] == "dev"


def test_bad_config_exits_2_and_declares_nothing(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    registered: list[str] = []
    from tools import evaluate

    original = evaluate.RecordingMonitor.RegisterResource

    def spy(self, request):
        registered.append(request.type)
        return original(self, request)

    monkeypatch.setattr(evaluate.RecordingMonitor, "RegisterResource", spy)
    code = synth_main(
        ["--stack", "prod", "--config", "aiInferenceMode=globall", "--config", "logRetentionDays=abc"]
    )
    assert code == 2
    error = capsys.readouterr().err
    assert "aiInferenceMode: 'globall' is not one of in-region, geo, global" in error
    assert "logRetentionDays: 'abc' is not an integer" in error
    assert [kind for kind in registered if kind != "pulumi:pulumi:Stack"] == []


def test_hosting_is_off_unless_a_repository_is_configured() -> None:
    assert stack("prod").of_type("aws:amplify/app:App") == []
    evaluation, faked = synth(
        "prod", ["hostingRepository=https://github.com/example/web", "hostingBranch=release"]
    )
    assert "hostingAccessToken" in faked
    branch = _one(evaluation, "aws:amplify/branch:Branch").inputs
    assert (branch["branchName"], branch["stage"]) == ("release", "PRODUCTION")
    assert _one(evaluation, "aws:amplify/app:App").inputs["accessToken"] == "[secret]"
    assert evaluation.outputs["hostingUrl"].startswith("https://release.")


def test_identity_pool_with_guests_is_declared_and_exported() -> None:
    evaluation, _ = synth("dev", ["authIdentityPool=true", "authGuestAccess=true"])
    pool = _one(evaluation, "aws:cognito/identityPool:IdentityPool").inputs
    assert pool["allowUnauthenticatedIdentities"] is True
    auth = evaluation.outputs["amplifyOutputs"]["auth"]
    assert auth["unauthenticated_identities_enabled"] is True
    assert auth["identity_pool_id"].startswith("us-east-1:")
    assert stack("dev").of_type("aws:cognito/identityPool:IdentityPool") == []


def test_sign_in_domain_is_deleted_before_it_is_replaced() -> None:
    for name in ("dev", "prod"):
        assert _one(stack(name), "aws:cognito/userPoolDomain:UserPoolDomain").delete_before_replace
