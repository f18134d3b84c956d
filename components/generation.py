"""The generation route: one GraphQL query answered by a single Bedrock Converse call from AppSync.

Like Amplify's ``a.generation`` it uses an AppSync HTTP data source signed with SigV4, but the role
is granted exactly what the configured inference mode needs (``components.bedrock``), so ``us.``
and ``global.`` profiles work where Amplify's foundation-model-only grant fails with AccessDenied
(amplify-category-api #3502). Per-stack values reach the shared resolver file through a generated
settings step (``components.stash_settings``), never through per-stack copies of resolver code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import pulumi
import pulumi_aws as aws

from components.bedrock import (
    INFERENCE_MODES,
    BedrockConfigError,
    InferenceMode,
    check_account_id,
    model_invoke_statements,
    target_model,
)
from components.graphql_data_sources import HttpDataSource, NoneDataSource, declare_data_source, validate_name
from components.graphql_resolvers import APPSYNC_RUNTIME, MAX_CODE_LENGTH, build_appsync_schema, read_code
from components.schema_composition import add_to_schema
from components.stash_settings import stash_settings_code

RESOLVER_DIRECTORY = Path(__file__).resolve().parent / "resolvers" / "generation"
"""Shipped inside the package (not the repository's resolvers/), so an installed wheel finds its defaults."""
INVOKE_CONVERSE_CODE = RESOLVER_DIRECTORY / "invokeConverse.js"
PIPELINE_CODE = RESOLVER_DIRECTORY / "pipeline.js"
STASH_KEY = "generation"
"""``ctx.stash`` key the settings step fills and ``invokeConverse.js`` reads."""
SIGNING_SERVICE = "bedrock"
"""SigV4 service name of bedrock-runtime (botocore ``signingName``; the host prefix differs)."""
MAX_TOKENS_LIMIT = 2000
TEMPERATURE_RANGE = (0.0, 1.0)

OutputMode = Literal["tool", "json-text"]
OUTPUT_MODES: tuple[str, ...] = get_args(OutputMode)


@dataclass(frozen=True, kw_only=True)
class GenerationRouteArgs:
    """What the route needs; the API it extends is passed in by id, never created here."""

    api_id: pulumi.Input[str]
    """Id of the AppSync API whose schema already holds the field (see ``generation_schema_sdl``)."""
    api_arn: pulumi.Input[str] | None = None
    """ARN of the same API; when given, the Bedrock data source's role trusts AppSync only for this API."""
    region: str
    """Region of the API; the data source calls Bedrock runtime in this Region, as AppSync requires."""
    account_id: pulumi.Input[str]
    """Account of the API, for the inference-profile ARN the role is granted (often an Output)."""
    model_id: str
    """Base foundation-model id, e.g. ``amazon.nova-lite-v1:0``; the mode adds any profile prefix."""
    inference_mode: InferenceMode
    """``in-region`` (bare model), ``geo`` (e.g. ``us.``) or ``global`` cross-Region profile."""
    system_prompt: str
    """Instructions sent as Converse ``system``; the resolver appends how to shape the answer."""
    partition: str = "aws"
    """ARN partition of ``region`` (``aws-us-gov`` for GovCloud)."""
    geography: str | None = None
    """For ``geo`` mode only: a narrower profile family such as ``jp`` or ``au``; unset picks the broad one."""
    max_tokens: int = 600
    """Output-token cap per answer, 1 to 2000, bounded by the time AppSync waits for Bedrock.

    AppSync gives a synchronous Bedrock call 10 s (the documented bound for Bedrock calls from
    AppSync resolvers; this route keeps to it so it can move to the AMAZON_BEDROCK_RUNTIME data
    source type unchanged). Answer time is about time-to-first-token plus tokens / output speed:
    (10 s - ~0.5 s) x ~210 tokens/s, an assumed speed for the fastest small models (Nova Micro/Lite
    class; not measured here), is ~2000 tokens, so no model can finish a larger answer in time. Size it for the model: a ~65 tokens/s model with a
    ~0.8 s first token (Claude 3.5 Haiku on Bedrock, Artificial Analysis) fits (10 - 0.8) x 65 ~ 600.
    """
    temperature: float = 0.3
    """Sampling temperature, 0 to 1 (Converse's range); low keeps summaries factual and repeatable."""
    output_mode: OutputMode = "tool"
    """``tool`` forces an Insights-shaped tool call (Claude 3+, Nova); ``json-text`` asks for JSON in text."""
    field_name: str = "generateInsights"
    """The Query field the route resolves; it must be in the API's schema."""
    data_source_name: str = "BedrockRuntime"
    """AppSync name of the HTTP data source; the settings step's NONE data source adds ``Settings``."""
    invoke_code_path: Path = INVOKE_CONVERSE_CODE
    """APPSYNC_JS function that calls Converse and shapes the answer (defaults to the packaged one)."""
    pipeline_code_path: Path = PIPELINE_CODE
    """APPSYNC_JS pipeline resolver code wrapped around the two steps."""


def _number_in_range(field: str, value: object, low: float, high: float, *, integral: bool) -> None:
    """bool is an int in Python and NaN fails no comparison, so both are rejected explicitly."""
    kind = "an integer" if integral else "a number"
    wrong_type = isinstance(value, bool) or not isinstance(value, int if integral else int | float)
    if wrong_type or not math.isfinite(value) or not low <= value <= high:  # type: ignore[arg-type]
        raise ValueError(f"GenerationRouteArgs.{field}: {value!r} must be {kind} from {low:g} to {high:g}")


def _check_args(args: GenerationRouteArgs) -> None:
    """Everything is checked before the first resource, so a bad stack fails in preview naming the field."""
    if isinstance(args.api_id, str) and not args.api_id.strip():
        raise ValueError("GenerationRouteArgs.api_id: must not be empty")
    validate_name("GenerationRouteArgs.field_name", args.field_name)
    validate_name("GenerationRouteArgs.data_source_name", args.data_source_name)
    if args.inference_mode not in INFERENCE_MODES:
        raise ValueError(
            f"GenerationRouteArgs.inference_mode: {args.inference_mode!r} is not one of "
            f"{', '.join(INFERENCE_MODES)}"
        )
    if args.output_mode not in OUTPUT_MODES:
        raise ValueError(
            f"GenerationRouteArgs.output_mode: {args.output_mode!r} is not one of {', '.join(OUTPUT_MODES)}"
        )
    _number_in_range("max_tokens", args.max_tokens, 1, MAX_TOKENS_LIMIT, integral=True)
    _number_in_range("temperature", args.temperature, *TEMPERATURE_RANGE, integral=False)
    if not isinstance(args.system_prompt, str) or not args.system_prompt.strip():
        raise ValueError("GenerationRouteArgs.system_prompt: must be non-empty text")
    try:
        target_model(args.model_id, args.inference_mode, args.region, args.partition, args.geography)
        if isinstance(args.account_id, str):
            check_account_id(args.account_id)
    except BedrockConfigError as error:
        raise BedrockConfigError(f"GenerationRouteArgs: {error}") from error


def invoke_id_for(args: GenerationRouteArgs) -> str:
    """The ``modelId`` the resolver calls (bare id or profile id); it does not depend on the account."""
    return target_model(
        args.model_id, args.inference_mode, args.region, args.partition, args.geography
    ).invoke_id


def generation_settings_code(args: GenerationRouteArgs) -> str:
    """The settings step's code: the stack's values in ``ctx.stash.generation`` for invokeConverse.js."""
    values = {
        "modelId": invoke_id_for(args),
        "systemPrompt": args.system_prompt,
        "maxTokens": args.max_tokens,
        "temperature": float(args.temperature),
        "outputMode": args.output_mode,
    }
    code = stash_settings_code(STASH_KEY, values)
    if len(code) > MAX_CODE_LENGTH:
        raise ValueError(
            f"GenerationRouteArgs.system_prompt: too long; the settings step holding it must stay within "
            f"AppSync's {MAX_CODE_LENGTH} characters of code (it is {len(code)})"
        )
    return code


class GenerationRoute(pulumi.ComponentResource):
    """Adds ``Query.<field_name>`` to an existing API: settings step, then one Converse call on Bedrock."""

    def __init__(
        self, name: str, args: GenerationRouteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        _check_args(args)
        settings_code = generation_settings_code(args)
        invoke_code = read_code("GenerationRouteArgs.invoke_code_path", args.invoke_code_path)
        pipeline_code = read_code("GenerationRouteArgs.pipeline_code_path", args.pipeline_code_path)
        super().__init__("genai:index:GenerationRoute", name, None, opts)

        bedrock = HttpDataSource(
            endpoint=f"https://bedrock-runtime.{args.region}.amazonaws.com",
            signing_region=args.region,
            signing_service=SIGNING_SERVICE,
            # Synchronous only: AppSync waits for one Converse answer, so no stream action is granted.
            statements=model_invoke_statements(
                args.model_id,
                args.inference_mode,
                args.region,
                args.account_id,
                streaming=False,
                synchronous=True,
                partition=args.partition,
                geography=args.geography,
            ),
        )
        self.data_source = declare_data_source(
            name, args.data_source_name, args.api_id, bedrock, self, api_arn=args.api_arn
        )
        self.settings_source = declare_data_source(
            name, f"{args.data_source_name}Settings", args.api_id, NoneDataSource(), self
        )

        def pipeline_step(
            suffix: str, function_name: str, source: aws.appsync.DataSource, code: str
        ) -> aws.appsync.Function:
            return aws.appsync.Function(
                f"{name}-{suffix}",
                api_id=args.api_id,
                name=function_name,
                data_source=source.name,
                runtime=APPSYNC_RUNTIME,
                code=code,
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.settings_function = pipeline_step(
            "settings", f"{args.field_name}Settings", self.settings_source, settings_code
        )
        self.invoke_function = pipeline_step(
            "invoke", f"{args.field_name}InvokeConverse", self.data_source, invoke_code
        )
        self.resolver = aws.appsync.Resolver(
            f"{name}-resolver",
            api_id=args.api_id,
            type="Query",
            field=args.field_name,
            kind="PIPELINE",
            runtime=APPSYNC_RUNTIME,
            code=pipeline_code,
            pipeline_config={
                "functions": [self.settings_function.function_id, self.invoke_function.function_id]
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.field_name: str = args.field_name
        self.model_invoke_id: str = invoke_id_for(args)
        self.register_outputs(
            {
                "field_name": self.field_name,
                "model_invoke_id": self.model_invoke_id,
                "data_source_name": args.data_source_name,
                "resolver_arn": self.resolver.arn,
            }
        )


def _insights_type() -> str:
    return "type Insights @aws_cognito_user_pools {\n  summary: String!\n  highlights: [String!]!\n}\n"


def _query_field(field: str) -> str:
    validate_name("generation field", field)
    return f"{field}(requirement: String!): Insights @aws_cognito_user_pools"


def generation_schema_sdl(field: str = "generateInsights") -> str:
    """The route's SDL fragment: the Insights type and the query, for signed-in user-pool callers only.

    The fragment uses ``extend type Query``; a schema deployed to AppSync should have it folded into
    its one ``type Query`` (``schema_with_generation``), since AppSync is reported not to accept
    object extensions (serverless-appsync-plugin #468 merges them for that reason).
    """
    return f"{_insights_type()}\nextend type Query {{\n  {_query_field(field)}\n}}\n"


def schema_with_generation(base_schema: str, field: str = "generateInsights") -> str:
    """``base_schema`` with the route's query added to its ``type Query`` and the Insights type appended."""
    merged = add_to_schema(
        base_schema, root_fields={"Query": f"  {_query_field(field)}"}, types_sdl=f"\n{_insights_type()}",
        owner="schema_with_generation",
    )  # fmt: skip
    build_appsync_schema(merged, owner="schema_with_generation")
    return merged
