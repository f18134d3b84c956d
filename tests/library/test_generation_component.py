"""GenerationRoute under mocks: the signed HTTP data source, its exact Bedrock grant, and the pipeline."""

from __future__ import annotations

import json
import math
from typing import Any

import botocore.session
import pulumi
import pulumi_aws as aws
import pytest
from graphql import GraphQLObjectType, parse

from genai_backend_components import iam
from genai_backend_components.bedrock import (
    InferenceMode,
    invoke_statements,
    model_invoke_statements,
    partition_for_region,
    resolve_model,
)
from genai_backend_components.generation import (
    INVOKE_CONVERSE_CODE,
    PIPELINE_CODE,
    GenerationRoute,
    GenerationRouteArgs,
    GenerationRouteModel,
    generation_field_sdl,
    schema_with_generation,
)
from genai_backend_components.graphql import build_appsync_schema
from genai_backend_components.validation import InvalidArgsError, check_args
from tests.policy_evaluator import is_allowed
from tests.support import evaluate_component
from tests.transforms import (
    assert_transform_reaches_every_child,
    evaluate_with_engine_transforms,
    tagging_transform,
)
from tools.evaluate import Evaluation
from tools.fake_cloud import ACCOUNT_ID

MODEL = "amazon.nova-lite-v1:0"
OTHER_MODEL = "amazon.nova-pro-v1:0"
INVOKE = "bedrock:InvokeModel"
BASE_SCHEMA = """
schema { query: Query }
type Query {
  ping: String @aws_cognito_user_pools
}
"""
ANSWER_TYPES = "type GenerateInsightsReturnType @aws_cognito_user_pools { insights: String! }"
SCHEMA = schema_with_generation(
    BASE_SCHEMA,
    "generateInsights",
    {"requirement": "String!"},
    "GenerateInsightsReturnType",
    types_sdl=ANSWER_TYPES,
)
SOURCE = "GenerationBedrockDataSourceGenerateInsights"
"""The data source's default name, as Amplify names it."""
DEV = GenerationRouteArgs(
    api_id="apiid0123456789",
    schema_sdl=SCHEMA,
    field_name="generateInsights",
    region="us-east-1",
    account_id=ACCOUNT_ID,
    model_id=MODEL,
    inference_mode="geo",
    system_prompt="You analyse football league tables for fans.",
)
PROD: GenerationRouteArgs = {
    **DEV,
    "region": "eu-west-1",
    "inference_mode": "global",
    "max_tokens": 900,
    "temperature": 0.6,
}
BOTOCORE = botocore.session.get_session()


def evaluate_route(args: GenerationRouteArgs, *, account_from_cloud: bool = True) -> Evaluation:
    """Declares the route as a stack would, with the account id an Output of get_caller_identity."""

    def build() -> None:
        account = aws.get_caller_identity_output().account_id if account_from_cloud else args["account_id"]
        route = GenerationRoute("gen", {**args, "account_id": account})
        pulumi.export("settings_function_id", route.settings_function.function_id)
        pulumi.export("invoke_function_id", route.invoke_function.function_id)
        # What the shared Bedrock helper renders for the same inputs, for the route's policy to match.
        helper = model_invoke_statements(
            args["model_id"], args["inference_mode"], args["region"], account, streaming=False,
            synchronous=True, partition=partition_for_region(args["region"]), geography=args.get("geography"),
        )  # fmt: skip
        pulumi.export("shared_helper_policy", iam.policy_document(helper))

    return evaluate_component(build, region=args["region"])


def policy_of(evaluation: Evaluation) -> dict[str, Any]:
    return json.loads(evaluation.named(f"gen-datasource-{SOURCE}-policy").inputs["policy"])


def expected_statements(args: GenerationRouteArgs) -> list[dict[str, Any]]:
    region = args["region"]
    resolved = resolve_model(
        args["model_id"], args["inference_mode"], region, ACCOUNT_ID, partition_for_region(region)
    )
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
        source = evaluation.named(f"gen-datasource-{SOURCE}").inputs
        assert source["type"] == "HTTP" and source["name"] == SOURCE
        assert source["apiId"] == DEV["api_id"]
        http = source["httpConfig"]
        assert http["endpoint"] == f"https://bedrock-runtime.{region}.amazonaws.com"
        authorization = http["authorizationConfig"]
        assert authorization["authorizationType"] == "AWS_IAM"
        assert authorization["awsIamConfig"] == {"signingRegion": region, "signingServiceName": "bedrock"}
        role_arn = f"arn:aws:iam::{ACCOUNT_ID}:role/gen-datasource-{SOURCE}-role-"
        assert source["serviceRoleArn"].startswith(role_arn)
        # AppSync must not call Bedrock before the grant exists, or the first requests fail.
        assert f"gen-datasource-{SOURCE}-policy" in evaluation.named(f"gen-datasource-{SOURCE}").dependencies
        role = evaluation.named(f"gen-datasource-{SOURCE}-role")
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
    assert resolver["code"] == PIPELINE_CODE.read_text(encoding="utf-8")
    settings, invoke = dev.named("gen-settings").inputs, dev.named("gen-invoke").inputs
    assert dev.named(f"gen-datasource-{SOURCE}Settings").inputs["type"] == "NONE"
    assert settings["dataSource"] == f"{SOURCE}Settings"
    assert invoke["dataSource"] == SOURCE
    assert invoke["code"] == INVOKE_CONVERSE_CODE.read_text(encoding="utf-8")
    for record in (resolver, settings, invoke):
        assert record["runtime"] == {"name": "APPSYNC_JS", "runtimeVersion": "1.0.0"}
        assert "functionVersion" not in record
    children = {record.name for record in dev.children_of("gen")}
    assert {"gen-resolver", "gen-settings", "gen-invoke", f"gen-datasource-{SOURCE}"} <= children


def test_the_resolver_code_ships_inside_the_package() -> None:
    package = INVOKE_CONVERSE_CODE.parents[1]
    assert package.name == "generation" and package.parent.name == "genai_backend_components"
    for code in (INVOKE_CONVERSE_CODE, PIPELINE_CODE):
        assert code.parent == package / "resolvers" and code.is_file()
        assert "export function response(ctx)" in code.read_text(encoding="utf-8")


def test_the_component_has_the_package_token_and_answers_to_the_old_one(dev: Evaluation) -> None:
    component = dev.named("gen")
    assert component.type == "genai-backend:index:GenerationRoute"
    assert {"type": "genai:index:GenerationRoute"} in component.aliases


def test_settings_step_carries_each_stack_values(dev: Evaluation, prod: Evaluation) -> None:
    dev_code, prod_code = dev.named("gen-settings").inputs["code"], prod.named("gen-settings").inputs["code"]
    assert f'"modelId": "us.{MODEL}"' in dev_code
    assert f'"modelId": "global.{MODEL}"' in prod_code
    assert '"maxTokens": 900' in prod_code and '"temperature": 0.6' in prod_code
    assert json.dumps(DEV["system_prompt"]) in dev_code
    assert '"toolName": "answer"' in dev_code
    # The answer's schema is the field's return type, wrapped as {"value": ...}.
    assert (
        '"answerSchema": {"additionalProperties": false, "properties": {"value": {"additionalProperties": false, '
        in dev_code
    )
    assert '"insights": {"type": "string"}' in dev_code


def test_settings_step_is_the_code_settings_code_gives(dev: Evaluation) -> None:
    """The resolver tests run ``settings_code()``; it must be exactly what the component deploys."""
    expected = check_args(GenerationRouteModel, "GenerationRouteArgs", DEV).settings_code()
    assert dev.named("gen-settings").inputs["code"] == expected


def test_enum_members_and_their_plain_values_declare_the_same_route() -> None:
    members: GenerationRouteArgs = {**PROD, "inference_mode": InferenceMode.GLOBAL}
    values: GenerationRouteArgs = {**PROD, "inference_mode": "global"}
    with_members, with_values = evaluate_route(members), evaluate_route(values)
    assert with_members.as_json() == with_values.as_json()
    code = with_members.named("gen-settings").inputs["code"]
    assert f'"modelId": "global.{MODEL}"' in code


def test_account_id_may_be_given_as_text() -> None:
    evaluation = evaluate_route({**DEV, "account_id": "210987654321"}, account_from_cloud=False)
    profiles = policy_of(evaluation)["Statement"][0]["Resource"]
    assert profiles == [f"arn:aws:bedrock:us-east-1:210987654321:inference-profile/us.{MODEL}"]


API_ARN = f"arn:aws:appsync:us-east-1:{ACCOUNT_ID}:apis/apiid0123456789"


def test_with_the_api_arn_bedrock_data_source_role_trusts_appsync_for_that_api_only() -> None:
    evaluation = evaluate_route({**DEV, "api_arn": API_ARN})
    role = evaluation.named(f"gen-datasource-{SOURCE}-role")
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "appsync.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
        "ArnEquals": {"aws:SourceArn": API_ARN},
    }


def test_a_transforms_option_reaches_every_child() -> None:
    transform, seen = tagging_transform("costCenter", "42")
    evaluation = evaluate_with_engine_transforms(
        lambda: GenerationRoute("gen", DEV, pulumi.ResourceOptions(transforms=[transform]))
    )
    assert len(evaluation.resources) > 5
    assert all(record.parent == "gen" for record in evaluation.resources if record.name != "gen")
    assert_transform_reaches_every_child(evaluation, seen)


def refused(args: object) -> tuple[Evaluation, InvalidArgsError]:
    """Builds the route from ``args`` under mocks, expecting it to refuse them before declaring anything."""
    errors: list[InvalidArgsError] = []

    def build() -> None:
        with pytest.raises(InvalidArgsError) as raised:
            GenerationRoute("gen", args)  # type: ignore[arg-type]
        errors.append(raised.value)

    evaluation = evaluate_component(build)
    assert len(errors) == 1, "GenerationRoute accepted the args"
    return evaluation, errors[0]


@pytest.mark.parametrize(
    ("overrides", "path", "words"),
    [
        ({"max_tokens": 8193}, "max_tokens", "from 1 to 8192"),
        ({"max_tokens": 0}, "max_tokens", "from 1 to 8192"),
        ({"max_tokens": 3000}, "max_tokens", "at most 2,900 fits"),
        ({"max_tokens": 1500, "output_tokens_per_second": 60.0}, "max_tokens", "at 60 tokens/s (as stated)"),
        ({"field_name": "generateTips"}, "field_name", "no Query field 'generateTips'"),
        ({"schema_sdl": "type Query {"}, "schema_sdl", "not valid GraphQL"),
        ({"max_tokens": 512.0}, "max_tokens", "whole number"),
        ({"max_tokens": True}, "max_tokens", "whole number"),
        ({"temperature": 1.01}, "temperature", "from 0 to 1"),
        ({"temperature": -0.1}, "temperature", "from 0 to 1"),
        ({"temperature": math.nan}, "temperature", "from 0 to 1"),
        ({"temperature": "0.5"}, "temperature", "must be a number"),
        ({"field_name": "generate-insights"}, "field_name", "GraphQL name"),
        ({"field_name": "2insights"}, "field_name", "GraphQL name"),
        ({"data_source_name": "Bedrock-Runtime"}, "data_source_name", "GraphQL name"),
        ({"inference_mode": "fastest"}, "inference_mode", "in-region, geo, global"),
        ({"output_mode": "tool"}, "output_mode", "not a known arg"),
        ({"top_p": 1.5}, "top_p", "from 0 to 1"),
        ({"system_prompt": "  "}, "system_prompt", "empty"),
        ({"system_prompt": "x" * 40000}, "system_prompt", "2,048 bytes"),
        ({"model_id": f"global.{MODEL}"}, "model_id", "prefix 'global'"),
        ({"region": "mars-north-1"}, "region", "not an AWS region"),
        ({"region": "xx-north-9"}, "region", "not supported"),
        ({"account_id": "12345"}, "account_id", "12-digit"),
        ({"api_id": ""}, "api_id", "empty"),
        ({"api_arn": "apiid0123456789"}, "api_arn", "arn:aws:appsync:"),
        ({"api_arn": f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:f"}, "api_arn", "arn:aws:appsync:"),
        # Args of the old API are refused by name, not silently ignored.
        ({"invoke_code_path": "missing.js"}, "invoke_code_path", "not a known arg"),
        ({"partition": "aws-us-gov"}, "partition", "not a known arg"),
        ({"region": "us-gov-west-1", "inference_mode": "global"}, "inference_mode", "global"),
        ({"region": "ca-west-1"}, "region", "no default geographic inference profile"),
        ({"geography": "eu"}, "geography", "no profiles callable from region 'us-east-1'"),
        (
            {"region": "ap-northeast-1", "inference_mode": "global", "geography": "jp"},
            "geography",
            "only applies when mode is 'geo'",
        ),
    ],
)
def test_bad_args_are_rejected_before_any_resource(overrides: dict[str, Any], path: str, words: str) -> None:
    evaluation, error = refused({**DEV, **overrides})
    assert [problem.path for problem in error.problems] == [path]
    assert words in error.problems[0].message
    assert str(error).startswith("GenerationRouteArgs has 1 invalid value:")
    assert evaluation.resources == []


def test_a_3000_character_prompt_is_refused_with_the_limit_and_its_size() -> None:
    evaluation, error = refused({**DEV, "system_prompt": "x" * 3000})
    [problem] = error.problems
    assert problem.path == "system_prompt"
    assert "2,048 bytes" in problem.message and "3,000" in problem.message
    assert evaluation.resources == []


@pytest.mark.parametrize(
    ("prompt", "accepted"),
    [
        ("x" * 2048, True),
        ("x" * 2049, False),
        ("é" * 1024, True),  # 2 bytes each: 2,048 bytes
        ("€" * 683, False),  # 3 bytes each: 2,049 bytes in only 683 characters
    ],
)
def test_the_system_prompt_limit_counts_utf8_bytes(prompt: str, accepted: bool) -> None:
    args: GenerationRouteArgs = {**DEV, "system_prompt": prompt}
    if accepted:
        code = check_args(GenerationRouteModel, "GenerationRouteArgs", args).settings_code()
        assert json.dumps(prompt) in code
        return
    evaluation, error = refused(args)
    assert [(problem.path, "2,048 bytes" in problem.message) for problem in error.problems] == [
        ("system_prompt", True)
    ]
    assert evaluation.resources == []


def test_every_problem_is_reported_at_once() -> None:
    evaluation, error = refused({**DEV, "max_tokens": 0, "temperature": 2, "field_name": "a b"})
    assert {problem.path for problem in error.problems} == {"max_tokens", "temperature", "field_name"}
    assert str(error).startswith("GenerationRouteArgs has 3 invalid values:")
    assert evaluation.resources == []


def test_missing_args_are_named() -> None:
    args = {key: value for key, value in DEV.items() if key not in ("model_id", "system_prompt")}
    evaluation, error = refused(args)
    assert {(problem.path, problem.message) for problem in error.problems} == {
        ("model_id", "is required"),
        ("system_prompt", "is required"),
    }
    assert evaluation.resources == []


def _query_field(schema_sdl: str, field: str) -> Any:
    schema = build_appsync_schema(schema_sdl)
    query = schema.query_type
    assert isinstance(query, GraphQLObjectType) and field in query.fields
    return query.fields[field]


def test_the_declared_field_is_for_signed_in_users_with_its_arguments_and_type() -> None:
    definition = _query_field(SCHEMA, "generateInsights")
    assert {name: str(argument.type) for name, argument in definition.args.items()} == {
        "requirement": "String!"
    }
    assert str(definition.type) == "GenerateInsightsReturnType"
    assert [node.name.value for node in definition.ast_node.directives] == ["aws_cognito_user_pools"]
    answer = build_appsync_schema(SCHEMA).get_type("GenerateInsightsReturnType")
    assert isinstance(answer, GraphQLObjectType)
    assert {name: str(value.type) for name, value in answer.fields.items()} == {"insights": "String!"}


def test_groups_and_a_description_reach_the_field() -> None:
    line = generation_field_sdl("tips", {"topic": "String!", "count": "Int"}, "[String!]!", groups=["admins"],
                                description="Tips about a topic.")  # fmt: skip
    definition = _query_field(schema_with_generation(BASE_SCHEMA, "tips", {"topic": "String!", "count": "Int"},
                                                     "[String!]!", groups=["admins"], description="Tips about a topic."),
                              "tips")  # fmt: skip
    assert 'cognito_groups: ["admins"]' in line
    assert definition.description == "Tips about a topic."
    assert str(definition.type) == "[String!]!"


def test_folded_schema_has_no_extension_and_keeps_existing_fields() -> None:
    assert not any(node.kind.startswith("object_type_extension") for node in parse(SCHEMA).definitions)
    assert set(build_appsync_schema(SCHEMA).query_type.fields) == {"ping", "generateInsights"}  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="generateInsights"):
        schema_with_generation(SCHEMA, "generateInsights", {}, "String")
    with pytest.raises(ValueError, match="GraphQL name"):
        generation_field_sdl("generate insights", {}, "String")


def test_several_routes_on_one_api_get_their_own_names() -> None:
    schema = schema_with_generation(SCHEMA, "suggestTeamName", {"city": "String!"}, "String!")

    def build() -> None:
        GenerationRoute("insights", {**DEV, "schema_sdl": schema})
        GenerationRoute("names", {**DEV, "schema_sdl": schema, "field_name": "suggestTeamName"})

    evaluation = evaluate_component(build)
    sources = sorted(
        record.inputs["name"] for record in evaluation.of_type("aws:appsync/dataSource:DataSource")
    )
    assert sources == [
        "GenerationBedrockDataSourceGenerateInsights",
        "GenerationBedrockDataSourceGenerateInsightsSettings",
        "GenerationBedrockDataSourceSuggestTeamName",
        "GenerationBedrockDataSourceSuggestTeamNameSettings",
    ]
    resolvers = {record.inputs["field"] for record in evaluation.of_type("aws:appsync/resolver:Resolver")}
    assert resolvers == {"generateInsights", "suggestTeamName"}
    functions = sorted(
        record.inputs["name"] for record in evaluation.of_type("aws:appsync/function:Function")
    )
    assert functions == [
        "generateInsightsInvokeConverse",
        "generateInsightsSettings",
        "suggestTeamNameInvokeConverse",
        "suggestTeamNameSettings",
    ]
    names = evaluation.named("names-settings").inputs["code"]
    assert '"required": ["value"]' in names and '"value": {"type": "string"}' in names


def test_a_return_type_the_tool_cannot_express_is_refused() -> None:
    schema = schema_with_generation(
        BASE_SCHEMA,
        "tree",
        {},
        "Node",
        types_sdl="type Node @aws_cognito_user_pools { name: String children: [Node] }",
    )
    evaluation, error = refused({**DEV, "schema_sdl": schema, "field_name": "tree"})
    assert [problem.path for problem in error.problems] == ["schema_sdl"]
    assert "Node contains itself" in error.problems[0].message
    assert evaluation.resources == []
