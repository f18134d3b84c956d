"""The generation route's resolvers, run in Node as AppSync would, against Bedrock-shaped HTTP answers.

The pipeline runs exactly as deployed: pipeline.js, the settings step generated from the route's args (the same
code the component deploys), then invokeConverse.js on an HTTP data source. The HTTP executor checks each request
against botocore's bedrock-runtime model (path, method, body shape), and every canned success body is checked
against botocore's ConverseResponse shape, so neither side can drift from what Bedrock really accepts and returns.
The answer the model gives is held to the field's declared return type: anything else is a typed error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ParamValidationError
from botocore.validate import validate_parameters

from genai_backend_components.generation import (
    INVOKE_CONVERSE_CODE,
    PIPELINE_CODE,
    TOOL_NAME,
    GenerationRouteArgs,
    GenerationRouteModel,
    schema_with_generation,
)
from genai_backend_components.validation import check_args
from tests.appsync_harness import (
    DEFAULT_EXECUTORS,
    AppSyncHarness,
    DataSource,
    DataSourceOutcome,
    DataSourceRequestError,
    PipelineFunction,
    ResolverRun,
    none_source,
)

CONVERSE = botocore.session.get_session().get_service_model("bedrock-runtime").operation_model("Converse")
STOP_REASONS = set(CONVERSE.output_shape.members["stopReason"].enum)
CONVERSE_PATH = re.compile(r"^/model/(?P<model>[^/]+)/converse$")
IDENTITY = {"sub": "1f2e3d4c-0000-4000-8000-000000000001", "username": "ana", "claims": {}}
REQUIREMENT = "Which teams in the 2024 Premier League improved most after January?"
INSIGHTS = {"insights": "Two clubs climbed after January: Club A by nine places, Club B by six."}
BASE = "type Query { ping: String }"
SCHEMA = schema_with_generation(
    schema_with_generation(
        BASE,
        "generateInsights",
        {"requirement": "String!"},
        "GenerateInsightsReturnType",
        types_sdl="type GenerateInsightsReturnType @aws_cognito_user_pools { insights: String! }",
    ),
    "scoutReport",
    {"club": "String!", "season": "Int"},
    "ScoutReport!",
    types_sdl="""
enum Verdict { SIGN WATCH PASS }
type Player @aws_cognito_user_pools { name: String! age: Int! rating: Float verdict: Verdict! }
type ScoutReport @aws_cognito_user_pools {
  players: [Player!]!
  topScorer: Player
  onBudget: Boolean!
  notes: [String]
  extra: AWSJSON
}
""",
)
DEV = GenerationRouteArgs(
    api_id="api",
    schema_sdl=SCHEMA,
    field_name="generateInsights",
    region="us-east-1",
    account_id="123456789012",
    model_id="amazon.nova-lite-v1:0",
    inference_mode="geo",
    system_prompt="You analyse football league tables for fans.",
    max_tokens=400,
    temperature=0.2,
)
PROD: GenerationRouteArgs = {
    **DEV,
    "region": "eu-west-1",
    "model_id": "anthropic.claude-haiku-4-5-20251001-v1:0",
    "inference_mode": "global",
    "system_prompt": "You are a careful sports analyst.",
    "max_tokens": 900,
    "temperature": 0.6,
    "top_p": 0.9,
}
SCOUT: GenerationRouteArgs = {**DEV, "field_name": "scoutReport"}
PLAYER = {"name": "Ada", "age": 21, "rating": 7.5, "verdict": "SIGN"}
REPORT = {"players": [PLAYER], "topScorer": None, "onBudget": True, "notes": ["fast", None], "extra": None}
BRIEF_ERROR_TYPES = {
    "ThrottlingException": "Throttled",
    "ValidationException": "ValidationError",
    "AccessDeniedException": "Unauthorized",
    "ModelTimeoutException": "ModelUnavailable",
    "ServiceUnavailableException": "ModelUnavailable",
}
"""The mapping the route promises its clients; every other Bedrock error is ModelError."""


def converse_body(content: list[dict[str, Any]], stop_reason: str) -> str:
    """A Converse response body as Bedrock sends it, rejected unless botocore's model allows it."""
    assert stop_reason in STOP_REASONS
    body = {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 412, "outputTokens": 96, "totalTokens": 508},
        "metrics": {"latencyMs": 1834},
    }
    validate_parameters(body, CONVERSE.output_shape)
    return json.dumps(body)


def tool_answer(tool_input: Any, name: str = TOOL_NAME) -> dict[str, Any]:
    block = {"toolUse": {"toolUseId": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "name": name, "input": tool_input}}
    return {"statusCode": 200, "headers": {}, "body": converse_body([block], "tool_use")}


def text_answer(text: str, stop_reason: str = "end_turn") -> dict[str, Any]:
    return {"statusCode": 200, "headers": {}, "body": converse_body([{"text": text}], stop_reason)}


def bedrock_error(status: int, exception: str | None, message: str) -> dict[str, Any]:
    """A Bedrock error as the HTTP data source hands it over: status, x-amzn-ErrorType, {"message"}."""
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": "4e0c1b5a-8f1d-4b8e-9d55-1f0a3c2b7e61"}
    if exception is not None:
        headers["x-amzn-ErrorType"] = f"{exception}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    return {"statusCode": status, "headers": headers, "body": json.dumps({"message": message})}


def execute_bedrock(source: DataSource, request: dict[str, Any]) -> DataSourceOutcome:
    """HTTP data source to Bedrock runtime: checks the request as Bedrock would, then replies as configured."""
    unknown = set(request) - {"method", "resourcePath", "params", "version"}
    if unknown:
        raise DataSourceRequestError(f"{source.name}: unknown HTTP request fields {sorted(unknown)}")
    path = CONVERSE_PATH.match(str(request.get("resourcePath")))
    if request.get("method") != CONVERSE.http["method"] or path is None:
        raise DataSourceRequestError(f"{source.name}: not a Converse call: {request}")
    headers = {key.lower(): value for key, value in request["params"].get("headers", {}).items()}
    if headers.get("content-type") != "application/json":
        raise DataSourceRequestError(f"{source.name}: Converse needs a JSON content type, got {headers}")
    body = request["params"].get("body")
    if not isinstance(body, dict):
        raise DataSourceRequestError(f"{source.name}: body must be a JSON object, got {body!r}")
    try:
        validate_parameters({**body, "modelId": path["model"]}, CONVERSE.input_shape)
    except ParamValidationError as invalid:
        raise DataSourceRequestError(f"{source.name}: Bedrock would reject the body: {invalid}") from invalid
    if "failure" in source.config:
        return DataSourceOutcome(error=dict(source.config["failure"]))
    return DataSourceOutcome(result=source.config["reply"])


def bedrock_source(reply: Mapping[str, Any]) -> DataSource:
    """Replies with ``reply``; a reply holding only ``failure`` makes AppSync's call itself fail (ctx.error)."""
    config = {"failure": reply["failure"]} if "failure" in reply else {"reply": dict(reply)}
    return DataSource(kind="HTTP", name="GenerationBedrockDataSource", config=config)


@pytest.fixture(scope="module")
def harness() -> Iterator[AppSyncHarness]:
    with AppSyncHarness(executors={**DEFAULT_EXECUTORS, "HTTP": execute_bedrock}) as running:
        yield running


@pytest.fixture(scope="module")
def settings_steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The deployed settings step of each configuration, as a file the harness can run."""
    directory = tmp_path_factory.mktemp("settings")
    steps = {}
    for label, args in {"dev": DEV, "prod": PROD, "scout": SCOUT}.items():
        steps[label] = directory / f"{label}Settings.js"
        code = check_args(GenerationRouteModel, "GenerationRouteArgs", args).settings_code()
        steps[label].write_text(code, encoding="utf-8")
    return steps


def generate(
    harness: AppSyncHarness,
    settings_step: Path,
    reply: Mapping[str, Any],
    arguments: Mapping[str, Any] | None = None,
) -> ResolverRun:
    steps = [
        PipelineFunction(settings_step, none_source("GenerationBedrockDataSourceSettings")),
        PipelineFunction(INVOKE_CONVERSE_CODE, bedrock_source(reply)),
    ]
    return harness.run_pipeline(
        PIPELINE_CODE, steps, arguments=dict(arguments or {"requirement": REQUIREMENT}), identity=IDENTITY
    )


def sent_to_bedrock(run: ResolverRun) -> list[dict[str, Any]]:
    """The HTTP requests of a run (the NONE settings step sends nothing)."""
    return [request for request in run.requests if "resourcePath" in request]


def converse_request(run: ResolverRun) -> dict[str, Any]:
    (request,) = sent_to_bedrock(run)
    return request


def test_forced_tool_answer_is_the_declared_type(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    run = generate(harness, settings_steps["dev"], tool_answer({"value": INSIGHTS}))
    assert run.error is None
    assert run.result == INSIGHTS
    body = converse_request(run)["params"]["body"]
    tool_config = body["toolConfig"]
    assert tool_config["toolChoice"] == {"tool": {"name": TOOL_NAME}}
    [tool] = tool_config["tools"]
    schema = tool["toolSpec"]["inputSchema"]["json"]
    assert schema["required"] == ["value"]
    assert schema["properties"]["value"]["required"] == ["insights"]
    # The arguments reach the model as JSON, as Amplify's a.generation sends them.
    assert body["messages"] == [
        {
            "role": "user",
            "content": [{"text": json.dumps({"requirement": REQUIREMENT}, separators=(",", ":"))}],
        }
    ]


@pytest.mark.parametrize(("label", "args"), [("dev", DEV), ("prod", PROD)])
def test_stack_settings_reach_the_request(
    harness: AppSyncHarness, settings_steps: dict[str, Path], label: str, args: GenerationRouteArgs
) -> None:
    run = generate(harness, settings_steps[label], tool_answer({"value": INSIGHTS}))
    request = converse_request(run)
    prefix = {"geo": "us.", "global": "global."}[args["inference_mode"]]
    assert request["resourcePath"] == f"/model/{prefix}{args['model_id']}/converse"
    body = request["params"]["body"]
    inference = {"maxTokens": args["max_tokens"], "temperature": args["temperature"]}
    if "top_p" in args:
        inference["topP"] = args["top_p"]
    assert body["inferenceConfig"] == inference
    assert len(body["system"]) == 1 and body["system"][0]["text"].startswith(args["system_prompt"])


def test_the_largest_accepted_prompt_reaches_bedrock_intact(harness: AppSyncHarness, tmp_path: Path) -> None:
    """2,048 bytes of UTF-8 (the limit) with quotes, a line separator and non-ASCII text."""
    prompt = 'Answer "briefly".\u2028' + "€" * 676
    assert len(prompt.encode("utf-8")) == 2048
    step = tmp_path / "longestSettings.js"
    code = check_args(
        GenerationRouteModel, "GenerationRouteArgs", {**DEV, "system_prompt": prompt}
    ).settings_code()
    step.write_text(code, encoding="utf-8")
    run = generate(harness, step, tool_answer({"value": INSIGHTS}))
    assert run.error is None and run.result == INSIGHTS
    [system] = converse_request(run)["params"]["body"]["system"]
    assert system["text"].startswith(prompt)


def test_a_nested_return_type_is_checked_and_normalized(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    """Numbers and flags sent as text become values, AWSJSON becomes its JSON text, absent nullables null."""
    answer = {
        "players": [{**PLAYER, "age": "21", "rating": "7.5"}],
        "onBudget": "true",
        "notes": ["fast", None],
        "extra": {"source": "scout", "minutes": 90},
    }
    run = generate(
        harness, settings_steps["scout"], tool_answer({"value": answer}), {"club": "Ajax", "season": 2024}
    )
    assert run.error is None, run.error
    assert run.result == {
        **REPORT,
        "extra": json.dumps({"source": "scout", "minutes": 90}, separators=(",", ":")),
    }
    body = converse_request(run)["params"]["body"]
    assert json.loads(body["messages"][0]["content"][0]["text"]) == {"club": "Ajax", "season": 2024}


@pytest.mark.parametrize(
    ("answer", "path", "words"),
    [
        pytest.param({**REPORT, "players": [{**PLAYER, "verdict": "BUY"}]}, "value.players[0].verdict",
                     "one of PASS, SIGN, WATCH", id="enum-value"),
        pytest.param({**REPORT, "players": [{"name": "Ada", "verdict": "SIGN"}]}, "value.players[0].age",
                     "a value is required", id="missing-required-field"),
        pytest.param({**REPORT, "players": [{**PLAYER, "age": 21.5}]}, "value.players[0].age",
                     "expected integer, got number", id="fraction-for-int"),
        pytest.param({**REPORT, "players": [{**PLAYER, "age": "twenty"}]}, "value.players[0].age",
                     "expected integer, got string", id="text-for-int"),
        pytest.param({**REPORT, "onBudget": "maybe"}, "value.onBudget", "expected boolean", id="text-for-flag"),
        pytest.param({**REPORT, "players": [None]}, "value.players[0]", "a value is required", id="null-item"),
        pytest.param({**REPORT, "players": {"name": "Ada"}}, "value.players", "expected array", id="object-for-list"),
        pytest.param({**REPORT, "coach": "Ten"}, "value.coach", "not a field of the return type", id="unknown-field"),
        pytest.param({**REPORT, "onBudget": None}, "value.onBudget", "a value is required", id="null-for-non-null"),
        pytest.param(None, "value", "a value is required", id="null-answer-for-non-null-type"),
    ],
)  # fmt: skip
def test_an_answer_of_the_wrong_shape_is_a_typed_error_naming_the_path(
    harness: AppSyncHarness, settings_steps: dict[str, Path], answer: Any, path: str, words: str
) -> None:
    run = generate(harness, settings_steps["scout"], tool_answer({"value": answer}), {"club": "Ajax"})
    assert run.error_type == "InvalidModelOutput"
    assert f"at {path} (" in run.error.message and words in run.error.message  # type: ignore[union-attr]
    assert run.result is None


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(tool_answer({"insights": "no wrapper"}), id="tool-input-without-value"),
        pytest.param(tool_answer("just text"), id="tool-input-not-an-object"),
        pytest.param(tool_answer({"value": INSIGHTS}, name="somethingElse"), id="unknown-tool"),
        pytest.param(text_answer(json.dumps({"value": INSIGHTS})), id="text-instead-of-the-tool"),
    ],
)
def test_an_answer_outside_the_forced_tool_is_a_typed_error(
    harness: AppSyncHarness, settings_steps: dict[str, Path], reply: dict[str, Any]
) -> None:
    run = generate(harness, settings_steps["dev"], reply)
    assert run.error_type == "InvalidModelOutput"
    assert run.result is None


def test_answer_cut_off_at_max_tokens_is_a_model_error(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    run = generate(harness, settings_steps["dev"], text_answer("Two clubs", "max_tokens"))
    assert run.error_type == "ModelError"
    assert "token limit" in run.error.message  # type: ignore[union-attr]


INTERNALS = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0"


def assert_no_internals(run: ResolverRun) -> None:
    assert (
        run.error is not None and "arn:" not in run.error.message and "123456789012" not in run.error.message
    )


def test_every_converse_error_in_botocore_maps_to_a_client_error_type(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    for shape in CONVERSE.error_shapes:
        status = shape.metadata["error"]["httpStatusCode"]
        run = generate(harness, settings_steps["dev"], bedrock_error(status, shape.name, f"on {INTERNALS}"))
        expected = BRIEF_ERROR_TYPES.get(shape.name)
        if expected is None:
            assert run.error_type in {*BRIEF_ERROR_TYPES.values(), "ModelError"}, shape.name
        else:
            assert run.error_type == expected, shape.name
        assert_no_internals(run)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(503, "ModelUnavailable"), (429, "Throttled"), (403, "Unauthorized"), (502, "ModelError")],
)
def test_errors_without_a_type_header_map_by_status(
    harness: AppSyncHarness, settings_steps: dict[str, Path], status: int, expected: str
) -> None:
    run = generate(harness, settings_steps["dev"], bedrock_error(status, None, f"on {INTERNALS}"))
    assert run.error_type == expected
    assert_no_internals(run)


def test_data_source_failure_is_passed_through(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    failure = {"message": "Connection to the endpoint timed out", "type": "HttpTimeout"}
    run = generate(harness, settings_steps["dev"], {"failure": failure})
    assert run.error is not None
    assert (run.error.error_type, run.error.message) == (failure["type"], failure["message"])


def test_arguments_too_long_are_rejected_before_bedrock_is_called(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    run = generate(
        harness, settings_steps["dev"], tool_answer({"value": INSIGHTS}), {"requirement": "x" * 8000}
    )
    assert run.error_type == "ValidationError"
    assert "at most 8000 characters" in run.error.message  # type: ignore[union-attr]
    assert sent_to_bedrock(run) == []
    longest = "y" * (8000 - len(json.dumps({"requirement": ""})))
    assert (
        generate(
            harness, settings_steps["dev"], tool_answer({"value": INSIGHTS}), {"requirement": longest}
        ).error
        is None
    )
