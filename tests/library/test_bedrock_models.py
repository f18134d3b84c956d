"""Model id -> the id to call and the ARNs to grant, for every supported Region and mode.

Expected values come from AWS's documentation (Amazon Bedrock User Guide, "Supported Regions and models for
inference profiles" and "Amazon Bedrock resource ARNs"; the AWS CDK `CrossRegionInferenceProfileRegion` enum
docs): profile prefixes, source and destination Regions, ARN formats, not the module's own tables.
"""

from __future__ import annotations

import re

import botocore.session
import pytest

from genai_backend_components.bedrock import (
    INFERENCE_MODES,
    SUPPORTED_REGIONS,
    BedrockConfigError,
    InferenceMode,
    geography_for_region,
    resolve_model,
    target_model,
)

MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"
ACCOUNT = "123456789012"

# Region -> the geographic prefix AWS documents for calls from it (None: no geographic profile).
DEFAULT_GEOGRAPHY: dict[str, str | None] = {
    "us-east-1": "us",
    "us-east-2": "us",
    "us-west-1": "us",
    "us-west-2": "us",
    "ca-central-1": "us",  # AWS Canada CRIS post: Canada Central uses the US (or Global) profiles
    "ca-west-1": None,
    "eu-central-1": "eu",
    "eu-central-2": "eu",
    "eu-west-1": "eu",
    "eu-west-2": "eu",
    "eu-west-3": "eu",
    "eu-north-1": "eu",
    "eu-south-1": "eu",
    "eu-south-2": "eu",
    "ap-northeast-1": "apac",
    "ap-northeast-2": "apac",
    "ap-northeast-3": "apac",
    "ap-south-1": "apac",
    "ap-south-2": "apac",
    "ap-southeast-1": "apac",
    "ap-southeast-2": "apac",
    "ap-southeast-3": "apac",
    "ap-southeast-4": "apac",
    "ap-southeast-5": "apac",
    "ap-southeast-7": "apac",
    "ap-east-2": "apac",
    "me-central-1": None,
    "me-south-1": None,
    "il-central-1": None,
    "sa-east-1": None,
    "mx-central-1": None,
    "af-south-1": None,
    "us-gov-east-1": "us-gov",
    "us-gov-west-1": "us-gov",
}

# Every Region each geography may route to (the AWS CDK `CrossRegionInferenceProfileRegion` enum docs).
DOCUMENTED_DESTINATIONS: dict[str, set[str]] = {
    "us": {"us-east-1", "us-east-2", "us-west-1", "us-west-2"},
    "eu": {
        "eu-central-1",
        "eu-west-1",
        "eu-west-3",
        "eu-west-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-central-2",
    },
    "apac": {
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
        "ap-east-2",
        "me-central-1",
    },
    "jp": {"ap-northeast-1", "ap-northeast-3"},
    "au": {"ap-southeast-2", "ap-southeast-4"},
    "ca": {"ca-central-1", "ca-west-1"},
    "us-gov": {"us-gov-east-1", "us-gov-west-1"},
}
# AWS's own geographic IAM example (us-east-1 -> us-east-1/us-east-2/us-west-2) must stay covered.
AWS_EXAMPLE_DESTINATIONS = {"us-east-1", "us-east-2", "us-west-2"}

_BEDROCK = botocore.session.get_session().get_service_model("bedrock")
_RUNTIME = botocore.session.get_session().get_service_model("bedrock-runtime")


def _botocore_pattern(shape: str) -> re.Pattern[str]:
    return re.compile(_BEDROCK.shape_for(shape).metadata["pattern"])


def partition_of(region: str) -> str:
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def model_arn(partition: str, region: str, model: str = MODEL) -> str:
    return f"arn:{partition}:bedrock:{region}::foundation-model/{model}"


def region_of(arn: str) -> str:
    return arn.split(":")[3]


def test_the_table_covers_every_supported_region() -> None:
    assert set(DEFAULT_GEOGRAPHY) == set(SUPPORTED_REGIONS)


@pytest.mark.parametrize("region", sorted(DEFAULT_GEOGRAPHY))
def test_in_region_calls_the_bare_model_in_that_region(region: str) -> None:
    partition = partition_of(region)
    resolved = resolve_model(MODEL, "in-region", region, ACCOUNT, partition=partition)
    assert resolved.invoke_id == MODEL
    assert resolved.profile_arn is None
    assert resolved.foundation_model_arns == (model_arn(partition, region),)


@pytest.mark.parametrize("region", sorted(DEFAULT_GEOGRAPHY))
def test_geo_calls_the_documented_geographic_profile(region: str) -> None:
    partition, geography = partition_of(region), DEFAULT_GEOGRAPHY[region]
    if geography is None:
        with pytest.raises(BedrockConfigError, match=re.escape(repr(region))):
            resolve_model(MODEL, "geo", region, ACCOUNT, partition=partition)
        return
    resolved = resolve_model(MODEL, "geo", region, ACCOUNT, partition=partition)
    assert resolved.invoke_id == f"{geography}.{MODEL}"
    assert resolved.profile_arn == (
        f"arn:{partition}:bedrock:{region}:{ACCOUNT}:inference-profile/{geography}.{MODEL}"
    )
    regions = [region_of(arn) for arn in resolved.foundation_model_arns]
    assert len(regions) == len(set(regions))
    assert region in regions, "the model in the calling Region must be granted"
    assert set(regions) - {region} <= DOCUMENTED_DESTINATIONS[geography]
    assert set(resolved.foundation_model_arns) == {model_arn(partition, name) for name in regions}


def test_geo_from_virginia_covers_the_aws_documented_example() -> None:
    resolved = resolve_model(MODEL, "geo", "us-east-1", ACCOUNT)
    assert {region_of(arn) for arn in resolved.foundation_model_arns} >= AWS_EXAMPLE_DESTINATIONS


@pytest.mark.parametrize("region", sorted(DEFAULT_GEOGRAPHY))
def test_global_calls_the_global_profile_and_the_regionless_model(region: str) -> None:
    partition = partition_of(region)
    if partition != "aws":
        with pytest.raises(BedrockConfigError, match="global"):
            resolve_model(MODEL, "global", region, ACCOUNT, partition=partition)
        return
    resolved = resolve_model(MODEL, "global", region, ACCOUNT)
    assert resolved.invoke_id == f"global.{MODEL}"
    assert resolved.profile_arn == f"arn:aws:bedrock:{region}:{ACCOUNT}:inference-profile/global.{MODEL}"
    assert set(resolved.foundation_model_arns) == {
        model_arn("aws", region),
        f"arn:aws:bedrock:::foundation-model/{MODEL}",
    }


@pytest.mark.parametrize(
    ("region", "geography"),
    [
        ("ap-northeast-1", "jp"),
        ("ap-northeast-3", "jp"),
        ("ap-southeast-2", "au"),
        ("ap-southeast-4", "au"),
        ("ca-central-1", "ca"),
        ("ca-west-1", "ca"),
    ],
)
def test_a_narrow_geography_is_used_when_named(region: str, geography: str) -> None:
    assert geography_for_region(region, geography) == geography
    resolved = resolve_model(MODEL, "geo", region, ACCOUNT, geography=geography)
    assert resolved.invoke_id == f"{geography}.{MODEL}"
    assert {region_of(arn) for arn in resolved.foundation_model_arns} == DOCUMENTED_DESTINATIONS[geography]


@pytest.mark.parametrize(
    ("region", "geography", "named_in_message"),
    [
        ("us-east-1", "eu", "us-east-1"),
        ("ap-northeast-2", "jp", "ap-northeast-1"),  # Seoul is not a jp source; the message lists the sources
        ("ap-southeast-1", "au", "ap-southeast-2"),
        ("us-east-1", "mars", "apac"),  # unknown geography: the message lists the known ones
    ],
)
def test_a_geography_that_cannot_serve_the_region_is_rejected(
    region: str, geography: str, named_in_message: str
) -> None:
    with pytest.raises(BedrockConfigError, match=re.escape(named_in_message)):
        resolve_model(MODEL, "geo", region, ACCOUNT, geography=geography)


def test_geography_only_applies_to_geo_mode() -> None:
    with pytest.raises(BedrockConfigError, match="geography"):
        resolve_model(MODEL, "global", "ap-northeast-1", ACCOUNT, geography="jp")


@pytest.mark.parametrize(
    "model_id",
    [
        MODEL,
        "anthropic.claude-3-haiku-20240307-v1:0",
        "amazon.nova-pro-v1:0",
        "amazon.titan-embed-text-v2:0",
        "meta.llama3-1-70b-instruct-v1:0",
        "cohere.command-r-plus-v1:0",
        "deepseek.r1-v1:0",
        "openai.gpt-oss-120b-1:0",
    ],
)
def test_ids_and_arns_have_the_shapes_the_bedrock_api_accepts(model_id: str) -> None:
    """Contract with botocore's service models, for real model ids of several providers."""
    runtime_model_id = re.compile(
        _RUNTIME.shape_for("InvokeModelRequest").members["modelId"].metadata["pattern"]
    )
    profile_id, profile_arn = (
        _botocore_pattern("InferenceProfileId"),
        _botocore_pattern("InferenceProfileArn"),
    )
    model_arn_pattern = _botocore_pattern("FoundationModelArn")
    max_profile_id = _BEDROCK.shape_for("InferenceProfileId").metadata["max"]
    for region, mode in [("us-west-2", "in-region"), ("eu-west-1", "geo"), ("ap-south-1", "global")]:
        resolved = resolve_model(model_id, mode, region, ACCOUNT)
        assert runtime_model_id.fullmatch(resolved.invoke_id)
        regional = [arn for arn in resolved.foundation_model_arns if region_of(arn)]
        assert regional and all(model_arn_pattern.fullmatch(arn) for arn in regional)
        if resolved.profile_arn is not None:
            assert profile_id.fullmatch(resolved.invoke_id) and len(resolved.invoke_id) <= max_profile_id
            assert profile_arn.fullmatch(resolved.profile_arn)


@pytest.mark.parametrize("region", ["mars-1", "US-EAST-1", "", "cn-north-1"])
def test_an_unknown_region_is_rejected_with_the_allowed_ones(region: str) -> None:
    for mode in ("in-region", "geo", "global"):
        with pytest.raises(BedrockConfigError, match=rf"region {re.escape(repr(region))}.*us-east-1"):
            resolve_model(MODEL, mode, region, ACCOUNT)


@pytest.mark.parametrize("prefix", ["us", "eu", "apac", "jp", "au", "ca", "us-gov", "global"])
def test_a_profile_prefixed_id_asks_for_the_mode_instead(prefix: str) -> None:
    with pytest.raises(BedrockConfigError, match=rf"model_id .*{re.escape(repr(MODEL))}.*mode") as raised:
        resolve_model(f"{prefix}.{MODEL}", "geo", "us-east-1", ACCOUNT)
    assert "prefix" in str(raised.value)


@pytest.mark.parametrize(
    "model_id",
    [
        "",
        "   ",
        f"arn:aws:bedrock:us-east-1::foundation-model/{MODEL}",
        "anthropic.*",  # a wildcard would widen every grant built from the id
        "anthropic.claude-?",
        "Anthropic.Claude-v2",
        "claude-sonnet",
        "anthropic.claude sonnet",
    ],
)
def test_a_malformed_model_id_is_rejected(model_id: str) -> None:
    with pytest.raises(BedrockConfigError, match="model_id"):
        resolve_model(model_id, "in-region", "us-east-1", ACCOUNT)


@pytest.mark.parametrize("mode", ["regional", "GEO", "", "cross-region"])
def test_an_unknown_mode_is_rejected_with_the_allowed_ones(mode: str) -> None:
    with pytest.raises(BedrockConfigError, match=r"mode .*in-region, geo, global"):
        resolve_model(MODEL, mode, "us-east-1", ACCOUNT)  # type: ignore[arg-type]


def test_a_partition_that_does_not_match_the_region_is_rejected() -> None:
    with pytest.raises(BedrockConfigError, match="aws-us-gov"):
        resolve_model(MODEL, "geo", "us-gov-west-1", ACCOUNT)
    with pytest.raises(BedrockConfigError, match="partition 'aws-us-gov'"):
        resolve_model(MODEL, "geo", "us-east-1", ACCOUNT, partition="aws-us-gov")


@pytest.mark.parametrize("account_id", ["", "12345", "1234567890123", "12345678901a"])
def test_a_malformed_account_id_is_rejected(account_id: str) -> None:
    with pytest.raises(BedrockConfigError, match="account_id"):
        resolve_model(MODEL, "geo", "us-east-1", account_id)


def test_a_profile_id_beyond_the_api_limit_is_rejected() -> None:
    long_model = "anthropic." + "x" * 45 + "-v1:0"
    assert len(long_model) < 64 < len(f"global.{long_model}")
    assert resolve_model(long_model, "in-region", "us-east-1", ACCOUNT).invoke_id == long_model
    with pytest.raises(BedrockConfigError, match="64"):
        resolve_model(long_model, "global", "us-east-1", ACCOUNT)


def test_the_modes_are_an_enum_of_the_documented_values() -> None:
    assert [mode.value for mode in InferenceMode] == ["in-region", "geo", "global"]
    assert INFERENCE_MODES == ("in-region", "geo", "global")
    assert all(isinstance(mode, str) for mode in InferenceMode)


@pytest.mark.parametrize("mode", list(InferenceMode))
def test_an_enum_member_resolves_exactly_like_its_plain_value(mode: InferenceMode) -> None:
    by_member = resolve_model(MODEL, mode, "eu-west-1", ACCOUNT)
    by_value = resolve_model(MODEL, mode.value, "eu-west-1", ACCOUNT)
    assert by_member == by_value
    # The resolved mode is the plain value, so it reads the same wherever it is formatted.
    for resolved in (by_member, target_model(MODEL, mode, "eu-west-1")):
        assert type(resolved.mode) is str and f"{resolved.mode}" == mode.value


def test_config_errors_are_value_errors() -> None:
    assert issubclass(BedrockConfigError, ValueError)
