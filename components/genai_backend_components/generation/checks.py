"""Which GenerationRouteArgs can work, checked before the route declares anything."""

from pydantic import StrictStr

from ..bedrock import (
    BedrockConfigError,
    InferenceMode,
    SystemPrompt,
    check_account_id,
    choice_arg,
    partition_for_region,
    target_model,
)
from ..constraints import AwsRegion, GraphqlName, Text, arn_of, number_in, whole_number_in
from ..graphql import MAX_CODE_LENGTH
from ..validation import ArgsModel, Deferred, Problem
from .args import OutputMode
from .settings_step import stash_settings_code

MAX_TOKENS_LIMIT = 2000
STASH_KEY = "generation"
"""``ctx.stash`` key the settings step fills and ``invokeConverse.js`` reads."""


class GenerationRouteModel(ArgsModel):
    api_id: Deferred[Text]
    region: AwsRegion
    account_id: Deferred[StrictStr]
    model_id: Text
    inference_mode: InferenceMode
    system_prompt: SystemPrompt
    api_arn: Deferred[arn_of("appsync", "apis/")] | None = None
    geography: Text | None = None
    max_tokens: whole_number_in(1, MAX_TOKENS_LIMIT) = 600
    temperature: number_in(0.0, 1.0) = 0.3
    output_mode: OutputMode = OutputMode.TOOL
    field_name: GraphqlName = "generateInsights"
    data_source_name: GraphqlName = "BedrockRuntime"
    tags: Deferred[dict[StrictStr, Deferred[StrictStr]]] | None = None

    @property
    def partition(self) -> str:
        return partition_for_region(self.region)

    @property
    def invoke_id(self) -> str:
        """The ``modelId`` the resolver calls (bare id or profile id); it does not depend on the account."""
        return target_model(
            self.model_id, self.inference_mode.value, self.region, self.partition, self.geography
        ).invoke_id

    def settings_code(self) -> str:
        """The settings step's code: the stack's values in ``ctx.stash.generation`` for invokeConverse.js."""
        values = {
            "modelId": self.invoke_id,
            "systemPrompt": self.system_prompt,
            "maxTokens": self.max_tokens,
            "temperature": float(self.temperature),
            "outputMode": self.output_mode.value,
        }
        return stash_settings_code(STASH_KEY, values)

    def cross_problems(self) -> list[Problem]:
        try:
            partition = partition_for_region(self.region)
            target_model(self.model_id, self.inference_mode.value, self.region, partition, self.geography)
        except BedrockConfigError as error:
            return [Problem(choice_arg(error), str(error))]
        if isinstance(self.account_id, str):
            try:
                check_account_id(self.account_id)
            except BedrockConfigError as error:
                return [Problem("account_id", str(error))]
        size = len(self.settings_code())
        if size > MAX_CODE_LENGTH:
            return [
                Problem(
                    "system_prompt", f"too long for AppSync's {MAX_CODE_LENGTH} characters of code ({size})"
                )
            ]
        return []
