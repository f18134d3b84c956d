"""A Python Lambda function that owns its role, its log group and its logging settings.

Log group naming (a decision): the function is auto-named by Pulumi, so its physical name is unknown
until it exists, while the log group must exist *before* the function (otherwise Lambda may create
``/aws/lambda/<name>`` first, with no retention, and Pulumi's create then fails with "already exists").
Rather than fixing the function name from the stack (which forbids create-before-replace and collides
when two projects share an account), the group is auto-named as well and handed to Lambda through
``logging_config.log_group``. Lambda writes only there, and since the role has no
``logs:CreateLogGroup``, no stray never-expiring ``/aws/lambda/...`` group can appear.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components.iam import PolicyStatement, policy_document, service_trust_policy, statement

SUPPORTED_RUNTIMES = ("python3.13", "python3.14")
"""Python runtimes this component accepts: 3.13 and newer GA versions (python3.15 is not GA yet)."""

ARCHITECTURE = "arm64"
"""Graviton: cheaper per GB-second; dependency layers must then carry manylinux aarch64 wheels."""

LOG_FORMATS = ("JSON", "Text")
APPLICATION_LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
SYSTEM_LOG_LEVELS = ("DEBUG", "INFO", "WARN")
TRACING_MODES = ("Active", "PassThrough")
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)  # fmt: skip
"""CloudWatch Logs' allowed retention values (botocore ``logs`` model, shape ``Days``)."""

MEMORY_RANGE = (128, 10240)
TIMEOUT_RANGE = (1, 900)
MAX_LAYERS = 5

RESERVED_ENVIRONMENT_KEYS = frozenset(
    {
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_REGION",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_RUNTIME_API", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "LAMBDA_RUNTIME_DIR",
        "LAMBDA_TASK_ROOT", "AWS_LAMBDA_LOG_FORMAT", "AWS_LAMBDA_LOG_LEVEL",
    }
)  # fmt: skip
"""Variables the Lambda runtime sets itself (the last two from the logging fields); not settable."""

_ENVIRONMENT_KEY = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")
_GRANT_SUFFIX = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True, kw_only=True)
class LoggedFunctionArgs:
    code_path: str
    """Folder holding the handler package (e.g. ``functions/league``); packaged as ``<folder name>/...``."""
    handler: str
    """``<package>.<module>.<function>``, e.g. ``league.handler.handler``; the module must be in code_path."""
    runtime: str = "python3.13"
    """One of SUPPORTED_RUNTIMES; a dependency layer must be built for the same Python version."""
    memory_size: int = 256
    """MB (128–10240); CPU share grows with memory, so it also sets cold-start speed."""
    timeout: int = 10
    """Seconds (1–900); AppSync waits at most 30 s for a data source anyway."""
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Runtime settings such as table names; keys match ``[a-zA-Z][a-zA-Z0-9_]+`` and are not AWS-reserved."""
    log_retention_days: int = 14
    """How long CloudWatch keeps the function's logs; one of RETENTION_DAYS."""
    log_format: str = "JSON"
    """``JSON`` (structured, level-filtered) or ``Text`` (levels are ignored by AWS, so none may be given)."""
    application_log_level: str | None = None
    """Lowest level of the code's own logs that is kept (TRACE…FATAL); INFO when None and JSON."""
    system_log_level: str | None = None
    """Lowest level of Lambda platform logs (DEBUG, INFO, WARN); INFO when None and JSON."""
    tracing_mode: str | None = None
    """``Active`` or ``PassThrough``: send X-Ray traces (and grant the write permission); None: no tracing."""
    reserved_concurrency: int | None = None
    """Caps concurrent executions (and protects the rest of the account's pool); None: unreserved."""
    layers: Sequence[pulumi.Input[str]] = ()
    """Layer version ARNs (at most 5), e.g. the dependency layer built by ``tools/build_layer.py``."""


def code_members(code_path: Path, package: str) -> dict[str, Path]:
    """Archive member name -> source file, in sorted order, for everything the function ships.

    Listing files explicitly (instead of archiving the folder) keeps caches, tests and local clutter
    out of the package, so the same sources always give the same archive hash. Requirements files are
    left out too: they describe the dependency layer, not the function code.
    """
    members: dict[str, Path] = {}
    for directory, folders, files in os.walk(code_path):
        folders[:] = sorted(
            name for name in folders if not name.startswith(".") and name not in ("__pycache__", "tests")
        )
        for file_name in sorted(files):
            if _is_shipped(file_name):
                source = Path(directory) / file_name
                relative = source.relative_to(code_path).as_posix()
                members[f"{package}/{relative}"] = source
    return dict(sorted(members.items()))


def _is_shipped(file_name: str) -> bool:
    return not (
        file_name.startswith(".")
        or file_name.endswith((".pyc", ".pyo"))
        or file_name.startswith("test_")
        or file_name.endswith("_test.py")
        or (file_name.startswith("requirements") and file_name.endswith(".txt"))
    )


def _check_choice(field_name: str, value: Any, allowed: Sequence[Any]) -> None:
    if isinstance(value, bool) or value not in allowed:  # True == 1 would otherwise pass for numbers
        raise ValueError(f"{field_name}: {value!r} is not allowed; use one of {', '.join(map(str, allowed))}")


def _check_range(field_name: str, value: Any, low: int, high: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
        upper = f"–{high}" if high else " or more"
        raise ValueError(f"{field_name}: {value!r} is not allowed; use an integer {low}{upper}")


def _validate(args: LoggedFunctionArgs) -> dict[str, Path]:
    """Checks every field before anything is declared; returns the code archive members."""
    _check_choice("runtime", args.runtime, SUPPORTED_RUNTIMES)
    _check_range("memory_size", args.memory_size, *MEMORY_RANGE)
    _check_range("timeout", args.timeout, *TIMEOUT_RANGE)
    _check_choice("log_retention_days", args.log_retention_days, RETENTION_DAYS)
    _check_choice("log_format", args.log_format, LOG_FORMATS)
    for level_field in ("application_log_level", "system_log_level"):
        if args.log_format == "Text" and getattr(args, level_field) is not None:
            raise ValueError(
                f"{level_field}: AWS ignores log levels with log_format 'Text'; "
                "use log_format 'JSON' or leave the level unset"
            )
    if args.application_log_level is not None:
        _check_choice("application_log_level", args.application_log_level, APPLICATION_LOG_LEVELS)
    if args.system_log_level is not None:
        _check_choice("system_log_level", args.system_log_level, SYSTEM_LOG_LEVELS)
    if args.tracing_mode is not None:
        _check_choice("tracing_mode", args.tracing_mode, TRACING_MODES)
    if args.reserved_concurrency is not None:
        _check_range("reserved_concurrency", args.reserved_concurrency, 0, None)
    if len(args.layers) > MAX_LAYERS:
        raise ValueError(f"layers: {len(args.layers)} given; Lambda allows at most {MAX_LAYERS}")
    for key in args.environment:
        if not _ENVIRONMENT_KEY.fullmatch(key):
            raise ValueError(f"environment: key {key!r} must match [a-zA-Z][a-zA-Z0-9_]+")
        if key in RESERVED_ENVIRONMENT_KEYS:
            raise ValueError(
                f"environment: key {key!r} is reserved by the Lambda runtime; choose another name"
            )
    code_path = Path(args.code_path)
    if not code_path.is_dir():
        raise ValueError(f"code_path: {args.code_path!r} is not a folder")
    package = code_path.resolve().name
    if not _PACKAGE_NAME.fullmatch(package):
        raise ValueError(
            f"code_path: folder name {package!r} must be a Python identifier (it is the package)"
        )
    members = code_members(code_path, package)
    module, _, function_name = args.handler.rpartition(".")
    if not module or not function_name or f"{module.replace('.', '/')}.py" not in members:
        shipped = ", ".join(name for name in members if name.endswith(".py"))
        raise ValueError(
            f"handler: {args.handler!r} must be <package>.<module>.<function> naming a shipped module; "
            f"shipped modules: {shipped or 'none'}"
        )
    return members


class LoggedFunction(pulumi.ComponentResource):
    """Lambda + least-privilege role + explicit log group with retention + JSON logging config."""

    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: LoggedFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        members = _validate(args)
        super().__init__("genai:index:LoggedFunction", name, None, opts)
        self._logical_name = name
        # `protect` is inherited from the parent by Pulumi itself; `retain_on_delete` is not, so pass it on.
        self._retain_on_delete = opts.retain_on_delete if opts else None

        self.role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=service_trust_policy("lambda.amazonaws.com"),
            opts=self._child_options(),
        )
        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", retention_in_days=args.log_retention_days, opts=self._child_options()
        )
        permissions = [
            self.grant(
                "logging",
                [
                    statement(
                        "WriteOwnLogGroup",
                        ["logs:CreateLogStream", "logs:PutLogEvents"],
                        [pulumi.Output.concat(self.log_group.arn, ":*")],
                    )
                ],
            )
        ]
        if args.tracing_mode is not None:
            # X-Ray's write actions support no resource-level permissions: "*" is the documented exception.
            permissions.append(
                self.grant(
                    "tracing",
                    [statement("WriteTraces", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"])],
                )
            )

        logging_config: dict[str, Any] = {"log_format": args.log_format, "log_group": self.log_group.name}
        if args.log_format == "JSON":
            logging_config["application_log_level"] = args.application_log_level or "INFO"
            logging_config["system_log_level"] = args.system_log_level or "INFO"

        self.function = aws.lambda_.Function(
            f"{name}-function",
            role=self.role.arn,
            runtime=args.runtime,
            handler=args.handler,
            architectures=[ARCHITECTURE],
            code=pulumi.AssetArchive(
                {member: pulumi.FileAsset(str(source)) for member, source in members.items()}
            ),
            memory_size=args.memory_size,
            timeout=args.timeout,
            environment={"variables": dict(args.environment)} if args.environment else None,
            logging_config=logging_config,
            tracing_config={"mode": args.tracing_mode} if args.tracing_mode else None,
            reserved_concurrent_executions=args.reserved_concurrency,
            layers=list(args.layers) or None,
            # The group and the role's permissions must exist before the first invocation can log.
            opts=self._child_options(depends_on=[self.log_group, *permissions]),
        )
        self.arn = self.function.arn
        self.name = self.function.name
        self.register_outputs(
            {
                "arn": self.arn,
                "name": self.name,
                "roleArn": self.role.arn,
                "logGroupName": self.log_group.name,
            }
        )

    def _child_options(self, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=self, retain_on_delete=self._retain_on_delete, depends_on=list(depends_on) or None
        )

    def grant(self, name_suffix: str, statements: Sequence[PolicyStatement]) -> aws.iam.RolePolicy:
        """Gives the function more permissions, as an inline policy whose lifetime is the role's."""
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
        """Lets a caller's role (e.g. an AppSync data source) invoke exactly this function."""
        return statement(sid, ["lambda:InvokeFunction"], [self.function.arn])
