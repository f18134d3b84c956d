"""Prints the figures the issues name as targets; a script, not a timed test, so CI never flakes on speed.

    .venv/bin/python -m benchmarks.run [--skip-tests]

- synth wall time per stack (median of 5 fresh processes, as a user runs it; target <= 1.0 s for dev),
- wall time of the whole test suite (one run; target <= 90 s),
- the handler figures from benchmarks/handler_figures.py when present.
"""

from __future__ import annotations

import argparse
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


def synth_seconds(stack: str, runs: int = 5) -> list[float]:
    command = [sys.executable, "-m", "tools.synth", "--stack", stack, "--out", "/dev/null"]
    _wall(command)  # warm the file cache and any build cache once
    return [_wall(command) for _ in range(runs)]


def main() -> int:
    parser = argparse.ArgumentParser(description="print performance figures")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()
    for stack in ("dev", "prod"):
        times = synth_seconds(stack)
        print(
            f"synth {stack}: median {statistics.median(times):.3f} s wall (runs: {', '.join(f'{t:.3f}' for t in times)})"
        )
    if not args.skip_tests:
        seconds = _wall([sys.executable, "-m", "pytest", "-q"])
        print(f"test suite: {seconds:.1f} s wall")
    handler_figures = ROOT / "benchmarks" / "handler_figures.py"
    if handler_figures.exists():
        subprocess.run([sys.executable, str(handler_figures)], cwd=ROOT, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
