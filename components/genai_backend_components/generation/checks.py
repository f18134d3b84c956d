"""Which GenerationRouteArgs can work, checked before the route declares anything."""

from typing import Any

from graphql import GraphQLNonNull
from pydantic import StrictStr

from ..bedrock import (
    BedrockConfigError,
    InferenceMode,
    SystemPrompt,
    check_account_id,
    choice_arg,
    partition_for_region,
    target_model,
    time_budget_problem,
)
from ..constraints import AwsRegion, GraphqlName, Text, arn_of, number_in, whole_number_in
from ..graphql import MAX_CODE_LENGTH, build_appsync_schema
from ..validation import ArgsModel, Deferred, Problem
from .output_schema import UnsupportedReturnTypeError, answer_schema
from .settings_step import stash_settings_code

MAX_TOKENS_LIMIT = 8192
"""An upper bound for any synchronous answer; the time budget (``bedrock.speeds``) is usually lower."""
STASH_KEY = "generation"
"""``ctx.stash`` key the settings step fills and ``invokeConverse.js`` reads."""
TOOL_NAME = "answer"
"""The one tool the model is made to call; its input is ``{"value": <the answer>}``."""


class GenerationRouteModel(ArgsModel):
    api_id: Deferred[Text]
    schema_sdl: Text
    field_name: GraphqlName
    region: AwsRegion
    account_id: Deferred[StrictStr]
    model_id: Text
    inference_mode: InferenceMode
    system_prompt: SystemPrompt
    api_arn: Deferred[arn_of("appsync", "apis/")] | None = None
    geography: Text | None = None
    max_tokens: whole_number_in(1, MAX_TOKENS_LIMIT) = 1000
    temperature: number_in(0.0, 1.0) = 0.3
    top_p: number_in(0.0, 1.0) | None = None
    output_tokens_per_second: number_in(1.0, 10_000.0) | None = None
    data_source_name: GraphqlName | None = None
    tags: Deferred[dict[StrictStr, Deferred[StrictStr]]] | None = None

    @property
    def partition(self) -> str:
        return partition_for_region(self.region)

    @property
    def source_name(self) -> str:
        return (
            self.data_source_name
            or f"GenerationBedrockDataSource{self.field_name[0].upper()}{self.field_name[1:]}"
        )

    @property
    def invoke_id(self) -> str:
        """The ``modelId`` the resolver calls (bare id or profile id); it does not depend on the account."""
        return target_model(
            self.model_id, self.inference_mode.value, self.region, self.partition, self.geography
        ).invoke_id

    def tool_schema(self) -> dict[str, Any]:
        """The answer's JSON schema, from the field's return type in the schema."""
        field = build_appsync_schema(self.schema_sdl).query_type.fields[self.field_name]  # type: ignore[union-attr]
        return answer_schema(field.type)

    def settings_code(self) -> str:
        """The settings step's code: the route's values in ``ctx.stash.generation`` for invokeConverse.js."""
        inference: dict[str, Any] = {"maxTokens": self.max_tokens, "temperature": float(self.temperature)}
        if self.top_p is not None:
            inference["topP"] = float(self.top_p)
        field = build_appsync_schema(self.schema_sdl).query_type.fields[self.field_name]  # type: ignore[union-attr]
        values = {
            "modelId": self.invoke_id,
            "systemPrompt": self.system_prompt,
            "inferenceConfig": inference,
            "toolName": TOOL_NAME,
            "toolDescription": (field.description or f"Records the answer of {self.field_name}.").strip(),
            "answerSchema": self.tool_schema(),
            "answerRequired": isinstance(field.type, GraphQLNonNull),
        }
        return stash_settings_code(STASH_KEY, values)

    def cross_problems(self) -> list[Problem]:
        try:
            target_model(
                self.model_id, self.inference_mode.value, self.region, self.partition, self.geography
            )
        except BedrockConfigError as error:
            return [Problem(choice_arg(error), str(error))]
        if isinstance(self.account_id, str):
            try:
                check_account_id(self.account_id)
            except BedrockConfigError as error:
                return [Problem("account_id", str(error))]
        problems = self._field_problems()
        budget = time_budget_problem(self.model_id, self.max_tokens, self.output_tokens_per_second)
        if budget:
            problems.append(Problem("max_tokens", budget))
        if not problems:
            size = len(self.settings_code())
            if size > MAX_CODE_LENGTH:
                problems.append(
                    Problem("schema_sdl", f"the answer's schema and the prompt make {size} characters of settings "
                            f"code; AppSync allows {MAX_CODE_LENGTH}")
                )  # fmt: skip
        return problems

    def _field_problems(self) -> list[Problem]:
        try:
            schema = build_appsync_schema(self.schema_sdl)
        except ValueError as error:
            return [Problem("schema_sdl", str(error).removeprefix("schema: "))]
        query = schema.query_type
        if query is None or self.field_name not in query.fields:
            return [Problem("field_name", f"the schema has no Query field {self.field_name!r}")]
        try:
            answer_schema(query.fields[self.field_name].type)
        except UnsupportedReturnTypeError as error:
            return [Problem("schema_sdl", f"Query.{self.field_name}: {error}")]
        return []
