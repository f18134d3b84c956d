"""The generation route's resolvers, run in Node as AppSync would, against Bedrock-shaped HTTP answers.

The pipeline runs exactly as deployed: pipeline.js, the settings step generated from the route's
args (the same code the component deploys), then invokeConverse.js on an HTTP data source. The HTTP
executor checks each request against botocore's bedrock-runtime model (path, method, body shape),
and every canned success body is checked against botocore's ConverseResponse shape, so neither
side can drift from what Bedrock really accepts and returns.
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
    GenerationRouteArgs,
    GenerationRouteModel,
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
INSIGHTS = {"summary": "Two clubs climbed after January.", "highlights": ["Club A +9 places", "Club B +6"]}
DEV = GenerationRouteArgs(
    api_id="api",
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
}
TEXT_MODE: GenerationRouteArgs = {**DEV, "output_mode": "json-text"}
BRIEF_ERROR_TYPES = {
    "ThrottlingException": "Throttled",
    "ValidationException": "ValidationError",
    "AccessDeniedException": "Unauthorized",
    "ModelTimeoutException": "ModelUnavailable",
    "ServiceUnavailableException": "ModelUnavailable",
}
"""The mapping the route promises its clients (assignment brief); every other Bedrock error is ModelError."""


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


def tool_answer(tool_input: Any, name: str = "recordInsights") -> dict[str, Any]:
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
    return DataSource(kind="HTTP", name="BedrockRuntime", config=config)


@pytest.fixture(scope="module")
def harness() -> Iterator[AppSyncHarness]:
    with AppSyncHarness(executors={**DEFAULT_EXECUTORS, "HTTP": execute_bedrock}) as running:
        yield running


@pytest.fixture(scope="module")
def settings_steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The deployed settings step of each configuration, as a file the harness can run."""
    directory = tmp_path_factory.mktemp("settings")
    steps = {}
    for label, args in {"dev": DEV, "prod": PROD, "text": TEXT_MODE}.items():
        steps[label] = directory / f"{label}Settings.js"
        code = check_args(GenerationRouteModel, "GenerationRouteArgs", args).settings_code()
        steps[label].write_text(code, encoding="utf-8")
    return steps


def generate(
    harness: AppSyncHarness,
    settings_step: Path,
    reply: Mapping[str, Any],
    requirement: Any = REQUIREMENT,
    identity: Mapping[str, Any] | None = IDENTITY,
) -> ResolverRun:
    steps = [
        PipelineFunction(settings_step, none_source("BedrockRuntimeSettings")),
        PipelineFunction(INVOKE_CONVERSE_CODE, bedrock_source(reply)),
    ]
    return harness.run_pipeline(
        PIPELINE_CODE, steps, arguments={"requirement": requirement}, identity=identity
    )


def sent_to_bedrock(run: ResolverRun) -> list[dict[str, Any]]:
    """The HTTP requests of a run (the NONE settings step sends nothing)."""
    return [request for request in run.requests if "resourcePath" in request]


def converse_request(run: ResolverRun) -> dict[str, Any]:
    (request,) = sent_to_bedrock(run)
    return request


def test_forced_tool_answer_becomes_insights(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    run = generate(harness, settings_steps["dev"], tool_answer(INSIGHTS))
    assert run.error is None
    assert run.result == INSIGHTS
    body = converse_request(run)["params"]["body"]
    tool_config = body["toolConfig"]
    forced = tool_config["toolChoice"]["tool"]["name"]
    assert [tool["toolSpec"]["name"] for tool in tool_config["tools"]] == [forced]
    schema = tool_config["tools"][0]["toolSpec"]["inputSchema"]["json"]
    assert set(schema["required"]) == {"summary", "highlights"}
    assert body["messages"] == [{"role": "user", "content": [{"text": REQUIREMENT}]}]


@pytest.mark.parametrize(("label", "args"), [("dev", DEV), ("prod", PROD)])
def test_stack_settings_reach_the_request(
    harness: AppSyncHarness, settings_steps: dict[str, Path], label: str, args: GenerationRouteArgs
) -> None:
    run = generate(harness, settings_steps[label], tool_answer(INSIGHTS))
    request = converse_request(run)
    prefix = {"geo": "us.", "global": "global."}[args["inference_mode"]]
    assert request["resourcePath"] == f"/model/{prefix}{args['model_id']}/converse"
    body = request["params"]["body"]
    assert body["inferenceConfig"] == {"maxTokens": args["max_tokens"], "temperature": args["temperature"]}
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
    run = generate(harness, step, tool_answer(INSIGHTS))
    assert run.error is None and run.result == INSIGHTS
    [system] = converse_request(run)["params"]["body"]["system"]
    assert system["text"].startswith(prompt)


def test_text_mode_asks_for_json_and_reads_it_through_fences_and_prose(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    text = f"Here is the analysis:\n```json\n{json.dumps(INSIGHTS, indent=2)}\n```\nHope it helps."
    run = generate(harness, settings_steps["text"], text_answer(text))
    assert run.error is None and run.result == INSIGHTS
    body = converse_request(run)["params"]["body"]
    assert "toolConfig" not in body
    assert "JSON" in body["system"][0]["text"]


def test_text_json_is_accepted_when_a_model_skips_the_forced_tool(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    reversed_keys = {"highlights": INSIGHTS["highlights"], "summary": INSIGHTS["summary"]}
    run = generate(harness, settings_steps["dev"], text_answer(json.dumps(reversed_keys)))
    assert run.error is None and run.result == INSIGHTS


def test_highlights_sent_as_a_json_string_are_decoded(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    tool_input = {"summary": INSIGHTS["summary"], "highlights": json.dumps(INSIGHTS["highlights"])}
    run = generate(harness, settings_steps["dev"], tool_answer(tool_input))
    assert run.error is None and run.result == INSIGHTS


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(text_answer('{"summary": "Two clubs climbed", "highlights": ["Club A'), id="truncated"),
        pytest.param(text_answer('{"summary": "x", "highlights": ["a",]}'), id="trailing-comma"),
        pytest.param(text_answer("I cannot help with that request."), id="prose-only"),
        pytest.param(text_answer('{"summary": 3, "highlights": []}'), id="summary-not-text"),
        pytest.param(tool_answer({"highlights": ["a"]}), id="tool-input-without-summary"),
        pytest.param(tool_answer({"summary": "s", "highlights": [1, 2]}), id="tool-highlights-not-text"),
        pytest.param(tool_answer(INSIGHTS, name="somethingElse"), id="unknown-tool"),
    ],
)
def test_malformed_model_output_is_a_model_error(
    harness: AppSyncHarness, settings_steps: dict[str, Path], reply: dict[str, Any]
) -> None:
    run = generate(harness, settings_steps["dev"], reply)
    assert run.error_type == "ModelError"
    assert run.result is None


def test_answer_cut_off_at_max_tokens_is_a_model_error(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    run = generate(harness, settings_steps["text"], text_answer('{"summary": "Two clubs', "max_tokens"))
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


@pytest.mark.parametrize(
    ("requirement", "message"),
    [("", "empty"), ("   \n\t ", "empty"), ("x" * 4001, "at most 4000")],
)
def test_bad_requirement_is_rejected_before_bedrock_is_called(
    harness: AppSyncHarness, settings_steps: dict[str, Path], requirement: str, message: str
) -> None:
    run = generate(harness, settings_steps["dev"], tool_answer(INSIGHTS), requirement=requirement)
    assert run.error_type == "ValidationError"
    assert message in run.error.message  # type: ignore[union-attr]
    assert sent_to_bedrock(run) == []


def test_longest_requirement_is_sent_trimmed(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    longest = "y" * 4000
    run = generate(harness, settings_steps["dev"], tool_answer(INSIGHTS), requirement=f"  {longest}\n")
    assert run.error is None
    assert converse_request(run)["params"]["body"]["messages"][0]["content"] == [{"text": longest}]


def test_caller_without_user_pool_identity_is_unauthorized(
    harness: AppSyncHarness, settings_steps: dict[str, Path]
) -> None:
    run = generate(harness, settings_steps["dev"], tool_answer(INSIGHTS), identity=None)
    assert run.error_type == "Unauthorized"
    assert sent_to_bedrock(run) == []
