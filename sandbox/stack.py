"""What the sandbox serves, derived from a stack's checked settings exactly as the Pulumi program derives it.

- Settings: ``Pulumi.<stack>.yaml`` read and checked by ``app.settings`` (the same checks as ``pulumi up``;
  secrets the file does not hold are placeholders, as in ``synth``).
- Auth: ``app.component_args.auth_args`` checked as ``AuthModel``.
- League API: ``league_table_args`` / ``follows_table_args``, ``league_data_sources`` and ``league_resolvers``
  (``app.api_schema.RESOLVER_DATA_SOURCES``), and the League function's ``league_function_args``.
- AI routes: the ``GenerationRoute`` and ``ConversationRoute`` components are evaluated under Pulumi's mock
  runtime (``tools.evaluate``, no cloud) with the stack's args, and the sandbox reads back what they declare:
  the generation pipeline's code (its generated settings step included) and HTTP data source; the
  conversation route's resolvers and pipeline functions (code, data source, pipeline order; its generated
  toolSettings and verifyHandlerCaller steps included); the handler's name, handler, timeout, environment
  and role name. The conversation tables' ``TableArgs`` are ``conversation_table_args`` /
  ``message_table_args`` of the checked args, the calls the component makes.
- IAM callers: SigV4-signed requests act as the conversation handler's role (``iam_caller_arn``, see
  ``sandbox.sigv4``), which the route's generated verifyHandlerCaller step admits.

Declared code equal to a shipped file is served from that file (edits are live); generated code is written
out by the server before serving (``StackPlan.generated``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from app import component_args as build
from app.api_schema import api_schema
from app.league import league_data_sources, league_resolvers
from app.paths import LEAGUE_CODE, ROOT
from app.settings import StackSettings, settings_from_values
from genai_backend_components.auth import AuthModel
from genai_backend_components.conversation import (
    HANDLER_DIRECTORY,
    RESOLVER_DIRECTORY,
    ConversationRoute,
    ConversationRouteModel,
    conversation_table_args,
    message_table_args,
)
from genai_backend_components.function import LoggedFunctionModel
from genai_backend_components.generation import INVOKE_CONVERSE_CODE, PIPELINE_CODE, GenerationRoute
from genai_backend_components.table import TableArgs
from genai_backend_components.validation import check_args
from sandbox.sigv4 import SANDBOX_ACCOUNT_ID, assumed_role_arn
from tools.evaluate import evaluate
from tools.stack_files import read_stack_config
from tools.synth import fill_missing_secrets

API_ID = "sandbox"


@dataclass(frozen=True)
class LambdaPlan:
    """A Lambda function the sandbox runs in-process: its code folder, handler and environment."""

    name: str
    code_path: Path
    handler: str
    """``package.module.function`` as Lambda reads it; the package is ``code_path`` itself."""
    environment: dict[str, str]
    timeout_seconds: int


@dataclass(frozen=True)
class SourcePlan:
    """One data source: its AppSync kind and what it reaches."""

    kind: str
    table: str | None = None
    function: str | None = None
    endpoint: str | None = None
    signing_region: str | None = None
    signing_service: str | None = None


@dataclass(frozen=True)
class ResolverPlan:
    steps: tuple[tuple[Path, str], ...]
    """(code file, data source name) per function; one step and no pipeline for a unit resolver."""
    pipeline: Path | None = None


@dataclass
class StackPlan:
    stack: str
    settings: StackSettings
    auth: AuthModel
    tables: dict[str, TableArgs] = field(default_factory=dict)
    data_sources: dict[str, SourcePlan] = field(default_factory=dict)
    resolvers: dict[str, ResolverPlan] = field(default_factory=dict)
    functions: dict[str, LambdaPlan] = field(default_factory=dict)
    generated: dict[str, str] = field(default_factory=dict)
    """Generated code (file name -> code) that the sandbox writes out before serving, e.g. a settings step."""
    generation_field: str = ""
    conversation_route: str = ""
    iam_caller_arn: str = ""
    """``ctx.identity.userArn`` of SigV4-signed callers: a session of the conversation handler's role."""

    @property
    def region(self) -> str:
        return self.settings.region

    @property
    def schema_sdl(self) -> str:
        return self.settings.schema_sdl


def load_settings(stack: str, root: Path = ROOT) -> StackSettings:
    """The stack's settings, checked like ``pulumi up`` checks them (raises ``SettingsError``)."""
    config = read_stack_config(root, stack)
    fill_missing_secrets(config)
    prefix = f"{config.project}:"
    return settings_from_values(
        project=config.project,
        stack=stack,
        values=config.project_values(),
        secret_keys={key[len(prefix) :] for key in config.secret_keys if key.startswith(prefix)},
        aws_values={
            key[len("aws:") :]: value for key, value in config.values.items() if key.startswith("aws:")
        },
    )


def _league(plan: StackPlan) -> None:
    values = plan.settings.values
    league_table = values.values.get("leagueTableName") or "sandbox-league"
    plan.tables[league_table] = build.league_table_args(values)
    plan.tables["sandbox-follows"] = build.follows_table_args(values)
    function_name = "sandbox-league-function"
    sources = league_data_sources(
        league_table_name=league_table,
        league_table_arn=f"arn:aws:dynamodb:{plan.region}:{SANDBOX_ACCOUNT_ID}:table/{league_table}",
        follows_name="sandbox-follows",
        follows_arn=f"arn:aws:dynamodb:{plan.region}:{SANDBOX_ACCOUNT_ID}:table/sandbox-follows",
        league_function_arn=f"arn:aws:lambda:{plan.region}:{SANDBOX_ACCOUNT_ID}:function:{function_name}",
    )
    for name, source in sources.items():
        if "dynamodb" in source:
            plan.data_sources[name] = SourcePlan(
                "AMAZON_DYNAMODB", table=str(source["dynamodb"]["table_name"])
            )
        elif "function" in source:
            plan.data_sources[name] = SourcePlan("AWS_LAMBDA", function=function_name)
        else:
            raise ValueError(f"data source {name}: a kind the sandbox does not run: {sorted(source)}")
    for field_name, resolver in league_resolvers().items():
        plan.resolvers[field_name] = ResolverPlan(
            ((Path(resolver["code_path"]), str(resolver["data_source"])),)
        )
    args = build.league_function_args(
        values, code_path=str(LEAGUE_CODE), table_name=league_table, layer_arn="local"
    )
    function = check_args(LoggedFunctionModel, "LoggedFunctionArgs", args)  # the component's defaults too
    plan.functions[function_name] = LambdaPlan(
        name=function_name,
        code_path=Path(function.code_path),
        handler=function.handler,
        environment={key: str(value) for key, value in (args.get("environment") or {}).items()},
        timeout_seconds=function.timeout,
    )


def _code_file(code: str, known: list[Path], generated_name: str, plan: StackPlan) -> Path:
    """The shipped file holding ``code`` (so edits are live), or a generated file for generated code."""
    for path in known:
        if path.is_file() and path.read_text(encoding="utf-8") == code:
            return path
    plan.generated[generated_name] = code
    return Path(generated_name)


def _ai_routes(plan: StackPlan, graphql_url: str) -> None:
    values, region = plan.settings.values, plan.region
    api_arn = f"arn:aws:appsync:{region}:{SANDBOX_ACCOUNT_ID}:apis/{API_ID}"
    common = {"api_id": API_ID, "api_arn": api_arn, "account_id": SANDBOX_ACCOUNT_ID}
    conversation_args = build.conversation_args(
        values, schema_sdl=plan.schema_sdl, graphql_url=graphql_url, **common
    )

    def program() -> None:
        generation = GenerationRoute(
            "generation", build.generation_args(values, schema_sdl=plan.schema_sdl, **common)
        )
        route = ConversationRoute(build.CONVERSATION_ROUTE, conversation_args)
        pulumi.export("generationField", generation.field_name)
        pulumi.export("pipelineCode", generation.resolver.code)
        pulumi.export(
            "pipelineFunctions", generation.resolver.pipeline_config.apply(lambda c: c["functions"])
        )
        steps = [generation.settings_function, generation.invoke_function]
        pulumi.export(
            "steps", [pulumi.Output.all(s.function_id, s.name, s.data_source, s.code) for s in steps]
        )
        pulumi.export(
            "httpSource", pulumi.Output.all(generation.data_source.name, generation.data_source.http_config)
        )
        handler = route.handler.function
        pulumi.export(
            "handler",
            pulumi.Output.all(
                handler.name, handler.handler, handler.timeout, handler.environment, route.handler.role.name
            ),
        )
        pulumi.export(
            "conversationFunctions",
            [
                pulumi.Output.all(f.function_id, f.name, f.data_source, f.code)
                for f in route.functions.values()
            ],
        )
        pulumi.export(
            "conversationResolvers",
            [
                pulumi.Output.all(r.type, r.field, r.kind, r.data_source, r.pipeline_config, r.code)
                for r in route.resolvers.values()
            ],
        )

    outputs = evaluate(program, stack=plan.stack, project="sandbox", region=region).outputs

    # Generation: pipeline resolver over [settings step (NONE), Converse call (HTTP to Bedrock)].
    field_name = outputs["generationField"]
    plan.generation_field = field_name
    shipped = [INVOKE_CONVERSE_CODE, PIPELINE_CODE, *sorted(INVOKE_CONVERSE_CODE.parent.glob("*.js"))]
    by_id = {function_id: (name, source, code) for function_id, name, source, code in outputs["steps"]}
    steps = []
    for function_id in outputs["pipelineFunctions"]:
        name, source, code = by_id[function_id]
        steps.append((_code_file(code, shipped, f"{name}.js", plan), source))
        plan.data_sources.setdefault(source, SourcePlan("NONE"))
    http_name, http_config = outputs["httpSource"]
    authorization = http_config.get("authorization_config") or http_config.get("authorizationConfig") or {}
    iam = authorization.get("aws_iam_config") or authorization.get("awsIamConfig") or {}
    plan.data_sources[http_name] = SourcePlan(
        "HTTP",
        endpoint=http_config["endpoint"],
        signing_region=iam.get("signing_region") or iam.get("signingRegion"),
        signing_service=iam.get("signing_service_name") or iam.get("signingServiceName"),
    )
    pipeline = _code_file(outputs["pipelineCode"], shipped, f"Query.{field_name}.js", plan)
    plan.resolvers[f"Query.{field_name}"] = ResolverPlan(tuple(steps), pipeline)

    # Conversation: the component's own wiring, tables and handler.
    spec = check_args(ConversationRouteModel, "ConversationRouteArgs", conversation_args)
    plan.conversation_route = spec.route
    names = spec.names
    handler_name, handler, timeout, environment, role_name = outputs["handler"]
    plan.iam_caller_arn = assumed_role_arn(role_name, handler_name, partition=spec.partition)
    variables = dict(environment.get("variables") or {})
    plan.tables[variables["CONVERSATIONS_TABLE_NAME"]] = conversation_table_args(spec.protect_data, spec.tags)
    plan.tables[variables["MESSAGES_TABLE_NAME"]] = message_table_args(spec.protect_data, spec.tags)
    sources = names.data_sources
    plan.data_sources[sources["conversations"]] = SourcePlan(
        "AMAZON_DYNAMODB", table=variables["CONVERSATIONS_TABLE_NAME"]
    )
    plan.data_sources[sources["messages"]] = SourcePlan(
        "AMAZON_DYNAMODB", table=variables["MESSAGES_TABLE_NAME"]
    )
    plan.data_sources[sources["handler"]] = SourcePlan("AWS_LAMBDA", function=handler_name)
    plan.data_sources[sources["none"]] = SourcePlan("NONE")
    plan.functions[handler_name] = LambdaPlan(
        name=handler_name,
        code_path=HANDLER_DIRECTORY,
        handler=handler,
        environment={key: str(value) for key, value in variables.items()},
        timeout_seconds=int(timeout),
    )
    shipped = sorted(RESOLVER_DIRECTORY.glob("*.js"))
    by_id = {
        function_id: (name, source, code)
        for function_id, name, source, code in outputs["conversationFunctions"]
    }
    for type_name, field_name, kind, data_source, pipeline_config, code in outputs["conversationResolvers"]:
        type_field = f"{type_name}.{field_name}"
        if kind == "PIPELINE":
            steps = []
            for function_id in pipeline_config["functions"]:
                name, source, step_code = by_id[function_id]
                steps.append((_code_file(step_code, shipped, f"{name}.js", plan), source))
            resolver = ResolverPlan(tuple(steps), _code_file(code, shipped, f"{type_field}.js", plan))
        else:
            resolver = ResolverPlan(((_code_file(code, shipped, f"{type_field}.js", plan), data_source),))
        unknown = sorted({source for _, source in resolver.steps} - set(plan.data_sources))
        if unknown:
            raise ValueError(f"{type_field}: data sources the sandbox does not serve: {unknown}")
        plan.resolvers[type_field] = resolver


def load_stack(stack: str, graphql_url: str, root: Path = ROOT) -> StackPlan:
    """Everything the sandbox serves for ``stack``, with ``graphql_url`` as the API's URL."""
    settings = load_settings(stack, root)
    auth_args, _ = build.auth_args(settings.values)
    plan = StackPlan(stack=stack, settings=settings, auth=check_args(AuthModel, "AuthArgs", auth_args))
    _league(plan)
    _ai_routes(plan, graphql_url)
    if plan.schema_sdl != api_schema():
        raise ValueError("the stack's schema differs from app.api_schema.api_schema()")
    return plan


def describe(plan: StackPlan) -> Mapping[str, Any]:
    """A short summary for the start-up log."""
    return {
        "tables": sorted(plan.tables),
        "resolvers": len(plan.resolvers),
        "dataSources": sorted(plan.data_sources),
        "functions": sorted(plan.functions),
    }
