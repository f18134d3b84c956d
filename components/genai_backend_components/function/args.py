"""What a LoggedFunction can be asked for: the public args every Pulumi language sees."""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import NotRequired, TypedDict

import pulumi


class Runtime(StrEnum):
    """Python runtimes the component accepts: 3.13 and newer generally available versions."""

    PYTHON_3_13 = "python3.13"
    """Python 3.13."""
    PYTHON_3_14 = "python3.14"
    """Python 3.14."""


class LogFormat(StrEnum):
    """How Lambda writes the function's logs."""

    JSON = "JSON"
    """Structured records that CloudWatch can filter by level."""
    TEXT = "Text"
    """Plain lines; Lambda then ignores log levels, so none may be given."""


class ApplicationLogLevel(StrEnum):
    """Lowest level of the code's own log records that Lambda keeps."""

    TRACE = "TRACE"
    """Everything."""
    DEBUG = "DEBUG"
    """Debug and above."""
    INFO = "INFO"
    """Info and above."""
    WARN = "WARN"
    """Warnings and above."""
    ERROR = "ERROR"
    """Errors and above."""
    FATAL = "FATAL"
    """Fatal errors only."""


class SystemLogLevel(StrEnum):
    """Lowest level of the Lambda platform's own records (start, end, report) that are kept."""

    DEBUG = "DEBUG"
    """Everything."""
    INFO = "INFO"
    """Info and above."""
    WARN = "WARN"
    """Warnings only."""


class TracingMode(StrEnum):
    """X-Ray tracing of the function."""

    ACTIVE = "Active"
    """Sample and trace requests (and grant the write permission)."""
    PASS_THROUGH = "PassThrough"
    """Trace only requests an upstream service already sampled."""


class LoggedFunctionArgs(TypedDict):
    """A Python Lambda function with its own role, its own log group and its logging settings."""

    code_path: str
    """Folder holding the handler package, e.g. ``functions/league``; packaged as ``<folder name>/...``
    (caches, tests and requirements files left out). Relative paths start at the program's folder."""
    handler: str
    """``<package>.<module>.<function>``, e.g. ``league.handler.handler``; the module must be in code_path."""
    extra_code_paths: NotRequired[Sequence[str]]
    """More folders shipped beside code_path's package, each as ``<folder name>/...`` by the same rules (e.g.
    a package of tools the handler imports). Each folder name is a Python identifier, unique among them and
    code_path's; at most 10."""
    runtime: NotRequired[Runtime]
    """Python runtime; default python3.13. A dependency layer must be built for the same version."""
    memory_size: NotRequired[int]
    """MB, 128 to 10240 (default 256); CPU share grows with memory, so it also sets cold-start speed."""
    timeout: NotRequired[int]
    """Seconds, 1 to 900 (default 10); AppSync waits at most 30 s for a data source anyway."""
    environment: NotRequired[Mapping[str, pulumi.Input[str]]]
    """Runtime settings such as table names; keys match ``[a-zA-Z][a-zA-Z0-9_]+`` and are not reserved by
    Lambda. Values may be Outputs (unchecked)."""
    log_retention_days: NotRequired[int]
    """How long CloudWatch keeps the function's logs; a value CloudWatch Logs accepts (default 14)."""
    log_format: NotRequired[LogFormat]
    """JSON (default) or Text."""
    application_log_level: NotRequired[ApplicationLogLevel]
    """Lowest level of the code's own records kept; INFO when unset with JSON, not allowed with Text."""
    system_log_level: NotRequired[SystemLogLevel]
    """Lowest level of Lambda platform records kept; INFO when unset with JSON, not allowed with Text."""
    tracing_mode: NotRequired[TracingMode]
    """X-Ray tracing; unset: none."""
    reserved_concurrency: NotRequired[int]
    """Caps concurrent executions (and keeps the rest of the account's pool free); unset: unreserved."""
    layers: NotRequired[Sequence[pulumi.Input[str]]]
    """At most 5 layer version ARNs, e.g. a dependency layer."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for the function, its role and its log group."""
