"""ConversationRoute under Pulumi mocks: tables and keys, exact IAM, asynchronous invocation, resolver
wiring against the composed schema, and the environment contract with the handler."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import botocore.session
import pulumi
import pulumi_aws as aws
import pytest
from graphql import GraphQLObjectType

from genai_backend_components import iam
from genai_backend_components.bedrock import model_invoke_statements
from genai_backend_components.conversation import ConversationRoute
from genai_backend_components.conversation import ConversationModelSettings, ConversationRouteArgs
from genai_backend_components.conversation import RouteNames, compose_conversation_schema
from genai_backend_components.graphql import build_appsync_schema
from genai_backend_components.conversation.conversation_handler.settings import load_settings
from tests.policy_evaluator import is_allowed
from tests.support import evaluate_component
from tools.evaluate import Evaluation
from tools.fake_cloud import ACCOUNT_ID, FakeCloud

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
API_ID = "chatapi1234567890"
GRAPHQL_URL = f"https://{API_ID}.appsync-api.{REGION}.amazonaws.com/graphql"
BASE_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"
PROFILE_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:inference-profile/us.{BASE_MODEL}"
SCHEMA = compose_conversation_schema((ROOT / "resolvers" / "schema.graphql").read_text(), ["chat"])
BOTOCORE = botocore.session.get_session()


def route_args(**changes: Any) -> ConversationRouteArgs:
    args = ConversationRouteArgs(
        route="chat",
        api_id=API_ID,
        graphql_url=GRAPHQL_URL,
        schema_sdl=SCHEMA,
        region=REGION,
        account_id=ACCOUNT_ID,
        model=ConversationModelSettings(model_id=BASE_MODEL, system_prompt="Answer about football leagues."),
        handler_code_path=str(ROOT / "functions" / "conversation"),
        resolver_code_path=str(ROOT / "resolvers" / "conversation"),
        protect_data=False,
    )
    return replace(args, **changes)


def evaluate(**changes: Any) -> Evaluation:
    return evaluate_component(lambda: ConversationRoute("chat", route_args(**changes)), region=REGION)


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    return evaluate()


def policy(evaluation: Evaluation, name: str) -> dict[str, Any]:
    return json.loads(evaluation.named(name).inputs["policy"])


def test_tables_are_owner_scoped_and_indexed_for_their_reads(evaluation: Evaluation) -> None:
    conversations = evaluation.named("chat-conversations-table").inputs
    messages = evaluation.named("chat-messages-table").inputs
    assert (conversations["hashKey"], conversations["rangeKey"]) == ("owner", "id")
    [index] = conversations["globalSecondaryIndexes"]
    assert index["name"] == "byOwnerUpdatedAt"
    assert [(key["attributeName"], key["keyType"]) for key in index["keySchemas"]] == [
        ("owner", "HASH"),
        ("updatedAt", "RANGE"),
    ]
    assert "__typename" not in json.dumps(conversations)
    assert (messages["hashKey"], messages["rangeKey"]) == ("conversationId", "createdAtId")
    assert "globalSecondaryIndexes" not in messages
    # The index name in the resolver that queries it is the same one.
    assert "'byOwnerUpdatedAt'" in (ROOT / "resolvers" / "conversation" / "listConversations.js").read_text()


@pytest.mark.parametrize("protect", [True, False])
def test_protect_data_switches_both_tables(protect: bool) -> None:
    evaluation = evaluate(protect_data=protect)
    for table in ("chat-conversations-table", "chat-messages-table"):
        record = evaluation.named(table)
        assert record.inputs["deletionProtectionEnabled"] is protect
        assert record.inputs["pointInTimeRecovery"]["enabled"] is protect
        assert record.protect is protect and record.retain_on_delete is protect


def test_handler_role_can_do_exactly_what_the_handler_does(evaluation: Evaluation) -> None:
    def table_arn(logical: str) -> str:
        return rf"arn:aws:dynamodb:{REGION}:{ACCOUNT_ID}:table/{logical}-[0-9a-f]{{7}}"

    access = policy(evaluation, "chat-handler-conversation-access")
    statements = {statement["Sid"]: statement for statement in access["Statement"]}
    field_arn = f"arn:aws:appsync:{REGION}:{ACCOUNT_ID}:apis/{API_ID}/types/Mutation/fields/"
    assert statements["SendAnswers"]["Action"] == ["appsync:GraphQL"]
    assert statements["SendAnswers"]["Resource"] == [
        field_arn + "createAssistantResponseStreamChat",
        field_arn + "createAssistantResponseChat",
    ]
    # One table each (no index, no wildcard): the handler reads by key and by the table's own key.
    [conversations] = statements["ReadConversationOwner"]["Resource"]
    [messages] = statements["ReadHistory"]["Resource"]
    assert statements["ReadConversationOwner"]["Action"] == ["dynamodb:GetItem"]
    assert re.fullmatch(table_arn("chat-conversations-table"), conversations)
    assert statements["ReadHistory"]["Action"] == ["dynamodb:Query"]
    assert re.fullmatch(table_arn("chat-messages-table"), messages)
    assert set(statements) == {"ReadConversationOwner", "ReadHistory", "SendAnswers"}
    allowed = lambda action, resource: is_allowed(access, action, resource, {})  # noqa: E731
    assert allowed("appsync:GraphQL", field_arn + "createAssistantResponseChat")
    for forbidden in ("sendMessageChat", "createConversationChat", "deleteConversationChat"):
        assert not allowed("appsync:GraphQL", field_arn + forbidden)
    assert not allowed(
        "appsync:GraphQL", f"arn:aws:appsync:{REGION}:{ACCOUNT_ID}:apis/{API_ID}/types/Query/fields/x"
    )
    every_role_policy = [
        policy(evaluation, record.name)
        for record in evaluation.of_type("aws:iam/rolePolicy:RolePolicy")
        if record.name.startswith("chat-handler") or record.name == "chat-model-invoke"
    ]
    assert '"*"' not in json.dumps(every_role_policy)


def test_model_grant_is_streaming_only_and_through_the_profile(evaluation: Evaluation) -> None:
    grant = policy(evaluation, "chat-model-invoke")
    through_profile = {"bedrock:InferenceProfileArn": PROFILE_ARN}
    destination = f"arn:aws:bedrock:us-west-2::foundation-model/{BASE_MODEL}"
    assert is_allowed(grant, "bedrock:InvokeModelWithResponseStream", PROFILE_ARN, {})
    assert is_allowed(grant, "bedrock:InvokeModelWithResponseStream", destination, through_profile)
    # ConverseStream is all the handler calls: no InvokeModel, no direct (on-demand) model calls.
    assert not is_allowed(grant, "bedrock:InvokeModel", PROFILE_ARN, {})
    assert not is_allowed(grant, "bedrock:InvokeModelWithResponseStream", destination, {})
    assert {action for statement in grant["Statement"] for action in statement["Action"]} == {
        "bedrock:InvokeModelWithResponseStream"
    }


def test_model_grant_is_the_shared_bedrock_helper_for_the_same_inputs() -> None:
    def build() -> None:
        # The account as a stack gets it: an Output, known only once the cloud answers.
        account = aws.get_caller_identity_output().account_id
        ConversationRoute("chat", route_args(account_id=account))
        helper = model_invoke_statements(
            BASE_MODEL, "geo", REGION, account, streaming=True, synchronous=False
        )
        pulumi.export("shared_helper_policy", iam.policy_document(helper))

    evaluation = evaluate_component(build, region=REGION)
    assert policy(evaluation, "chat-model-invoke") == json.loads(evaluation.outputs["shared_helper_policy"])


def test_handler_is_invoked_asynchronously_without_retries(evaluation: Evaluation) -> None:
    handler_arn_prefix = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:chat-handler-function"
    invoke_config = evaluation.named("chat-async-invoke").inputs
    source = evaluation.named("chat-datasource-ConversationChatHandler").inputs
    invoke_step = evaluation.named("chat-function-ConversationChatInvokeHandler").inputs
    assert invoke_config["maximumRetryAttempts"] == 0
    assert invoke_config["functionName"].startswith("chat-handler-function")
    assert source["type"] == "AWS_LAMBDA"
    assert source["lambdaConfig"]["functionArn"].startswith(handler_arn_prefix)
    assert invoke_step["dataSource"] == "ConversationChatHandler"
    assert "invocationType: 'Event'" in invoke_step["code"]
    # The data source waits for the handler's permissions (no IAM race on the first turn).
    assert {"chat-model-invoke", "chat-handler-conversation-access"} <= set(
        evaluation.named("chat-datasource-ConversationChatHandler").dependencies
    )


def test_invoke_config_and_data_sources_match_the_aws_api_models(evaluation: Evaluation) -> None:
    lambda_model = BOTOCORE.get_service_model("lambda")
    retries = lambda_model.shape_for("MaximumRetryAttempts").metadata
    age = lambda_model.shape_for("MaximumEventAgeInSeconds").metadata
    invoke_config = evaluation.named("chat-async-invoke").inputs
    assert retries["min"] <= invoke_config["maximumRetryAttempts"] <= retries["max"]
    assert age["min"] <= invoke_config["maximumEventAgeInSeconds"] <= age["max"]
    kinds = set(BOTOCORE.get_service_model("appsync").shape_for("DataSourceType").enum)
    sources = evaluation.of_type("aws:appsync/dataSource:DataSource")
    assert {record.inputs["type"] for record in sources} == {"AMAZON_DYNAMODB", "AWS_LAMBDA", "NONE"} <= kinds


def _function_names_by_id(evaluation: Evaluation) -> dict[str, str]:
    """AppSync function id (as the fake cloud assigns it on creation) -> the function's AppSync name."""
    cloud = FakeCloud(REGION)
    names = {}
    for record in evaluation.of_type("aws:appsync/function:Function"):
        _, outputs = cloud.new_resource(
            pulumi.runtime.MockResourceArgs(record.type, record.name, record.inputs)
        )
        names[outputs["functionId"]] = record.inputs["name"]
    return names


def test_every_route_field_has_its_resolver_in_the_composed_schema(evaluation: Evaluation) -> None:
    schema = build_appsync_schema(SCHEMA)
    names = RouteNames.of("chat")
    route_fields = {
        ("Query", names.get_conversation), ("Query", names.list_conversations), ("Query", names.list_messages),
        ("Mutation", names.create_conversation), ("Mutation", names.update_conversation),
        ("Mutation", names.delete_conversation), ("Mutation", names.send_message),
        ("Mutation", names.assistant_response), ("Mutation", names.assistant_response_stream),
        ("Subscription", names.assistant_response_subscription),
    }  # fmt: skip
    resolvers = {
        (record.inputs["type"], record.inputs["field"]): record
        for record in evaluation.of_type("aws:appsync/resolver:Resolver")
    }
    assert set(resolvers) == route_fields
    for type_name, field_name in route_fields:
        graphql_type = schema.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType) and field_name in graphql_type.fields
    unit_sources = {field: record.inputs.get("dataSource") for (_, field), record in resolvers.items()}
    assert unit_sources[names.get_conversation] == "ConversationChatTable"
    assert unit_sources[names.assistant_response_stream] == "ConversationChatNone"
    function_names = _function_names_by_id(evaluation)
    steps = {
        field: [
            function_names[step].removeprefix("ConversationChat")
            for step in record.inputs["pipelineConfig"]["functions"]
        ]
        for (_, field), record in resolvers.items()
        if record.inputs["kind"] == "PIPELINE"
    }
    # Ownership is established before anything is read or written, and the handler starts last.
    assert steps == {
        names.list_messages: ["VerifyOwner", "QueryMessages"],
        names.send_message: ["TouchConversation", "WriteMessage", "InvokeHandler"],
        names.assistant_response: ["TouchConversation", "WriteMessage"],
        names.assistant_response_subscription: ["VerifyOwner"],
    }


def test_environment_is_exactly_what_the_handler_reads(evaluation: Evaluation) -> None:
    environment = evaluation.named("chat-handler-function").inputs["environment"]["variables"]
    settings = load_settings({**environment, "AWS_REGION": REGION})
    assert settings.model_id == f"us.{BASE_MODEL}"  # geo mode from us-east-1: the US profile
    assert settings.graphql_url == GRAPHQL_URL
    assert (settings.stream_mutation, settings.response_mutation) == (
        "createAssistantResponseStreamChat", "createAssistantResponseChat")  # fmt: skip
    schema = build_appsync_schema(SCHEMA)
    mutation = schema.get_type("Mutation")
    assert isinstance(mutation, GraphQLObjectType)
    for field_name, input_type in ((settings.stream_mutation, settings.stream_input_type),
                                   (settings.response_mutation, settings.response_input_type)):  # fmt: skip
        assert str(mutation.fields[field_name].args["input"].type) == f"{input_type}!"
    assert settings.conversations_table.startswith("chat-conversations-table")
    assert settings.messages_table.startswith("chat-messages-table")
    assert settings.temperature is None
    handler = evaluation.named("chat-handler-function").inputs
    assert handler["handler"] == "conversation.handler.handler"
    assert handler["runtime"] in BOTOCORE.get_service_model("lambda").shape_for("Runtime").enum


def test_children_belong_to_the_component(evaluation: Evaluation) -> None:
    direct = {record.name for record in evaluation.children_of("chat")}
    assert {
        "chat-conversations",
        "chat-messages",
        "chat-handler",
        "chat-model-invoke",
        "chat-async-invoke",
        "chat-cleanup",
        "chat-cleanup-trigger",
    } <= direct
    assert all(record.parent is not None for record in evaluation.resources if record.name != "chat")


PROBLEMS: list[tuple[Callable[[], ConversationRouteArgs], str]] = [
    (lambda: route_args(route="chat-room"), r"ConversationRouteArgs\.route: 'chat-room'"),
    (lambda: route_args(model=ConversationModelSettings(model_id="us." + BASE_MODEL, system_prompt="x")),
     r"ConversationRouteArgs\.model: .*inference-profile prefix"),
    (lambda: route_args(model=ConversationModelSettings(model_id=BASE_MODEL, system_prompt="x" * 3000)),
     r"model\.system_prompt: .*2048"),
    (lambda: route_args(model=ConversationModelSettings(model_id=BASE_MODEL, system_prompt="x", temperature=2)),
     r"model\.temperature: 2"),
    (lambda: route_args(batch_characters=0), r"batch_characters: 0"),
    (lambda: route_args(application_log_level="VERBOSE"), r"application_log_level: 'VERBOSE'"),
    (lambda: route_args(account_id="12345"), r"account_id: '12345'"),
    (lambda: route_args(schema_sdl=(ROOT / "resolvers" / "schema.graphql").read_text()),
     r"ConversationRouteArgs.*has no field 'getConversationChat'"),
    (lambda: route_args(handler_code_path=str(ROOT / "functions" / "missing")), r"handler_code_path: no handler.py"),
    (lambda: route_args(handler_code_path=str(ROOT / "functions" / "league")), r"handler_code_path: no cleanup.py"),
]  # fmt: skip


@pytest.mark.parametrize(("make_args", "message"), PROBLEMS)
def test_bad_arguments_fail_before_anything_is_declared(
    make_args: Callable[[], ConversationRouteArgs], message: str
) -> None:
    declared: list[Any] = []

    def build() -> None:
        declared.append(ConversationRoute("chat", make_args()))

    with pytest.raises(ValueError, match=message):
        evaluate_component(build, region=REGION)
    assert declared == []
