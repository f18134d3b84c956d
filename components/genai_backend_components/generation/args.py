"""What a GenerationRoute can be asked for: the public args every Pulumi language sees.

The route's contract (its arguments and its return type) is the API's schema itself: ``field_name`` names a
Query field of ``schema_sdl``, and the route reads the field's arguments and return type from there, so the
schema a client sees and the answer the model is held to cannot drift apart. ``schema_with_generation`` adds
such a field to a schema from Python.
"""

from collections.abc import Mapping
from typing import NotRequired, TypedDict

import pulumi

from ..bedrock import InferenceMode


class GenerationRouteArgs(TypedDict):
    """A generation route on an existing API: one Query field answered by one Bedrock Converse call."""

    api_id: pulumi.Input[str]
    """Id of the AppSync API whose schema holds the field."""
    schema_sdl: str
    """The API's deployed schema; ``Query.<field_name>`` in it declares the route's arguments and return type
    (any GraphQL output type: scalars, enums, lists, custom types)."""
    field_name: str
    """The Query field the route resolves, e.g. ``generateInsights``."""
    region: str
    """Region of the API; the data source calls Bedrock runtime in this Region, as AppSync requires."""
    account_id: pulumi.Input[str]
    """Account of the API, for the inference-profile ARN the role is granted (checked when known)."""
    model_id: str
    """Base foundation-model id, e.g. ``amazon.nova-lite-v1:0``; the mode adds any profile prefix. The model
    must support forced tool use (Anthropic Claude 3 and newer, Amazon Nova, Meta Llama 3.1+, Mistral Large)."""
    inference_mode: InferenceMode
    """in-region (bare model), geo (e.g. ``us.``) or global cross-Region profile."""
    system_prompt: str
    """Instructions sent as Converse ``system`` (at most 2,048 bytes)."""
    api_arn: NotRequired[pulumi.Input[str]]
    """ARN of the same API; when given, the Bedrock data source's role trusts AppSync only for this API."""
    geography: NotRequired[str]
    """For geo mode only: a narrower profile family such as ``jp`` or ``au``; unset picks the broad one."""
    max_tokens: NotRequired[int]
    """Output-token cap per answer (default 1000); it must fit AppSync's 30 s resolver limit at the model's
    output speed (see ``output_tokens_per_second``)."""
    temperature: NotRequired[float]
    """Sampling temperature, 0 to 1 (default 0.3); low keeps answers factual and repeatable."""
    top_p: NotRequired[float]
    """Nucleus sampling, 0 to 1; unset keeps the model's default."""
    output_tokens_per_second: NotRequired[float]
    """The model's output speed, for the time budget; unset uses a conservative estimate per model family."""
    data_source_name: NotRequired[str]
    """AppSync name of the HTTP data source (default ``GenerationBedrockDataSource<Field>``, as Amplify names
    it); the settings step's NONE data source adds ``Settings``."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for the Bedrock data source's role."""
