"""The generated Bedrock grants allow exactly the configured call, judged by an IAM evaluator.

How AWS authorizes a call (Amazon Bedrock User Guide, "geographic" and "global cross-Region inference", IAM
policy requirements): a call through a profile is checked on the
profile ARN, then on the foundation model in the Region that serves it, with
``bedrock:InferenceProfileArn`` set to the profile; a global profile is also checked on the
Region-less model ARN with ``aws:RequestedRegion = "unspecified"``. ``aws_checks`` below spells
that out independently of the code under test.
"""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pulumi
import pulumi_aws as aws
import pytest

from genai_backend_components import iam
from genai_backend_components.bedrock import (
    SUPPORTED_REGIONS,
    BedrockConfigError,
    InferenceMode,
    ResolvedModel,
    invoke_statements,
    model_invoke_statements,
    resolve_model,
)
from tests.policy_evaluator import is_allowed
from tests.support import evaluate_component

MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"
OTHER_MODEL = "amazon.nova-pro-v1:0"
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
INVOKE = "bedrock:InvokeModel"
STREAM = "bedrock:InvokeModelWithResponseStream"

Check = tuple[str, dict[str, str]]


def model_arn(region: str, model: str = MODEL, partition: str = "aws") -> str:
    return f"arn:{partition}:bedrock:{region}::foundation-model/{model}"


def profile_arn(region: str, profile_id: str, account: str = ACCOUNT, partition: str = "aws") -> str:
    return f"arn:{partition}:bedrock:{region}:{account}:inference-profile/{profile_id}"


def aws_checks(
    invoke_id: str, source: str, destination: str, account: str = ACCOUNT, partition: str = "aws"
) -> list[Check]:
    """The (resource, request context) pairs AWS authorizes for one call with ``modelId=invoke_id``."""
    prefix, _, model = invoke_id.partition(".")
    if prefix not in {"us", "eu", "apac", "jp", "au", "ca", "us-gov", "global"}:
        return [(model_arn(source, invoke_id, partition), {"aws:RequestedRegion": source})]
    profile = profile_arn(source, invoke_id, account, partition)
    through = {"bedrock:InferenceProfileArn": profile}
    checks = [(profile, {"aws:RequestedRegion": source})]
    if prefix == "global":
        checks.append((model_arn(source, model, partition), {**through, "aws:RequestedRegion": source}))
        checks.append((model_arn("", model, partition), {**through, "aws:RequestedRegion": "unspecified"}))
    else:
        checks.append(
            (model_arn(destination, model, partition), {**through, "aws:RequestedRegion": destination})
        )
    return checks


def document_for(resolved: ResolvedModel, streaming: bool) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": invoke_statements(resolved, streaming)}


def allows(document: dict[str, Any], action: str, checks: list[Check]) -> bool:
    return all(is_allowed(document, action, resource, context) for resource, context in checks)


def partition_of(region: str) -> str:
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def valid_choices() -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    for region in sorted(SUPPORTED_REGIONS):
        for mode in ("in-region", "geo", "global"):
            try:
                resolve_model(MODEL, mode, region, ACCOUNT, partition=partition_of(region))
            except BedrockConfigError:
                continue
            choices.append((region, mode))
    return choices


VALID_CHOICES = valid_choices()


def test_every_region_offers_at_least_the_in_region_mode() -> None:
    assert {region for region, _ in VALID_CHOICES} == set(SUPPORTED_REGIONS)
    assert {mode for _, mode in VALID_CHOICES} == {"in-region", "geo", "global"}


@pytest.mark.parametrize(("region", "mode"), VALID_CHOICES)
def test_the_configured_call_is_allowed_wherever_it_is_served(region: str, mode: str) -> None:
    partition = partition_of(region)
    resolved = resolve_model(MODEL, mode, region, ACCOUNT, partition=partition)
    document = document_for(resolved, streaming=True)
    destinations = [arn.split(":")[3] for arn in resolved.foundation_model_arns if arn.split(":")[3]]
    for destination in destinations:
        checks = aws_checks(resolved.invoke_id, region, destination, partition=partition)
        assert allows(document, INVOKE, checks), (resolved.invoke_id, destination)
        assert allows(document, STREAM, checks), (resolved.invoke_id, destination)


@pytest.mark.parametrize(("region", "mode"), VALID_CHOICES)
def test_grants_name_no_wildcards_and_only_invoke_actions(region: str, mode: str) -> None:
    resolved = resolve_model(MODEL, mode, region, ACCOUNT, partition=partition_of(region))
    for streaming in (False, True):
        for statement in invoke_statements(resolved, streaming):
            assert statement["Effect"] == "Allow"
            assert set(statement["Action"]) <= {INVOKE, STREAM}
            for value in [*statement["Action"], *statement["Resource"]]:
                assert "*" not in value and "?" not in value, value


@pytest.mark.parametrize("mode", ["in-region", "geo", "global"])
def test_streaming_is_allowed_only_when_asked_for(mode: str) -> None:
    resolved = resolve_model(MODEL, mode, "us-west-2", ACCOUNT)
    checks = aws_checks(resolved.invoke_id, "us-west-2", "us-east-2")
    assert not allows(document_for(resolved, streaming=False), STREAM, checks)
    assert allows(document_for(resolved, streaming=False), INVOKE, checks)
    assert allows(document_for(resolved, streaming=True), STREAM, checks)


def test_the_action_names_are_the_bedrock_runtime_operations() -> None:
    """Contract: IAM actions for bedrock-runtime are ``bedrock:<Operation>`` (signing name ``bedrock``)."""
    runtime = botocore.session.get_session().get_service_model("bedrock-runtime")
    assert runtime.signing_name == "bedrock"
    for action in (INVOKE, STREAM):
        assert action.split(":")[1] in runtime.operation_names


@pytest.mark.parametrize("mode", ["geo", "global"])
def test_the_bare_model_outside_the_profile_is_denied(mode: str) -> None:
    document = document_for(resolve_model(MODEL, mode, "us-east-1", ACCOUNT), streaming=True)
    for region in ("us-east-1", "us-east-2", ""):
        assert not is_allowed(
            document, INVOKE, model_arn(region), {"aws:RequestedRegion": region or "unspecified"}
        )


@pytest.mark.parametrize("mode", ["geo", "global"])
def test_another_model_through_the_same_kind_of_profile_is_denied(mode: str) -> None:
    resolved = resolve_model(MODEL, mode, "us-east-1", ACCOUNT)
    other = resolve_model(OTHER_MODEL, mode, "us-east-1", ACCOUNT)
    document = document_for(resolved, streaming=True)
    assert other.invoke_id != resolved.invoke_id
    assert not allows(document, INVOKE, aws_checks(other.invoke_id, "us-east-1", "us-east-2"))
    # Even the model ARN alone, claiming our profile, is not another model's way in.
    through_ours = {
        "bedrock:InferenceProfileArn": resolved.profile_arn or "",
        "aws:RequestedRegion": "us-east-2",
    }
    assert not is_allowed(document, INVOKE, model_arn("us-east-2", OTHER_MODEL), through_ours)


def test_another_profile_for_the_same_model_is_denied() -> None:
    document = document_for(resolve_model(MODEL, "geo", "us-east-1", ACCOUNT), streaming=True)
    assert allows(document, INVOKE, aws_checks(f"us.{MODEL}", "us-east-1", "us-west-2"))
    assert not allows(document, INVOKE, aws_checks(f"eu.{MODEL}", "us-east-1", "us-west-2"))
    assert not allows(document, INVOKE, aws_checks(f"global.{MODEL}", "us-east-1", "us-west-2"))
    # The same profile id called from another Region is another profile ARN.
    assert not allows(document, INVOKE, aws_checks(f"us.{MODEL}", "us-west-2", "us-east-1"))
    assert not allows(
        document, INVOKE, aws_checks(f"us.{MODEL}", "us-east-1", "us-west-2", account=OTHER_ACCOUNT)
    )


def test_a_geo_grant_never_reaches_outside_its_geography() -> None:
    document = document_for(resolve_model(MODEL, "geo", "eu-west-1", ACCOUNT), streaming=True)
    assert allows(document, INVOKE, aws_checks(f"eu.{MODEL}", "eu-west-1", "eu-central-1"))
    for outside in ("us-east-1", "ap-northeast-1", "me-central-1"):
        assert not allows(document, INVOKE, aws_checks(f"eu.{MODEL}", "eu-west-1", outside)), outside


def test_a_narrow_geography_keeps_calls_in_the_country() -> None:
    document = document_for(
        resolve_model(MODEL, "geo", "ap-northeast-1", ACCOUNT, geography="jp"), streaming=False
    )
    assert allows(document, INVOKE, aws_checks(f"jp.{MODEL}", "ap-northeast-1", "ap-northeast-3"))
    assert not allows(document, INVOKE, aws_checks(f"jp.{MODEL}", "ap-northeast-1", "ap-southeast-1"))
    assert not allows(document, INVOKE, aws_checks(f"apac.{MODEL}", "ap-northeast-1", "ap-northeast-3"))


def test_global_needs_the_regionless_arn_with_an_unspecified_region() -> None:
    resolved = resolve_model(MODEL, "global", "eu-west-1", ACCOUNT)
    document = document_for(resolved, streaming=False)
    profile = resolved.profile_arn or ""
    regionless = model_arn("")
    assert is_allowed(
        document,
        INVOKE,
        regionless,
        {"bedrock:InferenceProfileArn": profile, "aws:RequestedRegion": "unspecified"},
    )
    assert not is_allowed(
        document,
        INVOKE,
        regionless,
        {"bedrock:InferenceProfileArn": profile, "aws:RequestedRegion": "eu-west-1"},
    )
    assert not is_allowed(document, INVOKE, regionless, {"aws:RequestedRegion": "unspecified"})
    # Without the Region-less statement the global call would fail: the grant is not decorative.
    trimmed = {"Statement": [s for s in document["Statement"] if regionless not in s["Resource"]]}
    assert not allows(trimmed, INVOKE, aws_checks(resolved.invoke_id, "eu-west-1", "eu-west-1"))
    geo_document = document_for(resolve_model(MODEL, "geo", "eu-west-1", ACCOUNT), streaming=False)
    assert not is_allowed(
        geo_document,
        INVOKE,
        regionless,
        {"bedrock:InferenceProfileArn": profile, "aws:RequestedRegion": "unspecified"},
    )


def test_in_region_allows_only_the_local_model() -> None:
    document = document_for(resolve_model(MODEL, "in-region", "us-east-1", ACCOUNT), streaming=False)
    assert allows(document, INVOKE, aws_checks(MODEL, "us-east-1", "us-east-1"))
    assert not allows(document, INVOKE, aws_checks(MODEL, "us-west-2", "us-west-2"))
    assert not allows(document, INVOKE, aws_checks(f"us.{MODEL}", "us-east-1", "us-east-1"))
    assert not allows(document, INVOKE, aws_checks(OTHER_MODEL, "us-east-1", "us-east-1"))


GRANT_FLAGS = [(True, False), (False, True), (True, True)]
"""(streaming, synchronous): the conversation route, the generation route, and a caller doing both."""


def test_model_invoke_statements_render_exactly_the_invoke_statements_once_the_account_resolves() -> None:
    """Every route's grant comes from model_invoke_statements with an account that is still an Output;
    once it resolves, the document must be the one ``invoke_statements`` gives (judged above)."""
    cases = [(mode, *flags) for mode in ("in-region", "geo", "global") for flags in GRANT_FLAGS]

    def program() -> None:
        role = aws.iam.Role(
            "holder-role", assume_role_policy=iam.service_trust_policy("lambda.amazonaws.com")
        )
        # The account as the mock cloud reports it, known only once the role exists.
        account = role.arn.apply(lambda arn: arn.split(":")[4])
        for mode, streaming, synchronous in cases:
            statements = model_invoke_statements(
                MODEL, mode, "us-east-1", account, streaming=streaming, synchronous=synchronous
            )
            pulumi.export(f"{mode}-{streaming}-{synchronous}", iam.policy_document(statements))
            by_member = model_invoke_statements(
                MODEL, InferenceMode(mode), "us-east-1", account, streaming=streaming, synchronous=synchronous
            )
            pulumi.export(f"{mode}-{streaming}-{synchronous}-member", iam.policy_document(by_member))

    outputs = evaluate_component(program).outputs
    for mode, streaming, synchronous in cases:
        resolved = resolve_model(MODEL, mode, "us-east-1", ACCOUNT)
        expected = invoke_statements(resolved, streaming, synchronous=synchronous)
        rendered = json.loads(outputs[f"{mode}-{streaming}-{synchronous}"])
        assert rendered == {"Version": "2012-10-17", "Statement": expected}, (mode, streaming, synchronous)
        assert json.loads(outputs[f"{mode}-{streaming}-{synchronous}-member"]) == rendered
    assert (
        f"arn:aws:bedrock:us-east-1:{ACCOUNT}:inference-profile/global.{MODEL}"
        in outputs["global-True-False"]
    )


@pytest.mark.parametrize(
    ("model_id", "account_id", "streaming", "synchronous", "message"),
    [
        (f"us.{MODEL}", ACCOUNT, True, False, "set mode"),
        (MODEL, "not-an-account", True, False, "account_id 'not-an-account'"),
        (MODEL, ACCOUNT, False, False, "at least one of synchronous or streaming"),
    ],
)
def test_model_invoke_statements_reject_bad_input_while_declaring(
    model_id: str, account_id: str, streaming: bool, synchronous: bool, message: str
) -> None:
    with pytest.raises(BedrockConfigError, match=message):
        model_invoke_statements(
            model_id, "global", "us-east-1", account_id, streaming=streaming, synchronous=synchronous
        )


def test_stream_only_callers_get_no_synchronous_invoke() -> None:
    from genai_backend_components.bedrock import STREAM_ACTION, invoke_statements, resolve_model

    resolved = resolve_model("anthropic.claude-sonnet-4-5-20250929-v1:0", "geo", "us-west-2", "123456789012")
    statements = invoke_statements(resolved, streaming=True, synchronous=False)
    assert {action for item in statements for action in item["Action"]} == {STREAM_ACTION}
    with pytest.raises(ValueError, match="at least one"):
        invoke_statements(resolved, streaming=False, synchronous=False)
