"""GraphqlApi under mocks: what the engine receives for auth, logging, data sources and resolvers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from genai_backend_components.graphql import (
    DataSource,
    DynamoDbSource,
    GraphqlApi,
    GraphqlApiArgs,
    HttpSource,
    LambdaSource,
    PipelineFunction,
    Resolver,
)
from genai_backend_components.iam import attach_statements, service_trust_policy, statement
from tests.support import evaluate_component
from tests.transforms import evaluate_with_engine_transforms, taggable, tagging_transform
from tools.evaluate import Evaluation

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graphql"
ACCOUNT = "123456789012"
NOTES_TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/notes"
TASK_FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:task-runner"
MODEL_ARN = "arn:aws:bedrock:us-east-1::foundation-model/example-model"
SCHEMA = """
type Note @aws_cognito_user_pools {
  id: ID!
  text: String
  updatedAt: AWSDateTime
}
type Query {
  getNote(id: ID!): Note
  summarize(text: String!): String
  runTask(name: String!): AWSJSON @aws_iam
}
type Mutation {
  saveNote(id: ID!, text: String!): Note
}
"""


def example_args(**overrides: Any) -> GraphqlApiArgs:
    """One data source of each kind, a UNIT resolver on each, and a two-step pipeline."""
    args = GraphqlApiArgs(
        schema_sdl=SCHEMA,
        user_pool_id="us-east-1_pool12345",
        data_sources={
            "NotesTable": DataSource(
                dynamodb=DynamoDbSource(
                    table_name="notes",
                    table_arn=NOTES_TABLE_ARN,
                    actions=("dynamodb:GetItem", "dynamodb:PutItem"),
                )
            ),
            "TaskFunction": DataSource(function=LambdaSource(function_arn=TASK_FUNCTION_ARN)),
            "BedrockRuntime": DataSource(
                http=HttpSource(
                    endpoint="https://bedrock-runtime.us-east-1.amazonaws.com",
                    signing_region="us-east-1",
                    signing_service="bedrock",
                    statements=[statement("InvokeModel", ["bedrock:InvokeModel"], [MODEL_ARN])],
                )
            ),
            "NoneDataSource": DataSource(none=True),
        },
        functions={
            "requireOwner": PipelineFunction(
                data_source="NoneDataSource", code_path=str(FIXTURES / "functions" / "requireOwner.js")
            ),
            "putNote": PipelineFunction(
                data_source="NotesTable", code_path=str(FIXTURES / "functions" / "putNote.js")
            ),
        },
        resolvers={
            "Query.getNote": Resolver(code_path=str(FIXTURES / "Query.getNote.js"), data_source="NotesTable"),
            "Query.summarize": Resolver(
                code_path=str(FIXTURES / "Query.summarize.js"), data_source="BedrockRuntime"
            ),
            "Query.runTask": Resolver(
                code_path=str(FIXTURES / "Query.runTask.js"), data_source="TaskFunction"
            ),
            "Mutation.saveNote": Resolver(
                code_path=str(FIXTURES / "Mutation.saveNote.js"), pipeline=("requireOwner", "putNote")
            ),
        },
    )
    return GraphqlApiArgs(**{**args, **overrides})


def build_and_export(args: GraphqlApiArgs) -> Callable[[], None]:
    def program() -> None:
        api = GraphqlApi("api", args)
        pulumi.export("apiId", api.api_id)
        pulumi.export("graphqlUrl", api.graphql_url)
        pulumi.export("realtimeUrl", api.realtime_url)
        pulumi.export("schemaSdl", api.api.schema)
        pulumi.export("functionIds", {name: function.function_id for name, function in api.functions.items()})

    return program


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return evaluate_component(build_and_export(example_args()))


def grants(policy_json: str) -> set[tuple[str, str]]:
    """Every (action, resource) pair a policy allows; the policy must contain nothing but Allow statements."""
    pairs = set()
    for entry in json.loads(policy_json)["Statement"]:
        assert entry["Effect"] == "Allow"
        assert "Condition" not in entry
        pairs.update((action, resource) for action in entry["Action"] for resource in entry["Resource"])
    return pairs


def trusted_service(role_inputs: dict[str, Any]) -> str:
    (entry,) = json.loads(role_inputs["assumeRolePolicy"])["Statement"]
    assert entry["Action"] == "sts:AssumeRole"
    return entry["Principal"]["Service"]


def test_cognito_is_the_default_mode_and_iam_an_additional_one(evaluation: Evaluation) -> None:
    api = evaluation.named("api-api").inputs
    assert api["authenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert api["userPoolConfig"] == {"userPoolId": "us-east-1_pool12345", "defaultAction": "ALLOW"}
    assert api["additionalAuthenticationProviders"] == [{"authenticationType": "AWS_IAM"}]
    assert api["visibility"] == "GLOBAL"
    assert api["schema"] == SCHEMA


def test_user_pools_only_api_may_deny_by_default() -> None:
    args = example_args(additional_auth_modes=(), default_action="DENY", user_pool_region="eu-west-1")
    api = evaluate_component(build_and_export(args)).named("api-api").inputs
    assert "additionalAuthenticationProviders" not in api
    assert api["userPoolConfig"]["defaultAction"] == "DENY"
    assert api["userPoolConfig"]["awsRegion"] == "eu-west-1"


@pytest.mark.parametrize(
    ("level", "exclude_verbose", "retention", "xray", "introspection", "depth", "resolver_count"),
    [("ALL", True, 7, True, False, 12, 50), ("ERROR", False, 365, False, True, 0, 0)],
)
def test_logging_tracing_and_limits_follow_the_arguments(
    level: str,
    exclude_verbose: bool,
    retention: int,
    xray: bool,
    introspection: bool,
    depth: int,
    resolver_count: int,
) -> None:
    args = example_args(
        field_log_level=level,
        exclude_verbose_content=exclude_verbose,
        log_retention_days=retention,
        xray_enabled=xray,
        introspection=introspection,
        query_depth_limit=depth,
        resolver_count_limit=resolver_count,
    )
    evaluation = evaluate_component(build_and_export(args))
    api = evaluation.named("api-api").inputs
    assert api["logConfig"]["fieldLogLevel"] == level
    assert api["logConfig"]["excludeVerboseContent"] is exclude_verbose
    assert evaluation.named("api-logs").inputs["retentionInDays"] == retention
    assert api["xrayEnabled"] is xray
    assert api["introspectionConfig"] == ("ENABLED" if introspection else "DISABLED")
    assert api["queryDepthLimit"] == depth
    assert api["resolverCountLimit"] == resolver_count


def test_logs_go_to_the_api_group_and_the_role_can_write_nowhere_else(evaluation: Evaluation) -> None:
    api_id = evaluation.outputs["apiId"]
    group_name = f"/aws/appsync/apis/{api_id}"
    assert evaluation.named("api-logs").inputs["name"] == group_name
    role = evaluation.named("api-logs-role")
    assert trusted_service(role.inputs) == "appsync.amazonaws.com"
    role_arn = evaluation.named("api-api").inputs["logConfig"]["cloudwatchLogsRoleArn"]
    assert role_arn.startswith(f"arn:aws:iam::{ACCOUNT}:role/api-logs-role-")
    policy = evaluation.named("api-logs-policy")
    assert policy.dependencies == ["api-logs", "api-logs-role"]
    streams = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group_name}:*"
    assert grants(policy.inputs["policy"]) == {
        ("logs:CreateLogStream", streams),
        ("logs:PutLogEvents", streams),
    }


def test_table_access_is_exactly_what_was_declared(evaluation: Evaluation) -> None:
    """No default grant: the role may do what the resolvers were declared to send, on the table only."""
    source = evaluation.named("api-datasource-NotesTable")
    assert source.inputs["type"] == "AMAZON_DYNAMODB"
    assert source.inputs["dynamodbConfig"] == {"tableName": "notes"}
    assert (
        trusted_service(evaluation.named("api-datasource-NotesTable-role").inputs) == "appsync.amazonaws.com"
    )
    assert grants(evaluation.named("api-datasource-NotesTable-policy").inputs["policy"]) == {
        ("dynamodb:GetItem", NOTES_TABLE_ARN),
        ("dynamodb:PutItem", NOTES_TABLE_ARN),
    }


def table_grants(**access: Any) -> set[tuple[str, str]]:
    args = example_args(
        data_sources={
            "Leagues": DataSource(
                dynamodb=DynamoDbSource(table_name="leagues", table_arn=NOTES_TABLE_ARN, **access)
            )
        },
        functions={},
        resolvers={},
    )
    policy = evaluate_component(build_and_export(args)).named("api-datasource-Leagues-policy")
    return grants(policy.inputs["policy"])


def test_declared_table_access_is_exactly_the_listed_actions_and_indexes() -> None:
    by_season, by_name = f"{NOTES_TABLE_ARN}/index/bySeason", f"{NOTES_TABLE_ARN}/index/byName"
    assert table_grants(actions=["dynamodb:GetItem"], indexes=["bySeason", "byName"]) == {
        ("dynamodb:GetItem", NOTES_TABLE_ARN),
        ("dynamodb:Query", by_season),
        ("dynamodb:Query", by_name),
    }
    # No index listed: no index reachable; no action listed: nothing on the table itself.
    assert table_grants(actions=["dynamodb:UpdateItem", "dynamodb:Query"]) == {
        ("dynamodb:UpdateItem", NOTES_TABLE_ARN),
        ("dynamodb:Query", NOTES_TABLE_ARN),
    }
    assert table_grants(actions=[], indexes=["bySeason"]) == {("dynamodb:Query", by_season)}


def test_data_source_roles_trust_appsync_only_for_this_api(evaluation: Evaluation) -> None:
    api_arn = f"arn:aws:appsync:us-east-1:{ACCOUNT}:apis/{evaluation.outputs['apiId']}"
    for source_name in ("NotesTable", "TaskFunction", "BedrockRuntime"):
        role = evaluation.named(f"api-datasource-{source_name}-role").inputs
        assert trusted_service(role) == "appsync.amazonaws.com"
        (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
        assert trust["Condition"] == {
            "StringEquals": {"aws:SourceAccount": ACCOUNT},
            "ArnEquals": {"aws:SourceArn": api_arn},
        }, source_name


def test_lambda_role_may_invoke_one_function(evaluation: Evaluation) -> None:
    source = evaluation.named("api-datasource-TaskFunction")
    assert source.inputs["type"] == "AWS_LAMBDA"
    assert source.inputs["lambdaConfig"] == {"functionArn": TASK_FUNCTION_ARN}
    policy = evaluation.named("api-datasource-TaskFunction-policy").inputs["policy"]
    assert grants(policy) == {("lambda:InvokeFunction", TASK_FUNCTION_ARN)}


def test_http_source_signs_with_sigv4_using_a_role_holding_the_given_statements(
    evaluation: Evaluation,
) -> None:
    source = evaluation.named("api-datasource-BedrockRuntime")
    assert source.inputs["type"] == "HTTP"
    assert source.inputs["httpConfig"] == {
        "endpoint": "https://bedrock-runtime.us-east-1.amazonaws.com",
        "authorizationConfig": {
            "authorizationType": "AWS_IAM",
            "awsIamConfig": {"signingRegion": "us-east-1", "signingServiceName": "bedrock"},
        },
    }
    policy = evaluation.named("api-datasource-BedrockRuntime-policy").inputs["policy"]
    assert grants(policy) == {("bedrock:InvokeModel", MODEL_ARN)}


def test_none_source_has_no_role(evaluation: Evaluation) -> None:
    source = evaluation.named("api-datasource-NoneDataSource")
    assert source.inputs["type"] == "NONE"
    assert "serviceRoleArn" not in source.inputs
    assert not [
        record for record in evaluation.resources if record.name.startswith("api-datasource-NoneDataSource-")
    ]


@pytest.mark.parametrize("source_name", ["NotesTable", "TaskFunction", "BedrockRuntime"])
def test_data_source_waits_for_its_role_policy(evaluation: Evaluation, source_name: str) -> None:
    source = evaluation.named(f"api-datasource-{source_name}")
    assert source.inputs["name"] == source_name
    assert f"api-datasource-{source_name}-policy" in source.dependencies
    role_prefix = f"arn:aws:iam::{ACCOUNT}:role/api-datasource-{source_name}-role-"
    assert source.inputs["serviceRoleArn"].startswith(role_prefix)


def test_lambda_source_waits_for_what_the_function_needs() -> None:
    """E.g. the function's table grant: until it exists, the first invocation would be AccessDenied."""

    def program() -> None:
        role = aws.iam.Role("task-role", assume_role_policy=service_trust_policy("lambda.amazonaws.com"))
        grant = attach_statements(
            "task-table-grant", role, [statement("Read", ["dynamodb:GetItem"], [NOTES_TABLE_ARN])], role
        )
        # An ARN that resolves only once the grant exists carries the grant as a dependency.
        function_arn = pulumi.Output.all(grant.id, TASK_FUNCTION_ARN).apply(lambda values: values[1])
        source = DataSource(function=LambdaSource(function_arn=function_arn))
        GraphqlApi("api", example_args(data_sources={"TaskFunction": source}, functions={}, resolvers={}))

    source = evaluate_component(program).named("api-datasource-TaskFunction")
    assert "task-table-grant" in source.dependencies
    assert source.inputs["lambdaConfig"] == {"functionArn": TASK_FUNCTION_ARN}


def test_outputs_expose_the_endpoints_and_the_schema(evaluation: Evaluation) -> None:
    outputs = evaluation.outputs
    assert outputs["graphqlUrl"].startswith("https://") and outputs["graphqlUrl"].endswith("/graphql")
    assert ".appsync-api.us-east-1.amazonaws.com" in outputs["graphqlUrl"]
    assert outputs["realtimeUrl"].startswith("wss://")
    assert ".appsync-realtime-api.us-east-1.amazonaws.com" in outputs["realtimeUrl"]
    assert outputs["schemaSdl"] == SCHEMA


TAGS = {"team": "notes", "stage": "test"}


def test_tags_reach_every_taggable_child() -> None:
    evaluation = evaluate_component(build_and_export(example_args(tags=TAGS)))
    children = list(evaluation.children_of("api"))
    tagged = {record.name for record in children if taggable(record.type)}
    assert tagged == {
        "api-api",
        "api-logs",
        "api-logs-role",
        "api-datasource-NotesTable-role",
        "api-datasource-TaskFunction-role",
        "api-datasource-BedrockRuntime-role",
    }
    for record in children:
        if record.name in tagged:
            assert record.inputs["tags"] == TAGS, record.name


def test_transforms_given_to_the_api_reach_its_children() -> None:
    transform, seen = tagging_transform("costCenter", "42")

    def program() -> None:
        GraphqlApi("api", example_args(tags=TAGS), pulumi.ResourceOptions(transforms=[transform]))

    evaluation = evaluate_with_engine_transforms(program)
    declared = {(record.type, record.name) for record in evaluation.resources}
    assert seen == declared
    assert {record_type for record_type, _ in declared} >= {
        "aws:appsync/graphQLApi:GraphQLApi",
        "aws:appsync/dataSource:DataSource",
        "aws:appsync/function:Function",
        "aws:appsync/resolver:Resolver",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:cloudwatch/logGroup:LogGroup",
    }
    tagged = [record for record in evaluation.resources if taggable(record.type)]
    assert len(tagged) == 6
    for record in tagged:
        assert record.inputs["tags"] == {**TAGS, "costCenter": "42"}, record.name
