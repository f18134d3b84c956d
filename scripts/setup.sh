#!/usr/bin/env bash
# Installs everything the program, synth and the tests need: a Python venv from pinned requirements (with the
# component library in components/ installed editable) and the pinned npm packages the tests use. Safe to run
# again: it skips work whose inputs have not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: Python 3.11 or newer is required (found $("$python" --version 2>&1))" >&2
  exit 1
fi

stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt requirements-dev.txt components/pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  "$python" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" > "$stamp"
fi

# Bytecode for the project's own modules, as pip writes it for installed packages: synth starts faster, and
# it still works where PYTHONDONTWRITEBYTECODE keeps Python from caching it by itself. Stale files are
# detected by Python (source mtime) and ignored; Lambda packages never include __pycache__.
.venv/bin/python -m compileall -q components app tools __main__.py

node_stamp=node_modules/.package-lock.sha256
node_wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$node_stamp" 2>/dev/null)" != "$node_wanted" ]; then
  if ! command -v npm >/dev/null; then
    echo "setup: npm (Node.js 20 or newer) is required for the resolver and client-config tests" >&2
    exit 1
  fi
  npm ci --no-audit --no-fund --loglevel=error
  echo "$node_wanted" > "$node_stamp"
fi

# Debian's Chromium, for the sandbox's headless browser test (tests/sandbox/test_sandbox_browser.py). Installed once
# (about 15 s); scripts/sandbox.sh skips it (SETUP_BROWSER=0): the sandbox itself needs no browser.
if [ "${SETUP_BROWSER:-1}" != 0 ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian's chromium for the browser test" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "setup: warning: chromium is not installed; tests/sandbox/test_sandbox_browser.py needs it" \
      "(Debian: apt-get install chromium)" >&2
  fi
fi
