"""A Python Lambda function that owns its role, its log group and its logging settings.

Log group naming (a decision): the function is auto-named by Pulumi, so its physical name is unknown until
it exists, while the log group must exist *before* the function (otherwise Lambda may create
``/aws/lambda/<name>`` first, with no retention, and Pulumi's create then fails with "already exists").
Rather than fixing the function name (which forbids create-before-replace and collides when two projects
share an account), the group is auto-named as well and handed to Lambda through ``logging_config.log_group``.
Lambda writes only there, and since the role has no ``logs:CreateLogGroup``, no stray never-expiring
``/aws/lambda/...`` group can appear.
"""

import re
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from ..iam import PolicyStatement, policy_document, service_trust_policy, statement
from ..package import component_options, component_type
from ..validation import check_args
from .args import LogFormat, LoggedFunctionArgs
from .checks import LoggedFunctionModel
from .packaging import code_archive

ARCHITECTURE = "arm64"
"""Graviton: cheaper per GB-second; dependency layers must then carry manylinux aarch64 wheels."""
_GRANT_SUFFIX = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


class LoggedFunction(pulumi.ComponentResource):
    """Lambda function, least-privilege role, explicit log group with retention, JSON logging config."""

    function: aws.lambda_.Function
    """The Lambda function (arm64)."""
    role: aws.iam.Role
    """The function's execution role; it may write to its own log group only, until grants add more."""
    log_group: aws.cloudwatch.LogGroup
    """The function's log group, with the retention asked for."""
    arn: pulumi.Output[str]
    """Function ARN."""
    name: pulumi.Output[str]
    """Physical function name."""
    role_arn: pulumi.Output[str]
    """ARN of the execution role, to attach further policies from any language."""
    log_group_name: pulumi.Output[str]
    """Name of the function's log group."""

    def __init__(
        self, name: str, args: LoggedFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        spec = check_args(LoggedFunctionModel, "LoggedFunctionArgs", args)
        members = spec.members()
        super().__init__(
            component_type("LoggedFunction"), name, None, component_options("LoggedFunction", opts)
        )
        self._logical_name = name
        # `protect` is inherited from the parent by Pulumi itself; `retain_on_delete` is not, so pass it on.
        self._retain_on_delete = (opts.retain_on_delete or None) if opts else None

        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=service_trust_policy("lambda.amazonaws.com"),
            tags=spec.tags,
            opts=self._child_options(),
        )
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            retention_in_days=spec.log_retention_days,
            tags=spec.tags,
            opts=self._child_options(),
        )
        log_streams = pulumi.Output.concat(self.log_group.arn, ":*")
        permissions = [
            self.grant(
                "logging",
                [statement("WriteOwnLogGroup", ["logs:CreateLogStream", "logs:PutLogEvents"], [log_streams])],
            )
        ]
        if spec.tracing_mode is not None:
            # X-Ray's write actions support no resource-level permissions: "*" is the documented exception.
            permissions.append(
                self.grant(
                    "tracing",
                    [statement("WriteTraces", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"])],
                )
            )

        logging_config: dict[str, Any] = {
            "log_format": spec.log_format.value,
            "log_group": self.log_group.name,
        }
        if spec.log_format is LogFormat.JSON:
            logging_config["application_log_level"] = (
                spec.application_log_level.value if spec.application_log_level else "INFO"
            )
            logging_config["system_log_level"] = (
                spec.system_log_level.value if spec.system_log_level else "INFO"
            )

        self.function = aws.lambda_.Function(
            f"{name}-function",
            role=self.role.arn,
            runtime=spec.runtime.value,
            handler=spec.handler,
            architectures=[ARCHITECTURE],
            code=code_archive(members),
            memory_size=spec.memory_size,
            timeout=spec.timeout,
            environment={"variables": dict(spec.environment)} if spec.environment else None,
            logging_config=logging_config,
            tracing_config={"mode": spec.tracing_mode.value} if spec.tracing_mode else None,
            reserved_concurrent_executions=spec.reserved_concurrency,
            layers=list(spec.layers) or None,
            tags=spec.tags,
            # The group and the role's permissions must exist before the first invocation can log.
            opts=self._child_options(depends_on=[self.log_group, *permissions]),
        )
        self.arn = self.function.arn
        self.name = self.function.name
        self.role_arn = self.role.arn
        self.log_group_name = self.log_group.name
        self.register_outputs(
            {
                "function": self.function,
                "role": self.role,
                "log_group": self.log_group,
                "arn": self.arn,
                "name": self.name,
                "role_arn": self.role_arn,
                "log_group_name": self.log_group_name,
            }
        )

    def _child_options(self, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=self, retain_on_delete=self._retain_on_delete, depends_on=list(depends_on) or None
        )

    def grant(self, name_suffix: str, statements: Sequence[PolicyStatement]) -> aws.iam.RolePolicy:
        """Gives the function more permissions, as an inline policy whose lifetime is the role's.
        Python only: other languages attach policies to ``role_arn``."""
        if not _GRANT_SUFFIX.fullmatch(name_suffix):
            raise ValueError(f"name_suffix: {name_suffix!r} must be lowercase words joined by '-'")
        # Not iam.attach_statements: the policy must share the component's retain_on_delete, or a retained
        # function would lose its permissions when the stack is destroyed.
        return aws.iam.RolePolicy(
            f"{self._logical_name}-{name_suffix}",
            role=self.role.id,
            policy=policy_document(statements),
            opts=self._child_options(),
        )

    def invoke_statement(self, sid: str) -> dict[str, Any]:
        """Lets a caller's role (e.g. an AppSync data source) invoke exactly this function. Python only."""
        return statement(sid, ["lambda:InvokeFunction"], [self.function.arn])
