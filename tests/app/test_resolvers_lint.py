"""Every resolver passes @aws-appsync/eslint-plugin's recommended rules, and the lint really bites.

Node runs far more JavaScript than APPSYNC_JS accepts, so the runtime tests alone would let a
``while`` or a recursion through; the plugin's rules are the check that matches the service. One
Node process lints the files and a known-bad probe (tests/fixtures/resolvers) under a virtual
``resolvers/`` path, so the ESLint config stays limited to resolver code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.appsync_harness import REPO_ROOT, RESOLVERS

BAD_PROBE = REPO_ROOT / "tests" / "fixtures" / "resolvers" / "Query.lintProbe.js"
LIBRARY = REPO_ROOT / "components" / "genai_backend_components"
PACKAGED_RESOLVERS = sorted(LIBRARY.glob("*/resolvers/*.js"))
"""Resolver code the component library ships and deploys (the AI routes')."""
RESOLVER_FILES = sorted([*RESOLVERS.rglob("*.js"), *PACKAGED_RESOLVERS])
LINT_SCRIPT = """
import { ESLint } from 'eslint';
const [probeCode, probePath] = JSON.parse(process.argv[1]);
const eslint = new ESLint();
const summary = (result) => ({
  file: result.filePath,
  messages: result.messages.map((m) => ({ rule: m.ruleId, line: m.line, severity: m.severity, text: m.message })),
});
const files = await eslint.lintFiles(['resolvers', 'components/genai_backend_components']);
const [probe] = await eslint.lintText(probeCode, { filePath: probePath, warnIgnored: true });
const ignored = {};
for (const path of ['sandbox/runtime/utils.mjs', 'tests/fixtures/resolvers/Query.lintProbe.js',
                    'node_modules/eslint/package.json', 'eslint.config.mjs', 'resolvers/Query.getLeague.js',
                    'components/genai_backend_components/generation/component.py',
                    'components/genai_backend_components/generation/resolvers/pipeline.js']) {
  ignored[path] = await eslint.isPathIgnored(path);
}
process.stdout.write(JSON.stringify({ files: files.map(summary), probe: summary(probe), ignored }));
"""


@pytest.fixture(scope="module")
def lint() -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None, "node is required to lint resolvers"
    arguments = json.dumps([BAD_PROBE.read_text(), "resolvers/Query.lintProbe.js"])
    completed = subprocess.run(
        [node, "--input-type=module", "-e", LINT_SCRIPT, arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_eslint_lints_every_resolver_file(lint: dict[str, Any]) -> None:
    assert RESOLVER_FILES, "no resolver files found"
    assert sorted(Path(result["file"]) for result in lint["files"]) == RESOLVER_FILES


@pytest.mark.parametrize("resolver", RESOLVER_FILES, ids=[path.name for path in RESOLVER_FILES])
def test_resolver_has_no_lint_messages(lint: dict[str, Any], resolver: Path) -> None:
    messages = next(result["messages"] for result in lint["files"] if Path(result["file"]) == resolver)
    assert messages == []


def test_lint_rejects_what_appsync_js_forbids_including_type_aware_rules(lint: dict[str, Any]) -> None:
    rules = {message["rule"] for message in lint["probe"]["messages"]}
    assert {"@aws-appsync/no-while", "@aws-appsync/no-try", "@aws-appsync/no-recursion"} <= rules
    assert all(message["severity"] == 2 for message in lint["probe"]["messages"])


def test_lint_config_applies_only_to_resolver_code(lint: dict[str, Any]) -> None:
    assert lint["ignored"] == {
        "sandbox/runtime/utils.mjs": True,
        "tests/fixtures/resolvers/Query.lintProbe.js": True,
        "node_modules/eslint/package.json": True,
        "eslint.config.mjs": True,
        "resolvers/Query.getLeague.js": False,
        "components/genai_backend_components/generation/component.py": True,
        "components/genai_backend_components/generation/resolvers/pipeline.js": False,
    }
