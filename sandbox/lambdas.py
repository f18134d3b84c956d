"""The stack's Lambda handlers run in the sandbox's own process, as the Lambda runtime would call them.

A handler is imported from its code folder the way Lambda resolves ``handler`` (the folder is the package named
first) and called with a ``context`` like the runtime's, whose remaining time counts down from the function's
timeout.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from sandbox.processes import StartupError
from sandbox.stack import LambdaPlan


class LambdaContext:
    """What the Lambda runtime passes as ``context``: the remaining time counts down from the timeout."""

    def __init__(self, function: LambdaPlan) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function.name}"
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = "sandbox"
        self._deadline = time.monotonic() + function.timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def load_handler(function: LambdaPlan) -> Callable[[Any, Any], Any]:
    """Imports the handler as Lambda does: the code folder is the package named first in ``handler``."""
    module_path, _, attribute = function.handler.rpartition(".")
    package = module_path.split(".")[0]
    if package not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            package, function.code_path / "__init__.py", submodule_search_locations=[str(function.code_path)]
        )
        if spec is None or spec.loader is None:
            raise StartupError(f"{function.name}: no Python package at {function.code_path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        spec.loader.exec_module(module)
    return getattr(importlib.import_module(module_path), attribute)
