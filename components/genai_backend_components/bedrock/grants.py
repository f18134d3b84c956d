"""Which Bedrock id to call for a model, and the narrowest IAM grant that lets a role call it.

Amplify grants ``bedrock:InvokeModel`` on the regional foundation-model ARN only, so cross-Region
profile ids (``us.``, ``global.``) fail with AccessDenied (amplify-category-api #3502) and streaming
misses ``InvokeModelWithResponseStream`` (#3162). Here the caller picks an inference mode; the id
to call and the grant both derive from that one choice, so they cannot drift apart.

Which Regions may call which inference profiles, and where those route, is in ``.geography``.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pulumi

from .. import iam
from .geography import (
    COMMERCIAL_REGIONS,
    GEOGRAPHIES,
    PROFILE_PREFIXES,
    BedrockConfigError,
    geography_for_region,
    partition_for_region,
)


class InferenceMode(StrEnum):
    """Where a Bedrock call may run."""

    IN_REGION = "in-region"
    """The bare model id, in the caller's Region only."""
    GEO = "geo"
    """A geographic cross-Region profile (``us.``, ``eu.``, ``apac.``...) of the caller's Region."""
    GLOBAL = "global"
    """The global cross-Region profile (``global.``), any commercial Region."""


INFERENCE_MODES: tuple[str, ...] = tuple(mode.value for mode in InferenceMode)

INVOKE_ACTION = "bedrock:InvokeModel"
STREAM_ACTION = "bedrock:InvokeModelWithResponseStream"
PROFILE_CONDITION_KEY = "bedrock:InferenceProfileArn"
REQUESTED_REGION_KEY = "aws:RequestedRegion"
REGIONLESS_REQUESTED_REGION = "unspecified"
"""AWS evaluates the Region-less global model ARN with this requested Region (Amazon Bedrock User Guide,
"global cross-Region inference", IAM policy requirements)."""

# The shape botocore's bedrock model gives a foundation-model id inside ``FoundationModelArn``.
_BASE_MODEL_ID = re.compile(
    r"[a-z0-9-]{1,63}\.([a-z0-9-]{1,63}\.){0,2}[a-z0-9-]{1,63}(:[a-z0-9-]{1,63}){0,2}"
)
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_MAX_PROFILE_ID_LENGTH = 64  # botocore bedrock ``InferenceProfileId`` max length


CHOICE_ARGS = {"model_id": "model_id", "mode": "inference_mode", "geography": "geography", "region": "region"}
"""The arg a model-choice error is about, by the first word of its message (every message starts with it)."""


def choice_arg(error: BedrockConfigError) -> str:
    """``model_id``, ``inference_mode``, ``geography`` or ``region``: the arg to name for a model-choice error."""
    return CHOICE_ARGS.get(str(error).split(" ", 1)[0], "region")


def _plain(mode: str) -> str:
    """An InferenceMode member or its value, as the plain value."""
    return mode.value if isinstance(mode, InferenceMode) else mode


def _check_model_id(model_id: str) -> None:
    if not isinstance(model_id, str) or not model_id.strip():
        raise BedrockConfigError("model_id is empty; give a base model id such as 'amazon.nova-lite-v1:0'")
    if model_id.startswith("arn:"):
        raise BedrockConfigError(
            f"model_id {model_id!r} is an ARN; give the base model id and choose the mode"
        )
    prefix = model_id.split(".", 1)[0]
    if prefix in PROFILE_PREFIXES:
        raise BedrockConfigError(
            f"model_id {model_id!r} already carries the inference-profile prefix {prefix!r}; give the "
            f"base id {model_id.split('.', 1)[1]!r} and set mode to 'geo' or 'global' instead"
        )
    if not _BASE_MODEL_ID.fullmatch(model_id):
        raise BedrockConfigError(
            f"model_id {model_id!r} is not a base model id: expected '<provider>.<model>[:<version>]' "
            "in lowercase letters, digits, '-', '.' and ':' (e.g. 'amazon.nova-lite-v1:0')"
        )


def check_model_choice(
    model_id: str, mode: str, region: str, partition: str = "aws", geography: str | None = None
) -> None:
    """Rejects every bad choice that does not depend on the account, so callers can fail before declaring."""
    mode = _plain(mode)
    _check_model_id(model_id)
    if mode not in INFERENCE_MODES:
        raise BedrockConfigError(f"mode {mode!r} is unknown; allowed: {', '.join(INFERENCE_MODES)}")
    expected_partition = partition_for_region(region)
    if partition != expected_partition:
        raise BedrockConfigError(
            f"partition {partition!r} does not match region {region!r}; use partition {expected_partition!r}"
        )
    if geography is not None and mode != "geo":
        raise BedrockConfigError(
            f"geography {geography!r} only applies when mode is 'geo' (mode is {mode!r})"
        )
    if mode == "geo":
        prefix = geography_for_region(region, geography)
    elif mode == "global":
        if region not in COMMERCIAL_REGIONS:
            raise BedrockConfigError(
                f"mode 'global' is not offered in region {region!r}; global profiles are called from "
                f"commercial regions: {', '.join(sorted(COMMERCIAL_REGIONS))}"
            )
        prefix = "global"
    else:
        return
    if len(f"{prefix}.{model_id}") > _MAX_PROFILE_ID_LENGTH:
        raise BedrockConfigError(
            f"model_id {model_id!r} is too long for a profile id ({prefix}.<id> must be at most "
            f"{_MAX_PROFILE_ID_LENGTH} characters)"
        )


def check_account_id(account_id: object) -> None:
    """Profile ARNs carry the account; a malformed one would only fail when AWS evaluates the policy."""
    if not isinstance(account_id, str) or not _ACCOUNT_ID.fullmatch(account_id):
        raise BedrockConfigError(f"account_id {account_id!r} is not a 12-digit AWS account id")


@dataclass(frozen=True)
class ModelTarget:
    """Calling one model in one mode, as far as it does not depend on the account.

    Only the profile ARN names the account, and the account is usually an Output; everything else
    (the id to call, which foundation-model ARNs a call may touch, how many statements the grant
    has) is known while the program is still being declared.
    """

    model_id: str
    mode: str
    region: str
    partition: str
    invoke_id: str
    """The id to pass as ``modelId``: bare id, ``<geo>.<id>`` or ``global.<id>``."""
    regional_model_arns: tuple[str, ...]
    """Foundation-model ARNs in the source Region and every Region the profile may route to."""
    regionless_model_arn: str | None
    """The Region-less model ARN that global profiles are authorized against; None otherwise."""

    @property
    def uses_profile(self) -> bool:
        return self.mode != "in-region"

    def profile_arn(self, account_id: str) -> str | None:
        """The system-defined profile in the calling Region as ``account_id`` sees it; None in-region."""
        check_account_id(account_id)
        if not self.uses_profile:
            return None
        return f"arn:{self.partition}:bedrock:{self.region}:{account_id}:inference-profile/{self.invoke_id}"


def target_model(
    model_id: str, mode: str, region: str, partition: str = "aws", geography: str | None = None
) -> ModelTarget:
    """Checks the choice and derives everything about the call that needs no account."""
    mode = _plain(mode)
    check_model_choice(model_id, mode, region, partition, geography)

    def model_arn(model_region: str) -> str:
        return f"arn:{partition}:bedrock:{model_region}::foundation-model/{model_id}"

    if mode == "in-region":
        return ModelTarget(model_id, mode, region, partition, model_id, (model_arn(region),), None)
    if mode == "geo":
        prefix = geography_for_region(region, geography)
        model_regions = sorted({region} | GEOGRAPHIES[prefix].destination_regions)
        regionless = None
    else:
        prefix, model_regions, regionless = "global", [region], model_arn("")
    regional = tuple(model_arn(model_region) for model_region in model_regions)
    return ModelTarget(model_id, mode, region, partition, f"{prefix}.{model_id}", regional, regionless)


@dataclass(frozen=True)
class ResolvedModel:
    """Everything needed to call one model in one mode, and to grant exactly that call."""

    model_id: str
    mode: str
    region: str
    invoke_id: str
    """The id to pass as ``modelId``: bare id, ``<geo>.<id>`` or ``global.<id>``."""
    profile_arn: str | None
    """The system-defined profile in the calling Region; None for in-region calls."""
    regional_model_arns: tuple[str, ...]
    """Foundation-model ARNs in the source Region and every Region the profile may route to."""
    regionless_model_arn: str | None
    """The Region-less model ARN that global profiles are authorized against; None otherwise."""

    @property
    def foundation_model_arns(self) -> tuple[str, ...]:
        """All foundation-model ARNs a call in this mode may touch."""
        extra = (self.regionless_model_arn,) if self.regionless_model_arn else ()
        return self.regional_model_arns + extra


def resolve_model(
    model_id: str,
    mode: str,
    region: str,
    account_id: str,
    partition: str = "aws",
    geography: str | None = None,
) -> ResolvedModel:
    """Derives the id to call and the ARNs to grant, for an account that is already known."""
    target = target_model(model_id, mode, region, partition, geography)
    profile_arn = target.profile_arn(account_id)
    return ResolvedModel(
        model_id, target.mode, region, target.invoke_id, profile_arn, target.regional_model_arns,
        target.regionless_model_arn,
    )  # fmt: skip


def _invoke_actions(streaming: bool, synchronous: bool) -> list[str]:
    actions = [
        action for action, wanted in ((INVOKE_ACTION, synchronous), (STREAM_ACTION, streaming)) if wanted
    ]
    if not actions:
        raise BedrockConfigError("invoke statements: grant at least one of synchronous or streaming calls")
    return actions


def _grant_statements(
    actions: list[str],
    profile_arn: pulumi.Input[str] | None,
    regional_model_arns: tuple[str, ...],
    regionless_model_arn: str | None,
) -> list[dict[str, Any]]:
    """The one rendering of a model grant, whether the profile ARN is known yet or still an Output.

    Through a profile, the foundation-model grants carry ``bedrock:InferenceProfileArn`` so the same
    model cannot be called directly (on-demand) or through any other profile.
    """
    if profile_arn is None:
        return [iam.statement("InvokeModelInRegion", actions, list(regional_model_arns))]
    through_profile = {PROFILE_CONDITION_KEY: profile_arn}
    statements = [
        iam.statement("InvokeInferenceProfile", actions, [profile_arn]),
        iam.statement(
            "InvokeModelThroughProfile",
            actions,
            list(regional_model_arns),
            condition={"StringEquals": through_profile},
        ),
    ]
    if regionless_model_arn is not None:
        regionless_condition = {**through_profile, REQUESTED_REGION_KEY: REGIONLESS_REQUESTED_REGION}
        statements.append(
            iam.statement(
                "InvokeGlobalModelThroughProfile",
                actions,
                [regionless_model_arn],
                condition={"StringEquals": regionless_condition},
            )
        )
    return statements


def invoke_statements(
    resolved: ResolvedModel, streaming: bool, *, synchronous: bool = True
) -> list[dict[str, Any]]:
    """IAM statements that allow calling the resolved model in its mode, and nothing else.

    ``synchronous`` grants InvokeModel (also what Converse needs), ``streaming`` grants
    InvokeModelWithResponseStream (ConverseStream); a caller that only streams passes
    ``synchronous=False``.
    """
    return _grant_statements(
        _invoke_actions(streaming, synchronous),
        resolved.profile_arn,
        resolved.regional_model_arns,
        resolved.regionless_model_arn,
    )


def model_invoke_statements(
    model_id: str,
    mode: str,
    region: str,
    account_id: pulumi.Input[str],
    *,
    streaming: bool,
    synchronous: bool,
    partition: str = "aws",
    geography: str | None = None,
) -> list[iam.PolicyStatement]:
    """The grant every route attaches to the role that calls the model, for an account still unknown.

    Same statements as ``invoke_statements`` once the account resolves (the profile ARN is the
    only value that waits for it), so the number and shape of the statements show in a preview.
    Every choice, and an account given as a plain string, is checked here before anything is declared.
    """
    target = target_model(model_id, mode, region, partition, geography)
    actions = _invoke_actions(streaming, synchronous)
    if isinstance(account_id, str):
        check_account_id(account_id)
    profile_arn = (
        pulumi.Output.from_input(account_id).apply(target.profile_arn) if target.uses_profile else None
    )
    return _grant_statements(actions, profile_arn, target.regional_model_arns, target.regionless_model_arn)
