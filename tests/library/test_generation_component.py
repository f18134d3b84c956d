"""GenerationRoute under mocks: the signed HTTP data source, its exact Bedrock grant, and the pipeline."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import botocore.session
import pulumi
import pulumi_aws as aws
import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, parse

from genai_backend_components import iam
from genai_backend_components.bedrock import invoke_statements, model_invoke_statements, resolve_model
from genai_backend_components.generation import (
    GenerationRoute,
    GenerationRouteArgs,
    generation_schema_sdl,
    schema_with_generation,
)
from genai_backend_components.graphql import build_appsync_schema
from tests.policy_evaluator import is_allowed
from tests.support import evaluate_component
from tools.evaluate import Evaluation
from tools.fake_cloud import ACCOUNT_ID

RESOLVERS = Path(__file__).resolve().parents[2] / "components" / "resolvers" / "generation"
MODEL = "amazon.nova-lite-v1:0"
OTHER_MODEL = "amazon.nova-pro-v1:0"
INVOKE = "bedrock:InvokeModel"
DEV = GenerationRouteArgs(
    api_id="apiid0123456789",
    region="us-east-1",
    account_id=ACCOUNT_ID,
    model_id=MODEL,
    inference_mode="geo",
    system_prompt="You analyse football league tables for fans.",
)
PROD = replace(DEV, region="eu-west-1", inference_mode="global", max_tokens=900, temperature=0.6)
BOTOCORE = botocore.session.get_session()


def evaluate_route(args: GenerationRouteArgs, *, account_from_cloud: bool = True) -> Evaluation:
    """Declares the route as a stack would, with the account id an Output of get_caller_identity."""

    def build() -> None:
        account = aws.get_caller_identity_output().account_id if account_from_cloud else args.account_id
        route = GenerationRoute("gen", replace(args, account_id=account))
        pulumi.export("settings_function_id", route.settings_function.function_id)
        pulumi.export("invoke_function_id", route.invoke_function.function_id)
        # What the shared Bedrock helper renders for the same inputs, for the route's policy to match.
        helper = model_invoke_statements(
            args.model_id, args.inference_mode, args.region, account, streaming=False, synchronous=True,
            partition=args.partition, geography=args.geography,
        )  # fmt: skip
        pulumi.export("shared_helper_policy", iam.policy_document(helper))

    return evaluate_component(build, region=args.region)


def policy_of(evaluation: Evaluation) -> dict[str, Any]:
    return json.loads(evaluation.named("gen-datasource-BedrockRuntime-policy").inputs["policy"])


def expected_statements(args: GenerationRouteArgs) -> list[dict[str, Any]]:
    resolved = resolve_model(args.model_id, args.inference_mode, args.region, ACCOUNT_ID, args.partition)
    return invoke_statements(resolved, streaming=False)


@pytest.fixture(scope="module")
def dev() -> Evaluation:
    return evaluate_route(DEV)


@pytest.fixture(scope="module")
def prod() -> Evaluation:
    return evaluate_route(PROD)


def test_bedrock_data_source_is_http_signed_for_bedrock_in_the_api_region(
    dev: Evaluation, prod: Evaluation
) -> None:
    for evaluation, region in [(dev, "us-east-1"), (prod, "eu-west-1")]:
        source = evaluation.named("gen-datasource-BedrockRuntime").inputs
        assert source["type"] == "HTTP" and source["name"] == "BedrockRuntime"
        assert source["apiId"] == DEV.api_id
        http = source["httpConfig"]
        assert http["endpoint"] == f"https://bedrock-runtime.{region}.amazonaws.com"
        authorization = http["authorizationConfig"]
        assert authorization["authorizationType"] == "AWS_IAM"
        assert authorization["awsIamConfig"] == {"signingRegion": region, "signingServiceName": "bedrock"}
        role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/gen-datasource-BedrockRuntime-role-"
        assert source["serviceRoleArn"].startswith(role_arn)
        # AppSync must not call Bedrock before the grant exists, or the first requests fail.
        assert (
            "gen-datasource-BedrockRuntime-policy"
            in evaluation.named("gen-datasource-BedrockRuntime").dependencies
        )
        role = evaluation.named("gen-datasource-BedrockRuntime-role")
        trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert [statement["Principal"] for statement in trust] == [{"Service": "appsync.amazonaws.com"}]


def test_values_sent_to_appsync_are_in_its_api_model() -> None:
    appsync = BOTOCORE.get_service_model("appsync")
    runtime = BOTOCORE.get_service_model("bedrock-runtime")
    assert "HTTP" in appsync.shape_for("DataSourceType").enum
    assert "NONE" in appsync.shape_for("DataSourceType").enum
    assert "AWS_IAM" in appsync.shape_for("AuthorizationType").enum
    assert "PIPELINE" in appsync.shape_for("ResolverKind").enum
    assert "APPSYNC_JS" in appsync.shape_for("RuntimeName").enum
    assert runtime.metadata["signingName"] == "bedrock"
    assert runtime.metadata["endpointPrefix"] == "bedrock-runtime"
    limits = runtime.shape_for("InferenceConfiguration").members
    assert limits["maxTokens"].metadata["min"] <= 1
    assert (limits["temperature"].metadata["min"], limits["temperature"].metadata["max"]) == (0, 1)


def test_role_policy_is_the_shared_bedrock_helper_for_the_same_inputs(
    dev: Evaluation, prod: Evaluation
) -> None:
    for evaluation in (dev, prod):
        assert policy_of(evaluation) == json.loads(evaluation.outputs["shared_helper_policy"])


def test_role_holds_exactly_the_invoke_statements_for_the_mode(dev: Evaluation, prod: Evaluation) -> None:
    dev_statements, prod_statements = policy_of(dev)["Statement"], policy_of(prod)["Statement"]
    assert dev_statements == expected_statements(DEV)
    assert prod_statements == expected_statements(PROD)
    assert dev_statements != prod_statements
    assert any(
        "::foundation-model/" in arn and arn.startswith("arn:aws:bedrock:::")
        for s in prod_statements
        for arn in s["Resource"]
    )
    for statement in [*dev_statements, *prod_statements]:
        assert statement["Action"] == [INVOKE]
        assert all("*" not in resource for resource in statement["Resource"])


def test_policy_allows_the_configured_profile_and_denies_other_models(dev: Evaluation) -> None:
    policy = policy_of(dev)
    profile = f"arn:aws:bedrock:us-east-1:{ACCOUNT_ID}:inference-profile/us.{MODEL}"
    through_profile = {"bedrock:InferenceProfileArn": profile, "aws:RequestedRegion": "us-east-2"}
    assert is_allowed(policy, INVOKE, profile, {"aws:RequestedRegion": "us-east-1"})
    assert is_allowed(policy, INVOKE, f"arn:aws:bedrock:us-east-2::foundation-model/{MODEL}", through_profile)
    other_profile = profile.replace(MODEL, OTHER_MODEL)
    assert not is_allowed(policy, INVOKE, other_profile, {"aws:RequestedRegion": "us-east-1"})
    other_model = f"arn:aws:bedrock:us-east-2::foundation-model/{OTHER_MODEL}"
    assert not is_allowed(
        policy, INVOKE, other_model, {**through_profile, "bedrock:InferenceProfileArn": other_profile}
    )
    direct = f"arn:aws:bedrock:us-east-1::foundation-model/{MODEL}"
    assert not is_allowed(policy, INVOKE, direct, {"aws:RequestedRegion": "us-east-1"})
    assert not is_allowed(policy, "bedrock:InvokeModelWithResponseStream", profile, {})


def test_pipeline_runs_the_settings_step_then_the_converse_call(dev: Evaluation) -> None:
    resolver = dev.named("gen-resolver").inputs
    assert (resolver["type"], resolver["field"], resolver["kind"]) == (
        "Query",
        "generateInsights",
        "PIPELINE",
    )
    order = [dev.outputs["settings_function_id"], dev.outputs["invoke_function_id"]]
    assert resolver["pipelineConfig"]["functions"] == order
    assert "dataSource" not in resolver
    assert resolver["code"] == (RESOLVERS / "pipeline.js").read_text(encoding="utf-8")
    settings, invoke = dev.named("gen-settings").inputs, dev.named("gen-invoke").inputs
    assert dev.named("gen-datasource-BedrockRuntimeSettings").inputs["type"] == "NONE"
    assert settings["dataSource"] == "BedrockRuntimeSettings"
    assert invoke["dataSource"] == "BedrockRuntime"
    assert invoke["code"] == (RESOLVERS / "invokeConverse.js").read_text(encoding="utf-8")
    for record in (resolver, settings, invoke):
        assert record["runtime"] == {"name": "APPSYNC_JS", "runtimeVersion": "1.0.0"}
        assert "functionVersion" not in record
    children = {record.name for record in dev.children_of("gen")}
    assert {"gen-resolver", "gen-settings", "gen-invoke", "gen-datasource-BedrockRuntime"} <= children


def test_settings_step_carries_each_stack_values(dev: Evaluation, prod: Evaluation) -> None:
    dev_code, prod_code = dev.named("gen-settings").inputs["code"], prod.named("gen-settings").inputs["code"]
    assert f'"modelId": "us.{MODEL}"' in dev_code
    assert f'"modelId": "global.{MODEL}"' in prod_code
    assert '"maxTokens": 900' in prod_code and '"temperature": 0.6' in prod_code
    assert json.dumps(DEV.system_prompt) in dev_code


def test_account_id_may_be_given_as_text() -> None:
    evaluation = evaluate_route(replace(DEV, account_id="210987654321"), account_from_cloud=False)
    profiles = policy_of(evaluation)["Statement"][0]["Resource"]
    assert profiles == [f"arn:aws:bedrock:us-east-1:210987654321:inference-profile/us.{MODEL}"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"max_tokens": 2001}, "max_tokens"),
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": 512.0}, "max_tokens"),
        ({"max_tokens": True}, "max_tokens"),
        ({"temperature": 1.01}, "temperature"),
        ({"temperature": -0.1}, "temperature"),
        ({"temperature": math.nan}, "temperature"),
        ({"field_name": "generate-insights"}, "field_name"),
        ({"field_name": "2insights"}, "field_name"),
        ({"data_source_name": "Bedrock-Runtime"}, "data_source_name"),
        ({"inference_mode": "fastest"}, "inference_mode"),
        ({"output_mode": "xml"}, "output_mode"),
        ({"system_prompt": "  "}, "system_prompt"),
        ({"system_prompt": "x" * 40000}, "system_prompt"),
        ({"model_id": f"global.{MODEL}"}, "model_id"),
        ({"region": "mars-north-1"}, "region"),
        ({"account_id": "12345"}, "account_id"),
        ({"api_id": ""}, "api_id"),
        ({"invoke_code_path": RESOLVERS / "missing.js"}, "invoke_code_path"),
        ({"region": "us-gov-west-1", "partition": "aws-us-gov", "inference_mode": "global"}, "global"),
    ],
)
def test_bad_args_are_rejected_before_any_resource(overrides: dict[str, Any], field: str) -> None:
    raised: list[ValueError] = []

    def build() -> None:
        account = overrides.get("account_id", ACCOUNT_ID)
        try:
            GenerationRoute("gen", replace(DEV, **{**overrides, "account_id": account}))
        except ValueError as error:
            raised.append(error)

    evaluation = evaluate_component(build)
    assert len(raised) == 1 and field in str(raised[0])
    assert evaluation.resources == []


def _query_field(schema_sdl: str, field: str) -> Any:
    schema = build_appsync_schema(schema_sdl)
    query = schema.query_type
    assert isinstance(query, GraphQLObjectType) and field in query.fields
    return query.fields[field]


BASE_SCHEMA = """
schema { query: Query }
type Query {
  ping: String @aws_cognito_user_pools
}
"""


@pytest.mark.parametrize("field", ["generateInsights", "leagueInsights"])
def test_schema_fragment_adds_a_signed_in_only_insights_query(field: str) -> None:
    fragment = generation_schema_sdl(field)
    definition = _query_field(BASE_SCHEMA + fragment, field)
    assert isinstance(definition.args["requirement"].type, GraphQLNonNull)
    assert str(definition.type) == "Insights"
    assert [node.name.value for node in definition.ast_node.directives] == ["aws_cognito_user_pools"]
    insights = build_appsync_schema(BASE_SCHEMA + fragment).get_type("Insights")
    assert isinstance(insights, GraphQLObjectType)
    assert {name: str(value.type) for name, value in insights.fields.items()} == {
        "summary": "String!",
        "highlights": "[String!]!",
    }


def test_folded_schema_has_no_extension_and_keeps_existing_fields() -> None:
    merged = schema_with_generation(BASE_SCHEMA, "generateInsights")
    assert not any(node.kind.startswith("object_type_extension") for node in parse(merged).definitions)
    schema = build_appsync_schema(merged)
    assert set(schema.query_type.fields) == {"ping", "generateInsights"}  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="generateInsights"):
        schema_with_generation(merged, "generateInsights")
    with pytest.raises(ValueError, match="field"):
        generation_schema_sdl("generate insights")
