"""The generation route: one GraphQL query answered by a single Bedrock Converse call from AppSync.

Like Amplify's ``a.generation`` it uses an AppSync HTTP data source signed with SigV4, but the role is granted
exactly what the configured inference mode needs (``..bedrock``), so ``us.`` and ``global.`` profiles work
where Amplify's foundation-model-only grant fails with AccessDenied (amplify-category-api #3502). Per-stack
values reach the packaged resolver code through a generated settings step, never through per-stack copies.
"""

from pathlib import Path

import pulumi
import pulumi_aws as aws

from ..bedrock import model_invoke_statements
from ..graphql import APPSYNC_RUNTIME, DataSourceModel, HttpSourceModel, declare_data_source, read_code
from ..package import component_options, component_type
from ..validation import check_args
from .args import GenerationRouteArgs
from .checks import GenerationRouteModel

RESOLVER_DIRECTORY = Path(__file__).resolve().parent / "resolvers"
"""Shipped inside the package, so an installed wheel finds the code it deploys."""
INVOKE_CONVERSE_CODE = RESOLVER_DIRECTORY / "invokeConverse.js"
PIPELINE_CODE = RESOLVER_DIRECTORY / "pipeline.js"
SIGNING_SERVICE = "bedrock"
"""SigV4 service name of bedrock-runtime (botocore ``signingName``; the host prefix differs)."""


class GenerationRoute(pulumi.ComponentResource):
    """Adds ``Query.<field_name>`` to an existing API: a settings step, then one Converse call on Bedrock."""

    data_source: aws.appsync.DataSource
    """The SigV4-signed HTTP data source that calls Bedrock runtime."""
    settings_source: aws.appsync.DataSource
    """The NONE data source of the settings step."""
    settings_function: aws.appsync.Function
    """Pipeline step that puts the route's settings in ``ctx.stash``."""
    invoke_function: aws.appsync.Function
    """Pipeline step that calls Converse and shapes the answer."""
    resolver: aws.appsync.Resolver
    """The field's pipeline resolver."""
    field_name: str
    """The Query field the route resolves."""
    model_invoke_id: str
    """The model id the route calls: the bare id or the inference profile id."""

    def __init__(
        self, name: str, args: GenerationRouteArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        spec = check_args(GenerationRouteModel, "GenerationRouteArgs", args)
        settings_code = spec.settings_code()
        super().__init__(
            component_type("GenerationRoute"), name, None, component_options("GenerationRoute", opts)
        )

        bedrock = DataSourceModel(
            http=HttpSourceModel(
                endpoint=f"https://bedrock-runtime.{spec.region}.amazonaws.com",
                signing_region=spec.region,
                signing_service=SIGNING_SERVICE,
                # Synchronous only: AppSync waits for one Converse answer, so no stream action is granted.
                statements=model_invoke_statements(
                    spec.model_id,
                    spec.inference_mode.value,
                    spec.region,
                    spec.account_id,
                    streaming=False,
                    synchronous=True,
                    partition=spec.partition,
                    geography=spec.geography,
                ),
            )
        )
        self.data_source = declare_data_source(
            name, spec.source_name, spec.api_id, bedrock, self, api_arn=spec.api_arn, tags=spec.tags
        )
        self.settings_source = declare_data_source(
            name, f"{spec.source_name}Settings", spec.api_id, DataSourceModel(none=True), self
        )

        def pipeline_step(
            suffix: str, function_name: str, source: aws.appsync.DataSource, code: str
        ) -> aws.appsync.Function:
            return aws.appsync.Function(
                f"{name}-{suffix}",
                api_id=spec.api_id,
                name=function_name,
                data_source=source.name,
                runtime=APPSYNC_RUNTIME,
                code=code,
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.settings_function = pipeline_step(
            "settings", f"{spec.field_name}Settings", self.settings_source, settings_code
        )
        self.invoke_function = pipeline_step(
            "invoke", f"{spec.field_name}InvokeConverse", self.data_source, read_code(INVOKE_CONVERSE_CODE)
        )
        self.resolver = aws.appsync.Resolver(
            f"{name}-resolver",
            api_id=spec.api_id,
            type="Query",
            field=spec.field_name,
            kind="PIPELINE",
            runtime=APPSYNC_RUNTIME,
            code=read_code(PIPELINE_CODE),
            pipeline_config={
                "functions": [self.settings_function.function_id, self.invoke_function.function_id]
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.field_name = spec.field_name
        self.model_invoke_id = spec.invoke_id
        self.register_outputs(
            {
                "data_source": self.data_source,
                "settings_source": self.settings_source,
                "settings_function": self.settings_function,
                "invoke_function": self.invoke_function,
                "resolver": self.resolver,
                "field_name": self.field_name,
                "model_invoke_id": self.model_invoke_id,
            }
        )
