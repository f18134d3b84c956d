"""Imports a route's executable-tools package as the handler does and writes what it found, as JSON.

Run by the ConversationRoute checks (tools_check.py) in a child Python process, never imported: importing
runs the project's own code, which must not touch the Pulumi program's process. Arguments: a folder laid out
as the handler's Lambda archive (the handler package and the tools package, nothing else), the handler
package's name (``conversation_handler``), the tools package's name, and the file to write
``{"problems": [...], "names": [...]}`` to. The library is made unimportable first, since Lambda does not
have it either; the handler's module is imported from the archive by name, as the tools package imports it.
"""

import importlib
import json
import sys
import traceback
from pathlib import Path

LIBRARY = "genai_backend_components"
LAMBDA_RUNTIME_MODULES = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3"})
"""What the Lambda Python runtime provides besides the standard library (AWS Lambda "Lambda runtimes")."""
MAX_DETAIL = 300


def _origin(failure: BaseException, package_root: Path) -> str:
    """`` (<file>:<line>)`` of the innermost place in the tools package that raised; empty when none is."""
    if isinstance(failure, SyntaxError) and failure.filename:
        places = [(failure.filename, failure.lineno)]
    else:
        places = [(frame.filename, frame.lineno) for frame in traceback.extract_tb(failure.__traceback__)]
    for file_name, line in reversed(places):
        try:
            relative = Path(file_name).resolve().relative_to(package_root.parent)
        except (ValueError, OSError):
            continue
        if relative.parts[0] == package_root.name:
            return f" ({relative.as_posix()}:{line})"
    return ""


def _import_problem(failure: BaseException, package: str, root: Path) -> str:
    last_line = traceback.format_exception_only(type(failure), failure)[-1].strip()
    if len(last_line) > MAX_DETAIL:
        last_line = last_line[: MAX_DETAIL - 3] + "..."
    problem = (
        f"importing {package!r} as the handler does fails: {last_line}{_origin(failure, root / package)}"
    )
    missing = getattr(failure, "name", None) if isinstance(failure, ImportError) else None
    top = (missing or "").partition(".")[0]
    if top == LIBRARY:
        problem += (
            f"; {LIBRARY} is not in the handler's archive: import ExecutableTool, ToolContext and ToolError "
            "from conversation_handler.executable_tools there"
        )
    elif top in LAMBDA_RUNTIME_MODULES:
        problem += f"; the Lambda runtime provides {top}, but this check imports the package here: install it"
    return problem


def main(root: Path, handler_package: str, package: str, result: Path) -> None:
    sys.path.insert(0, str(root))
    sys.modules[LIBRARY] = None  # type: ignore[assignment]  # an import of it now fails, as in Lambda
    handler_tools = importlib.import_module(f"{handler_package}.executable_tools")  # the archive's copy
    tools_attribute: str = handler_tools.TOOLS_ATTRIBUTE
    configuration_error: type[Exception] = handler_tools.ToolConfigurationError
    executable_tool_problems = handler_tools.executable_tool_problems

    problems: list[str] = []
    names: list[str] = []
    try:
        module = importlib.import_module(package)
    except BaseException as failure:  # the project's code may raise anything, SystemExit included
        if isinstance(failure, configuration_error):  # an ExecutableTool(...) refused at import time
            problems.append(
                f"{failure}, raised while importing {package!r}{_origin(failure, root / package)}"
            )
        else:
            problems.append(_import_problem(failure, package, root))
    else:
        if not hasattr(module, tools_attribute):
            problems.append(f"{package}/__init__.py defines no {tools_attribute} (a list of ExecutableTool)")
        else:
            tools, found = executable_tool_problems(
                getattr(module, tools_attribute), f"{package}.{tools_attribute}"
            )
            problems += found
            names = [tool.name for tool in tools]
    result.write_text(json.dumps({"problems": problems, "names": names}), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), sys.argv[2], sys.argv[3], Path(sys.argv[4]))
