"""The deploy-time check of a route's executable-tools package: imported as the handler imports it, before
anything is declared, so an import error, a missing or malformed ``TOOLS``, a bad tool or a name clash is an
``InvalidArgsError`` at ``executable_tools_code_path`` instead of a failure of every turn after the deploy.

The package runs in a child process (tools_probe.py), never in the Pulumi program's: importing it runs the
project's code. The child gets a folder laid out as the handler's Lambda archive (the same members, copied),
``sys.executable`` with neither the user site nor the working folder on ``sys.path``, an environment holding
only the Region variables the Lambda runtime sets, a fixed hash seed, no bytecode written, and a time limit.
It checks ``TOOLS`` with the handler's own function (``executable_tool_problems``); the clash with a data
tool's name, which the handler refuses per turn (tools.py ``TurnTools``), is checked here from the answer.

What it cannot see: third-party imports the Pulumi environment has and Lambda lacks (only the standard
library and the runtime's boto3 are there), and failures that happen only when a tool runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..function.packaging import code_members
from .wiring import HANDLER_DIRECTORY, HANDLER_PACKAGE

CHECK_TIMEOUT_SECONDS = 30
"""The import must finish within this; the handler repeats it on every cold start."""
PROBE = Path(__file__).with_name("tools_probe.py")


def _archive(root: Path, folder: Path, package: str) -> None:
    for members in (code_members(HANDLER_DIRECTORY, HANDLER_PACKAGE), code_members(folder, package)):
        for name, source in members.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def _environment(region: str) -> dict[str, str]:
    """Nothing of the Pulumi program's environment (its credentials, profile, paths) reaches the package."""
    return {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
    }


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kills the child and whatever it started (its own process group), then reaps it."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.wait()


def executable_tools_problems(folder: str, region: str, data_tool_names: Sequence[str]) -> list[str]:
    """Every problem of the tools package in ``folder`` (an existing package folder); empty when the handler
    would load it and its tool names differ from ``data_tool_names``."""
    timeout_seconds = CHECK_TIMEOUT_SECONDS
    source = Path(folder).resolve()
    package = source.name
    with tempfile.TemporaryDirectory(prefix="conversation-tools-check-") as temporary:
        work = Path(temporary)
        root, result, output = work / "archive", work / "result.json", work / "output.txt"
        _archive(root, source, package)
        command = [
            sys.executable,
            "-s",
            "-P",
            "-B",
            str(PROBE),
            str(root),
            HANDLER_PACKAGE,
            package,
            str(result),
        ]
        with output.open("wb") as stream:
            # Output goes to a file, not a pipe: a process the package started cannot hold the check open.
            process = subprocess.Popen(
                command, cwd=work, env=_environment(region), stdin=subprocess.DEVNULL, stdout=stream,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            try:
                process.wait(timeout=timeout_seconds)
            except subprocess.TimeoutExpired:
                _stop(process)
                return [
                    f"importing {package!r} took longer than {timeout_seconds:g} s (the handler imports it on "
                    "every cold start): move slow work out of import time"
                ]
        if not result.is_file():
            lines = output.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            return [
                f"importing {package!r} ended the check without an answer (exit code {process.returncode})"
                + (f": {lines[-1][:300]}" if lines else "")
            ]
        found = json.loads(result.read_text(encoding="utf-8"))
    problems = list(found["problems"])
    data_tools = {name: index for index, name in reversed(list(enumerate(data_tool_names)))}
    problems += [
        f"executable tool {name!r} has the name of data_tools[{data_tools[name]}]: the route's tool names must "
        "be unique"
        for name in found["names"]
        if name in data_tools
    ]
    return problems
