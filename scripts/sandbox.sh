#!/usr/bin/env bash
# The offline sandbox: the whole backend on 127.0.0.1, no AWS account (README "Offline sandbox").
#   bash scripts/sandbox.sh [--port PORT] [--users FILE] [--bedrock stub|real]
# Sets up .venv and node_modules if needed, then runs `python -m sandbox`; Ctrl-C or SIGTERM stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_BROWSER=0 bash scripts/setup.sh >&2
exec .venv/bin/python -m sandbox "$@"
