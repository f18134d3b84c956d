#!/usr/bin/env bash
# Sets up (if needed), lints, and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# One test worker per core, at most 4: each worker builds the session fixtures (the library's wheel and its venv)
# once, so more workers than cores only repeat that work. PYTEST_WORKERS overrides (0 runs in this process).
workers="${PYTEST_WORKERS:-$(python3 -c 'import os; print(min(4, os.cpu_count() or 1))')}"
.venv/bin/python -m pytest -n "$workers" "$@"
