"""Which ConversationRouteArgs can work, checked before the route declares anything."""

from typing import Annotated

from pydantic import AfterValidator, StrictBool, StrictStr

from ..bedrock import (
    BedrockConfigError,
    InferenceMode,
    SystemPrompt,
    check_model_choice,
    choice_arg,
    partition_for_region,
)
from ..constraints import AccountId, AwsRegion, RetentionDays, Text, arn_of, number_in, whole_number_in
from ..function import MEMORY_RANGE, TIMEOUT_RANGE, ApplicationLogLevel, SystemLogLevel
from ..graphql import resolver_problems
from ..validation import ArgsModel, Deferred, Problem
from .names import RouteNames, route_type_suffix
from .wiring import resolver_plan

MAX_EVENT_AGE_SECONDS = 300
"""A turn still queued after this long is dropped: nobody is waiting for it any more."""


def _route(value: str) -> str:
    try:
        route_type_suffix(value)
    except ValueError as error:
        raise ValueError(str(error).removeprefix("route: ")) from None
    return value


class ConversationModelModel(ArgsModel):
    model_id: Text
    system_prompt: SystemPrompt
    inference_mode: InferenceMode = InferenceMode.GEO
    geography: Text | None = None
    max_tokens: whole_number_in(1, 200_000) = 1024
    temperature: number_in(0.0, 1.0) | None = None


class ConversationRouteModel(ArgsModel):
    route: Annotated[StrictStr, AfterValidator(_route)]
    api_id: Deferred[Text]
    graphql_url: Deferred[Text]
    schema_sdl: Text
    region: AwsRegion
    account_id: Deferred[AccountId]
    model: ConversationModelModel
    protect_data: StrictBool
    api_arn: Deferred[arn_of("appsync", "apis/")] | None = None
    batch_milliseconds: whole_number_in(0, 60_000) = 250
    batch_characters: whole_number_in(1, 100_000) = 400
    history_message_limit: whole_number_in(1, 1_000) = 50
    handler_timeout_seconds: whole_number_in(30, TIMEOUT_RANGE[1]) = 120
    handler_memory_mb: whole_number_in(*MEMORY_RANGE) = 512
    log_retention_days: RetentionDays = 14
    application_log_level: ApplicationLogLevel = ApplicationLogLevel.INFO
    system_log_level: SystemLogLevel = SystemLogLevel.WARN
    tracing: StrictBool = False
    tags: Deferred[dict[StrictStr, Deferred[StrictStr]]] | None = None

    @property
    def names(self) -> RouteNames:
        return RouteNames.of(self.route)

    @property
    def partition(self) -> str:
        return partition_for_region(self.region)

    def cross_problems(self) -> list[Problem]:
        model = self.model
        try:
            check_model_choice(
                model.model_id, model.inference_mode.value, self.region, self.partition, model.geography
            )
        except BedrockConfigError as error:
            field = choice_arg(error)
            return [Problem(field if field == "region" else f"model.{field}", str(error))]
        functions, resolvers = resolver_plan(self.names)
        return [
            Problem("schema_sdl", f"does not hold the route's fields: {problem.path}: {problem.message}")
            for problem in resolver_problems(
                self.schema_sdl, resolvers, functions, self.names.data_sources.values()
            )
        ]
