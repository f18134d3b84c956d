"""Which LoggedFunctionArgs Lambda accepts, checked before the function declares anything."""

import re
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, StrictStr

from ..constraints import RetentionDays, Text, whole_number_in
from ..validation import ArgsModel, Deferred, Problem
from .args import ApplicationLogLevel, LogFormat, Runtime, SystemLogLevel, TracingMode
from .packaging import code_members

MEMORY_RANGE = (128, 10240)
TIMEOUT_RANGE = (1, 900)
MAX_LAYERS = 5
MAX_EXTRA_CODE_PATHS = 10
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
_PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _environment_key(key: str) -> str:
    if not _ENVIRONMENT_KEY.fullmatch(key):
        raise ValueError(f"key {key!r} must match [a-zA-Z][a-zA-Z0-9_]+")
    if key in RESERVED_ENVIRONMENT_KEYS:
        raise ValueError(f"key {key!r} is reserved by the Lambda runtime; choose another name")
    return key


def _code_folder(value: str) -> str:
    path = Path(value)
    if not path.is_dir():
        raise ValueError(f"{value!r} is not a folder")
    if not _PACKAGE_NAME.fullmatch(path.resolve().name):
        raise ValueError(
            f"folder name {path.resolve().name!r} must be a Python identifier (it is the package)"
        )
    return value


class LoggedFunctionModel(ArgsModel):
    code_path: Annotated[StrictStr, AfterValidator(_code_folder)]
    handler: Text
    extra_code_paths: tuple[Annotated[StrictStr, AfterValidator(_code_folder)], ...] = Field(
        default=(), max_length=MAX_EXTRA_CODE_PATHS
    )
    runtime: Runtime = Runtime.PYTHON_3_13
    memory_size: whole_number_in(*MEMORY_RANGE) = 256
    timeout: whole_number_in(*TIMEOUT_RANGE) = 10
    environment: dict[Annotated[StrictStr, AfterValidator(_environment_key)], Deferred[StrictStr]] = Field(
        default_factory=dict
    )
    log_retention_days: RetentionDays = 14
    log_format: LogFormat = LogFormat.JSON
    application_log_level: ApplicationLogLevel | None = None
    system_log_level: SystemLogLevel | None = None
    tracing_mode: TracingMode | None = None
    reserved_concurrency: whole_number_in(0, 1_000_000) | None = None
    layers: tuple[Deferred[StrictStr], ...] = Field(default=(), max_length=MAX_LAYERS)
    tags: Deferred[dict[StrictStr, Deferred[StrictStr]]] | None = None

    @property
    def package(self) -> str:
        return Path(self.code_path).resolve().name

    def members(self) -> dict[str, Path]:
        """The files the function ships (see ``packaging.code_members``): code_path's package, then each
        extra folder as its own top-level package."""
        members = code_members(Path(self.code_path), self.package)
        for folder in self.extra_code_paths:
            members.update(code_members(Path(folder), Path(folder).resolve().name))
        return dict(sorted(members.items()))

    def _package_problems(self) -> list[Problem]:
        """Two folders of one name would overwrite each other's files in the archive."""
        seen = {self.package: "code_path"}
        problems = []
        for index, folder in enumerate(self.extra_code_paths):
            name = Path(folder).resolve().name
            if name in seen:
                problems.append(
                    Problem(
                        f"extra_code_paths[{index}]",
                        f"ships as package {name!r}, like {seen[name]}; rename one of the folders",
                    )
                )
            else:
                seen[name] = f"extra_code_paths[{index}]"
        return problems

    def cross_problems(self) -> list[Problem]:
        problems = [
            Problem(
                field, "Lambda ignores log levels with log_format Text; use JSON or leave the level unset"
            )
            for field in ("application_log_level", "system_log_level")
            if self.log_format is LogFormat.TEXT and getattr(self, field) is not None
        ]
        package_problems = self._package_problems()
        if package_problems:
            return problems + package_problems
        members = self.members()
        module, _, function_name = self.handler.rpartition(".")
        if not module or not function_name or f"{module.replace('.', '/')}.py" not in members:
            shipped = ", ".join(name for name in members if name.endswith(".py"))
            problems.append(
                Problem(
                    "handler",
                    f"{self.handler!r} must be <package>.<module>.<function> naming a shipped module; "
                    f"shipped modules: {shipped or 'none'}",
                )
            )
        return problems
