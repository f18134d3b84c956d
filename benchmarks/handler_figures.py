"""Prints the League handler's package sizes and cold import times (targets: <= 50 KB, <= 150 ms).

Run from the repository root: ``./.venv/bin/python benchmarks/handler_figures.py [--no-layer]``.
Builds (or reuses) the dependency layer under ``build/layers``; the first build needs PyPI.

Import times are medians of 5 fresh interpreters, timed inside the child around the import only
(interpreter start-up is the runtime's cost, not the handler's). Lambda cannot write bytecode into
a layer (``/opt`` is read-only) and the layer ships sources only, so the figure that matters on
Lambda is the one "without bytecode cache"; it is measured by importing pydantic from a fresh copy
of its sources with bytecode writing disabled.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from importlib import util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # also runnable as a script path (benchmarks/run.py does that)
    sys.path.insert(0, str(ROOT))

from genai_backend_components.function import code_members  # noqa: E402
from tools.build_layer import FIXED_TIMESTAMP, build_layer  # noqa: E402

LEAGUE_CODE = ROOT / "functions" / "league"
LAYER_REQUIREMENTS = LEAGUE_CODE / "requirements.txt"
LAYER_CACHE = ROOT / "build" / "layers"
RUNS = 5
LAYER_PACKAGES = ("pydantic", "pydantic_core", "annotated_types", "typing_inspection", "typing_extensions")


def function_archive_bytes() -> tuple[int, int]:
    """(zipped, unpacked) size of the function package, zipped deterministically as deployed."""
    buffer = io.BytesIO()
    unpacked = 0
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, source in code_members(LEAGUE_CODE, LEAGUE_CODE.name).items():
            data = source.read_bytes()
            unpacked += len(data)
            info = zipfile.ZipInfo(member, date_time=FIXED_TIMESTAMP)
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return len(buffer.getvalue()), unpacked


def layer_bytes() -> tuple[Path, int, int]:
    layer = build_layer(LAYER_REQUIREMENTS, LAYER_CACHE)
    with zipfile.ZipFile(layer) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    return layer, layer.stat().st_size, unpacked


def median_seconds(statement: str, search_path: list[str], *, fresh_sources: bool = False) -> float:
    """Median time of ``statement`` in fresh interpreters; optionally with dependencies uncompiled."""
    timings = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory(prefix="cold-import-") as scratch:
            path = list(search_path)
            if fresh_sources:
                path.insert(0, _copy_layer_sources(Path(scratch)))
            program = (
                "import sys, time\n"
                f"sys.path[:0] = {path!r}\n"
                "started = time.perf_counter()\n"
                f"{statement}\n"
                "print(time.perf_counter() - started)\n"
            )
            environment = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "PYTHONDONTWRITEBYTECODE": "1"}
            result = subprocess.run(
                [sys.executable, "-c", program], capture_output=True, text=True, check=True, env=environment
            )
            timings.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(timings)


def _copy_layer_sources(target: Path) -> str:
    """The layer's packages as sources only, like a freshly unpacked layer (compiled extension kept)."""
    for package in LAYER_PACKAGES:
        spec = util.find_spec(package)
        if spec is None or spec.origin is None:
            raise SystemExit(f"{package} is not installed in this environment")
        origin = Path(spec.origin)
        if origin.name == "__init__.py":
            shutil.copytree(origin.parent, target / package, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(origin, target / origin.name)
    return str(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-layer", action="store_true", help="skip building/measuring the layer")
    options = parser.parse_args()

    zipped, unpacked = function_archive_bytes()
    print(f"function package (functions/league): {zipped} bytes zipped, {unpacked} bytes unpacked")
    if not options.no_layer:
        layer, layer_zipped, layer_unpacked = layer_bytes()
        print(
            f"dependency layer ({layer.name}): {layer_zipped} bytes zip (stored), {layer_unpacked} unpacked"
        )

    code_root = [str(LEAGUE_CODE.parent)]
    cached = median_seconds("import league.handler", code_root)
    uncompiled = median_seconds("import league.handler", code_root, fresh_sources=True)
    first_client = median_seconds("import league.handler as h; h._client()", code_root) - cached
    print(f"cold import of league.handler, bytecode cached: {cached * 1000:.1f} ms (median of {RUNS})")
    print(f"cold import of league.handler, layer without bytecode (as on Lambda): {uncompiled * 1000:.1f} ms")
    print(f"first request extra, boto3 import + DynamoDB client: {first_client * 1000:.1f} ms")


if __name__ == "__main__":
    main()
