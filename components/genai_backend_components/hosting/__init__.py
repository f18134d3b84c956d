"""``Hosting``: Amplify Hosting for a Next.js SSR frontend, fed the backend's client config at build time."""

from .args import HostingArgs
from .build import (
    MAX_OUTPUT_PARTS,
    MAX_VARIABLE_VALUE,
    OUTPUTS_FILE,
    OUTPUTS_VARIABLE_PREFIX,
    OUTPUTS_VARIABLES,
    WRITE_OUTPUTS_COMMAND,
    build_spec,
    outputs_variables,
)
from .checks import SUPPORTED_NODE_VERSIONS, HostingModel
from .component import FRAMEWORK, PLATFORM, Hosting, ssr_logging_statements

__all__ = [
    "FRAMEWORK",
    "MAX_OUTPUT_PARTS",
    "MAX_VARIABLE_VALUE",
    "OUTPUTS_FILE",
    "OUTPUTS_VARIABLES",
    "OUTPUTS_VARIABLE_PREFIX",
    "PLATFORM",
    "SUPPORTED_NODE_VERSIONS",
    "WRITE_OUTPUTS_COMMAND",
    "Hosting",
    "HostingArgs",
    "HostingModel",
    "build_spec",
    "outputs_variables",
    "ssr_logging_statements",
]
