"""ConversationRoute under Pulumi mocks: tables and keys, exact IAM, asynchronous invocation, resolver
wiring against the composed schema, and the environment contract with the handler."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.session
import pulumi
import pulumi_aws as aws
import pytest
from graphql import GraphQLObjectType

from genai_backend_components import iam
from genai_backend_components.bedrock import model_invoke_statements
from genai_backend_components.conversation import (
    HANDLER_DIRECTORY,
    RESOLVER_DIRECTORY,
    ConversationModelSettings,
    ConversationRoute,
    ConversationRouteArgs,
    RouteNames,
    compose_conversation_schema,
)
from genai_backend_components.conversation.conversation_handler.settings import load_settings
from genai_backend_components.conversation.wiring import handler_caller_check_code
from genai_backend_components.function.packaging import code_members
from genai_backend_components.graphql import build_appsync_schema
from genai_backend_components.validation import InvalidArgsError
from tests.appsync_harness import AppSyncHarness, PipelineFunction, none_source
from tests.conversation_fakes import BASE_SCHEMA_SDL
from tests.policy_evaluator import is_allowed
from tests.support import evaluate_component
from tests.transforms import (
    assert_transform_reaches_every_child,
    evaluate_with_engine_transforms,
    tagging_transform,
)
from tools.evaluate import Evaluation
from tools.fake_cloud import ACCOUNT_ID, FakeCloud

REGION = "us-east-1"
API_ID = "chatapi1234567890"
GRAPHQL_URL = f"https://{API_ID}.appsync-api.{REGION}.amazonaws.com/graphql"
BASE_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"
PROFILE_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT_ID}:inference-profile/us.{BASE_MODEL}"
SCHEMA = compose_conversation_schema(BASE_SCHEMA_SDL, ["chat"])
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
        protect_data=False,
    )
    return {**args, **changes}  # type: ignore[typeddict-item]


def evaluate(opts: pulumi.ResourceOptions | None = None, **changes: Any) -> Evaluation:
    return evaluate_component(
        lambda: ConversationRoute("chat", route_args(**changes), opts=opts), region=REGION
    )


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
    assert "'byOwnerUpdatedAt'" in (RESOLVER_DIRECTORY / "listConversations.js").read_text()


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
    function_names = _function_names_by_id(evaluation)
    steps = {
        field: [
            function_names[step].removeprefix("ConversationChat")
            for step in record.inputs["pipelineConfig"]["functions"]
        ]
        for (_, field), record in resolvers.items()
        if record.inputs["kind"] == "PIPELINE"
    }
    # Ownership is established before anything is read or written, and the handler starts last, after the
    # step that hands it the route's data tools. Only the handler's role passes the answer mutations' first
    # step, before anything is read, written or published.
    assert steps == {
        names.list_messages: ["VerifyOwner", "QueryMessages"],
        names.send_message: ["TouchConversation", "WriteMessage", "ToolSettings", "InvokeHandler"],
        names.assistant_response: ["VerifyHandlerCaller", "TouchConversation", "WriteMessage"],
        names.assistant_response_stream: ["VerifyHandlerCaller"],
        names.assistant_response_subscription: ["VerifyOwner"],
    }


def _handler_role_name(evaluation: Evaluation) -> str:
    """The handler role's physical name, as the fake cloud assigns it on creation."""
    record = evaluation.named("chat-handler-role")
    _, outputs = FakeCloud(REGION).new_resource(
        pulumi.runtime.MockResourceArgs(record.type, record.name, record.inputs)
    )
    return str(outputs["name"])


def test_answer_mutations_start_with_a_check_generated_for_the_handler_role(
    evaluation: Evaluation, tmp_path: Path
) -> None:
    role_name = _handler_role_name(evaluation)
    declared = evaluation.named("chat-function-ConversationChatVerifyHandlerCaller").inputs
    code = declared["code"]
    assert declared["dataSource"] == "ConversationChatNone" and declared["runtime"]["name"] == "APPSYNC_JS"
    assert code == handler_caller_check_code("aws", ACCOUNT_ID, role_name)
    prefix_line = (
        f'const HANDLER_ROLE_SESSION_ARN_PREFIX = "arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role_name}/";'
    )
    template = (RESOLVER_DIRECTORY / "verifyHandlerCaller.function.js").read_text().splitlines()
    [changed] = [index for index, (ours, packaged) in enumerate(zip(code.splitlines(), template, strict=True))
                 if ours != packaged]  # fmt: skip
    assert code.splitlines()[changed] == prefix_line
    # The deployed code, run as AppSync runs the stream mutation: the handler's sessions pass, another role
    # of the account does not.
    (tmp_path / "check.js").write_text(code)
    part = {"conversationId": "c", "associatedUserMessageId": "m", "owner": "o", "contentBlockText": "hi"}
    with AppSyncHarness() as harness:

        def publish(user_arn: str) -> str | None:
            return harness.run_pipeline(
                RESOLVER_DIRECTORY / "createAssistantResponseStream.js",
                [PipelineFunction(tmp_path / "check.js", none_source())],
                arguments={"input": part},
                identity={"accountId": ACCOUNT_ID, "userArn": user_arn},
            ).error_type

        assert publish(f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role_name}/chat-handler-function") is None
        assert (
            publish(f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/other-role/chat-handler-function")
            == "Unauthorized"
        )
    # A function of the account and the role's name only: the same on every synth.
    again = evaluate().named("chat-function-ConversationChatVerifyHandlerCaller").inputs["code"]
    assert again == code


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
    assert (settings.max_tool_iterations, settings.executable_tools_module) == (5, None)
    handler = evaluation.named("chat-handler-function").inputs
    assert handler["handler"] == "conversation_handler.handler.handler"
    assert handler["runtime"] in BOTOCORE.get_service_model("lambda").shape_for("Runtime").enum


def _archive_digest(members: dict[str, Path]) -> str:
    """The digest tools/evaluate.py records for an archive of these members (each file by its sha256)."""
    assets = {
        name: {"asset": hashlib.sha256(path.read_bytes()).hexdigest()} for name, path in members.items()
    }
    return hashlib.sha256(json.dumps(assets, sort_keys=True).encode()).hexdigest()


def test_both_functions_ship_exactly_the_packaged_handler(evaluation: Evaluation) -> None:
    members = code_members(HANDLER_DIRECTORY, "conversation_handler")
    assert {"conversation_handler/handler.py", "conversation_handler/cleanup.py"} <= set(members)
    assert all(name.startswith("conversation_handler/") for name in members)
    expected = {"archive": _archive_digest(members)}
    for function in ("chat-handler-function", "chat-cleanup-function"):
        assert evaluation.named(function).inputs["code"] == expected, function


def test_the_handler_package_imports_on_its_own_as_lambda_loads_it(tmp_path: Path) -> None:
    """Only the archive's files and the runtime's boto3: the library itself is not there in Lambda."""
    for name, source in code_members(HANDLER_DIRECTORY, "conversation_handler").items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, tmp_path / name)
    script = (
        "import sys; sys.modules['genai_backend_components'] = None\n"
        "import conversation_handler.handler as h, conversation_handler.cleanup as c\n"
        "print(h.__file__, c.__file__, callable(h.handler), callable(c.handler), h.logger.name)"
    )
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=environment, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    handler_file, cleanup_file, *flags, logger_name = completed.stdout.split()
    assert Path(handler_file) == tmp_path / "conversation_handler" / "handler.py"
    assert Path(cleanup_file) == tmp_path / "conversation_handler" / "cleanup.py"
    assert flags == ["True", "True"]
    assert logger_name == "conversation_handler.handler"


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
        "chat-cleanup-failures",
    } <= direct
    assert all(record.parent is not None for record in evaluation.resources if record.name != "chat")
    # The library's type token, answering to 0.1's so a deployed stack adopts its resources.
    component = evaluation.named("chat")
    assert component.type == "genai-backend:index:ConversationRoute"
    assert {"type": "genai:index:ConversationRoute"} in component.aliases


def _model(**changes: Any) -> ConversationModelSettings:
    settings = ConversationModelSettings(model_id=BASE_MODEL, system_prompt="x")
    return {**settings, **changes}  # type: ignore[typeddict-item]


PROBLEMS = [
    pytest.param(lambda: route_args(route="chat-room"), {"route": "'chat-room' is not allowed"}, id="route"),
    pytest.param(
        lambda: route_args(route="bad-name"),
        {"route": "'bad-name' is not allowed; use 1-40 letters"},
        id="route2",
    ),
    pytest.param(
        lambda: route_args(model=_model(model_id="us." + BASE_MODEL)),
        {"model.model_id": "already carries the inference-profile prefix 'us'"},
        id="profile-id",
    ),
    pytest.param(
        lambda: route_args(model=_model(system_prompt="x" * 3000)),
        {"model.system_prompt": "at most 2,048 bytes of UTF-8 (got 3,000)"},
        id="prompt-characters",
    ),
    # 1,025 characters but 2,050 bytes: the limit is what the handler's environment holds, in bytes.
    pytest.param(
        lambda: route_args(model=_model(system_prompt="é" * 1025)),
        {"model.system_prompt": "at most 2,048 bytes of UTF-8 (got 2,050)"},
        id="prompt-bytes",
    ),
    pytest.param(
        lambda: route_args(model=_model(temperature=2)),
        {"model.temperature": "is not a number from 0 to 1"},
        id="temperature",
    ),
    pytest.param(
        lambda: route_args(model=_model(geography="jp")),
        {"model.geography": "no profiles callable from region 'us-east-1'"},
        id="geography",
    ),
    pytest.param(
        lambda: route_args(batch_characters=0),
        {"batch_characters": "0 is not a whole number from 1"},
        id="batch",
    ),
    pytest.param(
        lambda: route_args(application_log_level="VERBOSE"),
        {"application_log_level": "'VERBOSE' is not one of"},
        id="log-level",
    ),
    pytest.param(
        lambda: route_args(account_id="12345"),
        {"account_id": "'12345' is not a 12-digit AWS account id"},
        id="account",
    ),
    pytest.param(lambda: route_args(tags={"team": 7}), {"tags['team']": "must be text"}, id="tags"),
    # A schema without the route's fields: the base itself, not composed.
    pytest.param(
        lambda: route_args(schema_sdl=BASE_SCHEMA_SDL),
        {"schema_sdl": "has no field 'getConversationChat'"},
        id="schema",
    ),
    # 0.1's code-path args: the handler and the resolvers ship in the package now.
    pytest.param(
        lambda: route_args(
            handler_code_path="functions/conversation", resolver_code_path="resolvers/conversation"
        ),
        {"handler_code_path": "is not a known arg", "resolver_code_path": "is not a known arg"},
        id="removed-args",
    ),
    # Every problem at once, each at its own path.
    pytest.param(
        lambda: route_args(route="bad-name", model=_model(system_prompt="x" * 3000), batch_characters=0),
        {
            "route": "is not allowed",
            "model.system_prompt": "2,048 bytes",
            "batch_characters": "from 1 to 100000",
        },
        id="several",
    ),
]


@pytest.mark.parametrize(("make_args", "expected"), PROBLEMS)
def test_bad_arguments_fail_before_anything_is_declared(
    make_args: Callable[[], ConversationRouteArgs], expected: dict[str, str]
) -> None:
    raised: list[InvalidArgsError] = []

    def build() -> None:
        with pytest.raises(InvalidArgsError) as error:
            ConversationRoute("chat", make_args())
        raised.append(error.value)

    evaluation = evaluate_component(build, region=REGION)
    [error] = raised
    assert error.args_name == "ConversationRouteArgs"
    assert str(error).startswith("ConversationRouteArgs has ")
    assert {problem.path for problem in error.problems} == set(expected)
    for path, words in expected.items():
        messages = [problem.message for problem in error.problems if problem.path == path]
        assert any(words in message for message in messages), (path, messages)
    # Checked before the component registered itself: not even the component reached the engine.
    assert evaluation.resources == []


TAGS = {"team": "assistants", "cost-center": "42"}
TAGGED = (
    "chat-conversations-table", "chat-messages-table",  # tables
    "chat-handler-function", "chat-handler-role", "chat-handler-logs",  # the handler, its role and logs
    "chat-cleanup-function", "chat-cleanup-role", "chat-cleanup-logs",  # the cleanup, its role and logs
    "chat-cleanup-failures",  # the queue
)  # fmt: skip


@pytest.mark.parametrize("as_output", [False, True], ids=["known", "output"])
def test_tags_reach_the_tables_functions_and_queue(as_output: bool) -> None:
    def build() -> None:
        tags = pulumi.Output.from_input(TAGS) if as_output else TAGS
        ConversationRoute("chat", route_args(tags=tags))

    evaluation = evaluate_component(build, region=REGION)
    for name in TAGGED:
        assert evaluation.named(name).inputs.get("tags") == TAGS, name
    # Nothing carries other tags, and without the arg nothing is tagged at all.
    assert all(record.inputs.get("tags", TAGS) == TAGS for record in evaluation.resources)
    untagged = evaluate()
    assert [record.name for record in untagged.resources if record.inputs.get("tags")] == []


def test_a_transforms_option_reaches_every_child() -> None:
    transform, seen = tagging_transform("costCenter", "42")
    evaluation = evaluate_with_engine_transforms(
        lambda: ConversationRoute("chat", route_args(), opts=pulumi.ResourceOptions(transforms=[transform])),
        region=REGION,
    )
    assert {
        "aws:dynamodb/table:Table", "aws:lambda/function:Function", "aws:sqs/queue:Queue",
        "aws:lambda/eventSourceMapping:EventSourceMapping", "aws:iam/rolePolicy:RolePolicy",
        "aws:appsync/dataSource:DataSource", "aws:appsync/function:Function", "aws:appsync/resolver:Resolver",
    } <= {kind for kind, _ in seen}  # fmt: skip
    assert_transform_reaches_every_child(evaluation, seen)
