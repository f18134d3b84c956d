"""``LoggedFunction``: a Python Lambda with its own role, log group, retention and JSON logging."""

from .args import ApplicationLogLevel, LogFormat, LoggedFunctionArgs, Runtime, SystemLogLevel, TracingMode
from .checks import MEMORY_RANGE, RESERVED_ENVIRONMENT_KEYS, TIMEOUT_RANGE, LoggedFunctionModel
from .component import ARCHITECTURE, LoggedFunction
from .packaging import code_members

__all__ = [
    "ARCHITECTURE",
    "MEMORY_RANGE",
    "RESERVED_ENVIRONMENT_KEYS",
    "TIMEOUT_RANGE",
    "ApplicationLogLevel",
    "LogFormat",
    "LoggedFunction",
    "LoggedFunctionArgs",
    "LoggedFunctionModel",
    "Runtime",
    "SystemLogLevel",
    "TracingMode",
    "code_members",
]
