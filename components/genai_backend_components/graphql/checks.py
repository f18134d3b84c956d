"""Which GraphqlApiArgs AppSync accepts, checked before the API declares anything."""

from pydantic import Field, StrictBool, StrictStr

from ..constraints import GraphqlName, RetentionDays, Text, whole_number_in
from ..validation import ArgsModel, Deferred, Problem, join_path
from .args import AdditionalAuthMode, DefaultAction, FieldLogLevel
from .data_sources import DataSourceModel
from .resolvers import PipelineFunctionModel, ResolverModel, resolver_problems

MAX_QUERY_DEPTH = 75
MAX_RESOLVER_COUNT = 10000


class GraphqlApiModel(ArgsModel):
    schema_sdl: Text
    user_pool_id: Deferred[Text]
    user_pool_region: Text | None = None
    default_action: DefaultAction = DefaultAction.ALLOW
    additional_auth_modes: tuple[AdditionalAuthMode, ...] = (AdditionalAuthMode.AWS_IAM,)
    field_log_level: FieldLogLevel = FieldLogLevel.ERROR
    exclude_verbose_content: StrictBool = True
    log_retention_days: RetentionDays = 30
    xray_enabled: StrictBool = False
    introspection: StrictBool = True
    query_depth_limit: whole_number_in(0, MAX_QUERY_DEPTH) = 0
    resolver_count_limit: whole_number_in(0, MAX_RESOLVER_COUNT) = 0
    data_sources: dict[GraphqlName, DataSourceModel] = Field(default_factory=dict)
    functions: dict[GraphqlName, PipelineFunctionModel] = Field(default_factory=dict)
    resolvers: dict[StrictStr, ResolverModel] = Field(default_factory=dict)
    api_name: Text | None = None
    tags: Deferred[dict[StrictStr, Deferred[StrictStr]]] | None = None

    def cross_problems(self) -> list[Problem]:
        problems = [
            Problem(join_path(f"data_sources[{name!r}]", problem.path), problem.message)
            for name, source in self.data_sources.items()
            for problem in source.cross_problems()
        ]
        if len(set(self.additional_auth_modes)) != len(self.additional_auth_modes):
            problems.append(Problem("additional_auth_modes", "lists a mode twice"))
        if self.additional_auth_modes and self.default_action is not DefaultAction.ALLOW:
            problems.append(
                Problem(
                    "default_action",
                    "must be ALLOW when additional_auth_modes is set (an AppSync rule); restrict fields with "
                    "directives such as @aws_cognito_user_pools(cognito_groups: [...]) instead",
                )
            )
        return problems + resolver_problems(
            self.schema_sdl, self.resolvers, self.functions, self.data_sources
        )
