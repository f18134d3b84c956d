"""Which ConversationRouteArgs can work, checked before the route declares anything."""

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictStr, StringConstraints

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
from ..graphql import MAX_CODE_LENGTH, build_appsync_schema, resolver_problems
from ..validation import ArgsModel, Deferred, Problem
from .conversation_handler.settings import MAX_TOOL_ITERATIONS_RANGE
from .data_tools import (
    TOOL_NAME,
    DataToolDefinition,
    DataToolError,
    data_tool_definition,
    data_tools_digest,
    tools_settings_code,
)
from .names import RouteNames, route_type_suffix
from .tools_check import executable_tools_problems
from .wiring import HANDLER_PACKAGE, resolver_plan

MAX_EVENT_AGE_SECONDS = 300
"""A turn still queued after this long is dropped: nobody is waiting for it any more."""
MAX_DATA_TOOLS = 50
MAX_TOOL_DESCRIPTION = 4096


def _route(value: str) -> str:
    try:
        route_type_suffix(value)
    except ValueError as error:
        raise ValueError(str(error).removeprefix("route: ")) from None
    return value


def _tool_name(value: str) -> str:
    if not TOOL_NAME.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a Bedrock tool name: 1 to 64 letters, digits, '_' or '-' ({TOOL_NAME.pattern})"
        )
    return value


def _tools_folder(value: str) -> str:
    path = Path(value)
    name = path.resolve().name
    if not path.is_dir():
        raise ValueError(f"{value!r} is not a folder")
    if not name.isidentifier() or name == HANDLER_PACKAGE:
        raise ValueError(
            f"folder name {name!r} must be a Python identifier other than {HANDLER_PACKAGE!r} (it is the package)"
        )
    if not (path / "__init__.py").is_file():
        raise ValueError(f"{value!r} has no __init__.py; it must define TOOLS there")
    return value


class DataToolModel(ArgsModel):
    name: Annotated[StrictStr, AfterValidator(_tool_name)]
    description: Annotated[Text, StringConstraints(max_length=MAX_TOOL_DESCRIPTION)]
    query_field: Text


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
    data_tools: tuple[DataToolModel, ...] = Field(default=(), max_length=MAX_DATA_TOOLS)
    executable_tools_code_path: Annotated[StrictStr, AfterValidator(_tools_folder)] | None = None
    max_tool_iterations: whole_number_in(*MAX_TOOL_ITERATIONS_RANGE) = 5
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
        return self._route_problems() + self._executable_tool_problems()

    def _executable_tool_problems(self) -> list[Problem]:
        """The tools package imported as the handler imports it (tools_check.py); only when one is set."""
        if self.executable_tools_code_path is None:
            return []
        return [
            Problem("executable_tools_code_path", problem)
            for problem in executable_tools_problems(
                self.executable_tools_code_path, self.region, [tool.name for tool in self.data_tools]
            )
        ]

    def _route_problems(self) -> list[Problem]:
        model = self.model
        try:
            check_model_choice(
                model.model_id, model.inference_mode.value, self.region, self.partition, model.geography
            )
        except BedrockConfigError as error:
            field = choice_arg(error)
            return [Problem(field if field == "region" else f"model.{field}", str(error))]
        functions, resolvers = resolver_plan(self.names)
        problems = [
            Problem("schema_sdl", f"does not hold the route's fields: {problem.path}: {problem.message}")
            for problem in resolver_problems(
                self.schema_sdl, resolvers, functions, self.names.data_sources.values()
            )
        ]
        return problems or self._data_tool_problems()

    def data_tool_definitions(self) -> list[DataToolDefinition]:
        """Each data tool as derived from the schema (raises DataToolError; checked by cross_problems)."""
        schema = build_appsync_schema(self.schema_sdl, owner="schema_sdl")
        return [
            data_tool_definition(schema, tool.name, tool.description, tool.query_field)
            for tool in self.data_tools
        ]

    def tools_code(self) -> str:
        """The generated sendMessage step that hands the data tools to invokeHandler (see data_tools.py)."""
        return tools_settings_code(self.data_tool_definitions())

    def data_tools_sha256(self) -> str:
        """The handler's ``DATA_TOOLS_SHA256``: the digest of the data tools that step stashes (of ``[]``
        without data tools, as the packaged step stashes); the handler refuses events carrying others."""
        return data_tools_digest(self.data_tool_definitions() if self.data_tools else [])

    def _data_tool_problems(self) -> list[Problem]:
        schema = build_appsync_schema(self.schema_sdl, owner="schema_sdl")
        problems, first_index = [], {}
        for index, tool in enumerate(self.data_tools):
            if tool.name in first_index:
                problems.append(
                    Problem(
                        f"data_tools[{index}].name",
                        f"{tool.name!r} is also data_tools[{first_index[tool.name]}]",
                    )
                )
            first_index.setdefault(tool.name, index)
            try:
                data_tool_definition(schema, tool.name, tool.description, tool.query_field)
            except DataToolError as problem:
                problems.append(Problem(f"data_tools[{index}].query_field", str(problem)))
        if problems:
            return problems
        size = len(self.tools_code())
        if size > MAX_CODE_LENGTH:
            return [
                Problem(
                    "data_tools",
                    f"the tools' definitions need {size:,} characters of resolver code and AppSync allows "
                    f"{MAX_CODE_LENGTH:,}: offer fewer tools or shorten their descriptions",
                )
            ]
        return []
