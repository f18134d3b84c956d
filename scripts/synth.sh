#!/usr/bin/env bash
# Sets up (if needed) and writes what a stack declares, without AWS credentials: out/<stack>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:-dev}
bash scripts/setup.sh
mkdir -p out
.venv/bin/python -m tools.synth --stack "$stack" --out "out/$stack.json"
echo "wrote out/$stack.json ($(.venv/bin/python -c "import json,sys; print(len(json.load(open(sys.argv[1]))['resources']))" "out/$stack.json") resources)"
