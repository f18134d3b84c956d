"""Prints the figures the issues name as targets; a script, not a timed test, so CI never flakes on speed.

    .venv/bin/python -m benchmarks.run [--skip-tests]

- synth wall time per stack against its import floor (``benchmarks/import_floor.py``: a process that only
  imports pulumi, pydantic, graphql-core and the pulumi-aws resource classes the stack declares), both
  measured in turn in fresh processes, median of 11 each; target: synth of dev within 1.4x the floor,
- wall time of the whole test suite (one run, on as many workers as scripts/test.sh uses; target <= 90 s),
- the handler figures from benchmarks/handler_figures.py when present,
- the offline sandbox's start-up time and query round trip (benchmarks/sandbox_figures.py; targets: ready in
  <= 3 s, median query <= 50 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _wall(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def synth_against_floor(stack: str, runs: int = 11) -> tuple[list[float], list[float]]:
    """Synth and floor wall times, alternating so that machine load affects both alike."""
    document = ROOT / "out" / f"bench-{stack}.json"
    document.parent.mkdir(exist_ok=True)
    synth = [sys.executable, "-m", "tools.synth", "--stack", stack, "--out", str(document)]
    floor = [sys.executable, str(ROOT / "benchmarks" / "import_floor.py"), str(document)]
    _wall(synth)  # warm the file cache and any build cache once, and write the document the floor reads
    _wall(floor)
    synth_times, floor_times = [], []
    for _ in range(runs):
        synth_times.append(_wall(synth))
        floor_times.append(_wall(floor))
    return synth_times, floor_times


def main() -> int:
    parser = argparse.ArgumentParser(description="print performance figures")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()
    for stack in ("dev", "prod"):
        synth, floor = synth_against_floor(stack)
        ratio = statistics.median(synth) / statistics.median(floor)
        print(
            f"synth {stack}: median {statistics.median(synth):.3f} s wall, import floor {statistics.median(floor):.3f} s, "
            f"ratio {ratio:.2f}x (synth runs: {', '.join(f'{t:.3f}' for t in synth)})"
        )
    if not args.skip_tests:
        workers = min(4, os.cpu_count() or 1)
        seconds = _wall([sys.executable, "-m", "pytest", "-n", str(workers)])
        print(f"test suite: {seconds:.1f} s wall on {workers} workers, as scripts/test.sh runs it")
    handler_figures = ROOT / "benchmarks" / "handler_figures.py"
    if handler_figures.exists():
        subprocess.run([sys.executable, str(handler_figures)], cwd=ROOT, check=True)
    subprocess.run([sys.executable, "-m", "benchmarks.sandbox_figures"], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
