"""LoggedFunction under mocks: logging wiring, least-privilege role, deterministic archive, validation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from moto.iam.access_control import IAMPolicy, PermissionResult

from genai_backend_components import InvalidArgsError
from genai_backend_components.function import LoggedFunction, LoggedFunctionArgs, code_members
from genai_backend_components.iam import attach_statements, service_trust_policy, statement
from tests.support import evaluate_component
from tests.transforms import evaluate_with_engine_transforms, taggable, tagging_transform
from tools.evaluate import Evaluation

ROOT = Path(__file__).resolve().parents[2]
LEAGUE_CODE = ROOT / "functions" / "league"
LEAGUE_HANDLER = "league.handler.handler"
NAME = "league"


def _args(**overrides: Any) -> LoggedFunctionArgs:
    fields: dict[str, Any] = {"code_path": str(LEAGUE_CODE), "handler": LEAGUE_HANDLER}
    return LoggedFunctionArgs(**{**fields, **overrides})


def _evaluate(args: LoggedFunctionArgs, opts: pulumi.ResourceOptions | None = None) -> Evaluation:
    def program() -> None:
        function = LoggedFunction(NAME, args, opts)
        pulumi.export("functionArn", function.arn)
        pulumi.export("logGroupArn", function.log_group.arn)

    return evaluate_component(program)


def _policy(evaluation: Evaluation, name: str) -> dict[str, Any]:
    return json.loads(evaluation.named(name).inputs["policy"])


@pytest.fixture(scope="module")
def default_evaluation() -> Evaluation:
    return _evaluate(_args(environment={"LEAGUE_TABLE_NAME": "leagues"}))


def test_logging_is_json_with_info_levels_into_the_explicit_group(default_evaluation: Evaluation) -> None:
    function = default_evaluation.named(f"{NAME}-function").inputs
    group_name = function["loggingConfig"]["logGroup"]
    assert function["loggingConfig"] == {
        "logFormat": "JSON",
        "applicationLogLevel": "INFO",
        "systemLogLevel": "INFO",
        "logGroup": group_name,
    }
    assert group_name.startswith(f"{NAME}-logs-")
    assert function["runtime"] == "python3.13"
    assert function["architectures"] == ["arm64"]
    assert function["environment"] == {"variables": {"LEAGUE_TABLE_NAME": "leagues"}}


def test_requested_levels_are_passed_through() -> None:
    evaluation = _evaluate(_args(application_log_level="DEBUG", system_log_level="WARN"))
    logging_config = evaluation.named(f"{NAME}-function").inputs["loggingConfig"]
    assert (logging_config["applicationLogLevel"], logging_config["systemLogLevel"]) == ("DEBUG", "WARN")


def test_text_format_sends_no_levels() -> None:
    evaluation = _evaluate(_args(log_format="Text"))
    logging_config = evaluation.named(f"{NAME}-function").inputs["loggingConfig"]
    assert set(logging_config) == {"logFormat", "logGroup"}
    assert logging_config["logFormat"] == "Text"


def test_log_group_has_retention_and_exists_before_the_function(default_evaluation: Evaluation) -> None:
    assert default_evaluation.named(f"{NAME}-logs").inputs == {"retentionInDays": 14}
    assert _evaluate(_args(log_retention_days=365)).named(f"{NAME}-logs").inputs["retentionInDays"] == 365
    dependencies = default_evaluation.named(f"{NAME}-function").dependencies
    # The group and the permission to write into it must both exist before the first invocation.
    assert {f"{NAME}-logs", f"{NAME}-logging", f"{NAME}-role"} <= set(dependencies)


def test_role_may_write_only_to_its_own_log_group(default_evaluation: Evaluation) -> None:
    group_arn = default_evaluation.outputs["logGroupArn"]
    document = _policy(default_evaluation, f"{NAME}-logging")
    assert [statement["Resource"] for statement in document["Statement"]] == [[f"{group_arn}:*"]]
    policy = IAMPolicy(json.dumps(document))
    allowed = PermissionResult.PERMITTED
    assert policy.is_action_permitted("logs:PutLogEvents", f"{group_arn}:log-stream:2026/01/01/x") == allowed
    assert policy.is_action_permitted("logs:CreateLogStream", f"{group_arn}:log-stream:x") == allowed
    other_group = group_arn.rsplit(":", 1)[0] + ":someone-else"
    assert policy.is_action_permitted("logs:PutLogEvents", f"{other_group}:log-stream:x") != allowed
    assert policy.is_action_permitted("logs:CreateLogGroup", "*") != allowed


def test_role_trusts_lambda_and_carries_no_managed_or_wildcard_grants(default_evaluation: Evaluation) -> None:
    role = default_evaluation.named(f"{NAME}-role").inputs
    trust = json.loads(role["assumeRolePolicy"])["Statement"]
    assert [statement["Principal"] for statement in trust] == [{"Service": "lambda.amazonaws.com"}]
    assert "managedPolicyArns" not in role
    assert not default_evaluation.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    for record in default_evaluation.of_type("aws:iam/rolePolicy:RolePolicy"):
        for granted in json.loads(record.inputs["policy"])["Statement"]:
            assert "*" not in granted["Resource"], record.name
            assert not any(action.endswith("*") for action in granted["Action"]), record.name


def test_tracing_adds_only_the_two_xray_write_actions() -> None:
    evaluation = _evaluate(_args(tracing_mode="Active"))
    assert evaluation.named(f"{NAME}-function").inputs["tracingConfig"] == {"mode": "Active"}
    statements = _policy(evaluation, f"{NAME}-tracing")["Statement"]
    assert [(s["Action"], s["Resource"]) for s in statements] == [
        (["xray:PutTelemetryRecords", "xray:PutTraceSegments"], ["*"])
    ]
    untraced = _evaluate(_args())
    assert "tracingConfig" not in untraced.named(f"{NAME}-function").inputs
    assert f"{NAME}-tracing" not in {record.name for record in untraced.resources}


def test_optional_settings_reach_the_function() -> None:
    layer = "arn:aws:lambda:us-east-1:123456789012:layer:league-deps:3"
    evaluation = _evaluate(_args(memory_size=512, timeout=20, reserved_concurrency=5, layers=[layer]))
    inputs = evaluation.named(f"{NAME}-function").inputs
    assert (inputs["memorySize"], inputs["timeout"], inputs["reservedConcurrentExecutions"]) == (512, 20, 5)
    assert inputs["layers"] == [layer]


def test_invoke_statement_allows_invoking_exactly_this_function() -> None:
    def program() -> None:
        function = LoggedFunction(NAME, _args())
        caller = aws.iam.Role("caller", assume_role_policy=service_trust_policy("appsync.amazonaws.com"))
        attach_statements("caller-invoke", caller, [function.invoke_statement("InvokeLeague")], parent=caller)
        pulumi.export("functionArn", function.arn)

    evaluation = evaluate_component(program)
    function_arn = evaluation.outputs["functionArn"]
    policy = IAMPolicy(evaluation.named("caller-invoke").inputs["policy"])
    assert policy.is_action_permitted("lambda:InvokeFunction", function_arn) == PermissionResult.PERMITTED
    assert (
        policy.is_action_permitted("lambda:InvokeFunction", function_arn + "-other")
        != PermissionResult.PERMITTED
    )
    assert policy.is_action_permitted("lambda:UpdateFunctionCode", function_arn) != PermissionResult.PERMITTED


def test_grant_attaches_an_inline_policy_to_the_function_role() -> None:
    def program() -> None:
        function = LoggedFunction(NAME, _args())
        table_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/t"
        function.grant("read-leagues", [statement("Read", ["dynamodb:GetItem"], [table_arn])])

    evaluation = evaluate_component(program)
    grant = evaluation.named(f"{NAME}-read-leagues")
    assert grant.parent == NAME
    assert grant.inputs["role"] == evaluation.named(f"{NAME}-function").inputs["role"].rsplit("/", 1)[1]


@pytest.fixture
def demo_code(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "app.py").write_text("def handler(event, context):\n    return event\n")
    return folder


def _archive_hash(code_path: Path) -> str:
    args = LoggedFunctionArgs(code_path=str(code_path), handler="demo.app.handler")
    return _evaluate(args).named(f"{NAME}-function").inputs["code"]["archive"]


def test_archive_is_stable_and_ignores_caches_tests_and_dotfiles(demo_code: Path) -> None:
    first = _archive_hash(demo_code)
    assert _archive_hash(demo_code) == first
    (demo_code / "__pycache__").mkdir()
    (demo_code / "__pycache__" / "app.cpython-313.pyc").write_bytes(b"\x00compiled")
    (demo_code / "tests").mkdir()
    (demo_code / "tests" / "test_app.py").write_text("def test(): pass\n")
    (demo_code / ".env").write_text("SECRET=1\n")
    (demo_code / "requirements.txt").write_text("pydantic==2.14.4\n")
    assert _archive_hash(demo_code) == first
    (demo_code / "app.py").write_text("def handler(event, context):\n    return None\n")
    assert _archive_hash(demo_code) != first


def test_archive_members_sit_under_the_package_folder(demo_code: Path) -> None:
    (demo_code / "sub").mkdir()
    (demo_code / "sub" / "util.py").write_text("")
    assert list(code_members(demo_code, "demo")) == ["demo/__init__.py", "demo/app.py", "demo/sub/util.py"]
    shipped = code_members(LEAGUE_CODE, "league")
    assert "league/handler.py" in shipped
    assert not [name for name in shipped if "__pycache__" in name or not name.endswith(".py")]


def test_protect_and_retain_on_delete_reach_every_child() -> None:
    protected = _evaluate(_args(), pulumi.ResourceOptions(protect=True, retain_on_delete=True))
    for child in ("role", "logs", "logging", "function"):
        record = protected.named(f"{NAME}-{child}")
        assert (record.protect, record.retain_on_delete) == (True, True), child
    unprotected = _evaluate(_args()).named(f"{NAME}-function")
    assert (unprotected.protect, unprotected.retain_on_delete) == (False, False)


@pytest.mark.parametrize(
    ("overrides", "path", "words"),
    [
        ({"log_format": "Text", "application_log_level": "INFO"}, "application_log_level", "log_format Text"),
        ({"log_format": "Text", "system_log_level": "WARN"}, "system_log_level", "log_format Text"),
        ({"application_log_level": "VERBOSE"}, "application_log_level", "'VERBOSE' is not one of TRACE"),
        ({"system_log_level": "ERROR"}, "system_log_level", "'ERROR' is not one of DEBUG, INFO, WARN"),
        ({"log_format": "json"}, "log_format", "'json' is not one of JSON, Text"),
        ({"environment": {"1BAD": "x"}}, "environment['1BAD']", "must match [a-zA-Z][a-zA-Z0-9_]+"),
        ({"environment": {"has-dash": "x"}}, "environment['has-dash']", "must match"),
        ({"environment": {"AWS_REGION": "us-east-1"}}, "environment['AWS_REGION']", "reserved by the Lambda"),
        ({"environment": {"TABLE": 1}}, "environment['TABLE']", "must be text (got 1)"),
        ({"runtime": "python3.12"}, "runtime", "'python3.12' is not one of python3.13"),
        ({"log_retention_days": 10}, "log_retention_days", "10 is not a retention CloudWatch Logs accepts"),
        ({"log_retention_days": True}, "log_retention_days", "must be a whole number (got True)"),
        ({"memory_size": 64}, "memory_size", "64 is not a whole number from 128 to 10240"),
        ({"timeout": 901}, "timeout", "901 is not a whole number from 1 to 900"),
        ({"timeout": True}, "timeout", "must be a whole number (got True)"),
        ({"reserved_concurrency": -1}, "reserved_concurrency", "-1 is not a whole number from 0"),
        ({"tracing_mode": "On"}, "tracing_mode", "'On' is not one of Active, PassThrough"),
        ({"layers": [f"arn:{n}" for n in range(6)]}, "layers", "at most 5 items"),
        ({"handler": "league.missing.handler"}, "handler", "naming a shipped module"),
        ({"code_path": "does/not/exist"}, "code_path", "'does/not/exist' is not a folder"),
        ({"tags": {"team": 7}}, "tags['team']", "must be text (got 7)"),
        ({"memory": 512}, "memory", "is not a known arg; did you mean 'memory_size'?"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_declared(
    overrides: dict[str, Any], path: str, words: str
) -> None:
    errors: list[InvalidArgsError] = []

    def program() -> None:
        try:
            LoggedFunction(NAME, _args(**overrides))
        except InvalidArgsError as error:
            errors.append(error)

    evaluation = evaluate_component(program)
    assert evaluation.resources == []
    (error,) = errors
    assert [problem.path for problem in error.problems] == [path], error
    assert words in error.problems[0].message
    assert str(error).startswith("LoggedFunctionArgs has 1 invalid value:")


def test_code_path_folder_must_be_a_python_package_name(tmp_path: Path, demo_code: Path) -> None:
    renamed = tmp_path / "not-a-package"
    shutil.copytree(demo_code, renamed)
    with pytest.raises(InvalidArgsError) as error:
        LoggedFunction(NAME, LoggedFunctionArgs(code_path=str(renamed), handler="demo.app.handler"))
    ((path, message),) = error.value.problems
    assert path == "code_path"
    assert message.startswith("folder name 'not-a-package' must be a Python identifier")


TAGS = {"team": "league", "stage": "test"}


def test_tags_reach_every_taggable_child() -> None:
    evaluation = _evaluate(_args(tags=TAGS, tracing_mode="Active"))
    children = list(evaluation.children_of(NAME))
    tagged = {record.name for record in children if taggable(record.type)}
    assert tagged == {f"{NAME}-role", f"{NAME}-logs", f"{NAME}-function"}
    for record in children:
        if record.name in tagged:
            assert record.inputs["tags"] == TAGS, record.name


def test_transforms_given_to_the_function_reach_its_children() -> None:
    transform, seen = tagging_transform("costCenter", "42")
    options = pulumi.ResourceOptions(transforms=[transform])
    evaluation = evaluate_with_engine_transforms(lambda: LoggedFunction(NAME, _args(tags=TAGS), options))
    declared = {(record.type, record.name) for record in evaluation.resources}
    assert seen == declared
    assert {name for _, name in declared} == {
        NAME,
        *(f"{NAME}-{child}" for child in ("role", "logs", "logging", "function")),
    }
    for child in ("role", "logs", "function"):
        assert evaluation.named(f"{NAME}-{child}").inputs["tags"] == {**TAGS, "costCenter": "42"}, child
    # Only the tags changed: the code still arrives as the same archive.
    plain = _evaluate(_args(tags=TAGS)).named(f"{NAME}-function").inputs
    assert evaluation.named(f"{NAME}-function").inputs == {**plain, "tags": {**TAGS, "costCenter": "42"}}
