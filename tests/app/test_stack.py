"""The real program (__main__.py) with the real stack files, evaluated under mocks: what differs between stacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from graphql import value_from_ast_untyped

from app.api_schema import RESOLVER_DATA_SOURCES
from app.paths import RESOLVERS
from genai_backend_components.conversation import RouteNames, resolver_plan
from genai_backend_components.graphql import build_appsync_schema
from tests.policy_evaluator import is_allowed
from tools.evaluate import Evaluation
from tools.synth import main as synth_main
from tools.synth import synth

ROOT = Path(__file__).resolve().parents[2]


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
            "app-chat-cleanup-function",
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
        assert len(groups) == 4  # the League function's, the chat handler's, the chat cleanup's and the API's


def test_hosting_logs_keep_the_stack_retention_too() -> None:
    """logRetentionDays applies to every log group, the Amplify Hosting SSR logs included (not its 30 days)."""
    evaluation, _ = synth("prod", ["hostingRepository=https://github.com/example/web"])
    [ssr_logs] = [
        group
        for group in evaluation.of_type("aws:cloudwatch/logGroup:LogGroup")
        if group.name.endswith("ssr-logs")
    ]
    assert ssr_logs.inputs["retentionInDays"] == 365


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


def _cognito_groups_in_schema() -> set[str]:
    """Every group an @aws_cognito_user_pools(cognito_groups: [...]) in the API schema refers to."""
    schema = build_appsync_schema((RESOLVERS / "schema.graphql").read_text())
    groups: set[str] = set()
    for root in (schema.query_type, schema.mutation_type):
        for field in root.fields.values():
            for directive in field.ast_node.directives:
                for argument in directive.arguments:
                    if argument.name.value == "cognito_groups":
                        groups.update(value_from_ast_untyped(argument.value))
    return groups


def test_every_group_the_schema_requires_exists_in_every_stack() -> None:
    """A group named in the schema but missing from the pool would lock everyone out of that field."""
    required = _cognito_groups_in_schema()
    assert required  # upsertLeague is restricted to league admins
    for name in ("dev", "prod"):
        declared = {group.inputs["name"] for group in stack(name).of_type("aws:cognito/userGroup:UserGroup")}
        assert required <= declared, name


def _operations_sent_by(resolver: Path) -> set[tuple[str, str | None]]:
    """(DynamoDB operation, index or None) pairs a resolver file builds requests for."""
    code = resolver.read_text()
    operations = re.findall(r"operation: '(\w+)'", code)
    constants = dict(re.findall(r"const (\w+) = '([\w.-]+)'", code))
    indexes = [constants.get(name, name) for name in re.findall(r"index: '?([\w.-]+)'?", code)]
    assert operations and len(indexes) <= 1, resolver.name
    return {(operation, indexes[0] if indexes and operation == "Query" else None) for operation in operations}


def _table_sources() -> dict[str, tuple[str, list[Path]]]:
    """Each table data source: (its resource name, the resolver and pipeline-function files using it)."""
    sources: dict[str, tuple[str, list[Path]]] = {}
    for field, data_source in RESOLVER_DATA_SOURCES.items():
        if data_source.endswith("Table"):
            sources.setdefault(data_source, (f"app-api-datasource-{data_source}", []))[1].append(
                RESOLVERS / f"{field}.js"
            )
    functions, resolvers = resolver_plan(RouteNames.of("chat"))
    for spec in (*functions.values(), *resolvers.values()):
        if spec.data_source and spec.data_source.endswith("Table"):
            sources.setdefault(spec.data_source, (f"app-chat-datasource-{spec.data_source}", []))[1].append(
                Path(spec.code_path)
            )
    return sources


def test_table_data_sources_may_do_exactly_what_their_resolvers_send() -> None:
    """Every DynamoDB action a resolver file builds, on the table or the index it names, and nothing else.

    A conditional write also needs GetItem: when the condition fails, AppSync reads the stored item to
    tell "already in the desired state" (success) from a real conflict, with the data source's role.
    """
    evaluation = stack("dev")
    region = evaluation.outputs["region"]
    sources = _table_sources()
    assert set(sources) == {
        "LeagueTable",
        "FollowsTable",
        "ConversationChatTable",
        "ConversationMessageChatTable",
    }
    for source, (resource, files) in sources.items():
        table = evaluation.named(resource).inputs["dynamodbConfig"]["tableName"]
        table_arn = f"arn:aws:dynamodb:{region}:123456789012:table/{table}"
        needed = {
            (f"dynamodb:{operation}", table_arn if index is None else f"{table_arn}/index/{index}")
            for file in files
            for operation, index in _operations_sent_by(file)
        }
        if any("condition:" in file.read_text() for file in files):
            needed.add(("dynamodb:GetItem", table_arn))
        policy = _policy(evaluation, f"{resource}-policy")
        granted = {
            (action, resource)
            for statement in policy["Statement"]
            for action in statement["Action"]
            for resource in statement["Resource"]
        }
        assert granted == needed, source


def test_league_function_may_only_put_and_is_invoked_only_once_it_may() -> None:
    evaluation = stack("dev")
    grant = _policy(evaluation, "app-league-fn-league-table")
    table = evaluation.outputs["leagueTableName"]
    table_arn = f"arn:aws:dynamodb:{evaluation.outputs['region']}:123456789012:table/{table}"
    assert [(s["Action"], s["Resource"]) for s in grant["Statement"]] == [(["dynamodb:PutItem"], [table_arn])]
    # The data source (and so the upsertLeague resolver) waits for that grant: no AccessDenied race.
    assert "app-league-fn-league-table" in evaluation.named("app-api-datasource-LeagueFunction").dependencies
