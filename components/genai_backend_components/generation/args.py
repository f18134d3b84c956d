"""What a GenerationRoute can be asked for: the public args every Pulumi language sees."""

from collections.abc import Mapping
from enum import StrEnum
from typing import NotRequired, TypedDict

import pulumi

from ..bedrock import InferenceMode


class OutputMode(StrEnum):
    """How the model is made to answer in the route's shape."""

    TOOL = "tool"
    """Force a tool call whose input schema is the answer's shape (Claude 3+, Nova)."""
    JSON_TEXT = "json-text"
    """Ask for JSON in the text answer (models without tool use)."""


class GenerationRouteArgs(TypedDict):
    """A generation route on an existing API: one Query field answered by one Bedrock Converse call."""

    api_id: pulumi.Input[str]
    """Id of the AppSync API whose schema already holds the field (see ``schema_with_generation``)."""
    region: str
    """Region of the API; the data source calls Bedrock runtime in this Region, as AppSync requires."""
    account_id: pulumi.Input[str]
    """Account of the API, for the inference-profile ARN the role is granted (checked when known)."""
    model_id: str
    """Base foundation-model id, e.g. ``amazon.nova-lite-v1:0``; the mode adds any profile prefix."""
    inference_mode: InferenceMode
    """in-region (bare model), geo (e.g. ``us.``) or global cross-Region profile."""
    system_prompt: str
    """Instructions sent as Converse ``system`` (at most 2,048 bytes); the resolver appends how to shape
    the answer."""
    api_arn: NotRequired[pulumi.Input[str]]
    """ARN of the same API; when given, the Bedrock data source's role trusts AppSync only for this API."""
    geography: NotRequired[str]
    """For geo mode only: a narrower profile family such as ``jp`` or ``au``; unset picks the broad one."""
    max_tokens: NotRequired[int]
    """Output-token cap per answer, 1 to 2000 (default 600), bounded by the time AppSync waits for Bedrock."""
    temperature: NotRequired[float]
    """Sampling temperature, 0 to 1 (default 0.3); low keeps answers factual and repeatable."""
    output_mode: NotRequired[OutputMode]
    """Default tool."""
    field_name: NotRequired[str]
    """The Query field the route resolves (default ``generateInsights``); it must be in the API's schema."""
    data_source_name: NotRequired[str]
    """AppSync name of the HTTP data source (default ``BedrockRuntime``); the settings step adds ``Settings``."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for the Bedrock data source's role."""
