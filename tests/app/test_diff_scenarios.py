"""Realistic pull requests through tools.diff: what the reviewer of each one sees.

Each scenario synthesizes the real program twice, from a snapshot of this repository taken once (so both sides
come from the same code) and from a copy of it with the pull request's edit applied: a config change, a code
change in app/, or an edit of the synthesized document where the code change would live in the component
library. The copies import their own components/ (PYTHONPATH), so nothing else being edited meanwhile leaks in.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tools.diff import Report, compare
from tools.diff_markdown import render_markdown
from tools.diff_text import render_text

ROOT = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(
    ".*", "node_modules", "tests", "build", "out", "benchmarks", "policy", "__pycache__"
)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    (ROOT / "build").mkdir(exist_ok=True)  # the Lambda layer cache: shared, so it is built at most once
    target = tmp_path_factory.mktemp("snapshot") / "repo"
    shutil.copytree(ROOT, target, ignore=SKIP)
    (target / "build").symlink_to(ROOT / "build")
    return target


def synth(repository: Path, stack: str, *config: str) -> dict[str, Any]:
    out = repository / f"{stack}.json"
    arguments = [sys.executable, "-m", "tools.synth", "--stack", stack, "--out", str(out)]
    arguments += [item for pair in config for item in ("--config", pair)]
    environment = {**os.environ, "PYTHONPATH": str(repository / "components")}
    result = subprocess.run(
        arguments, cwd=repository, env=environment, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text())


def variant(snapshot: Path, name: str, edits: dict[str, Callable[[str], str]]) -> Path:
    """A copy of the snapshot with each file rewritten by its edit (each edit must change its file)."""
    target = snapshot.parent / name
    shutil.copytree(snapshot, target, ignore=shutil.ignore_patterns("build", "*.json"), symlinks=True)
    (target / "build").symlink_to(ROOT / "build")
    for relative, edit in edits.items():
        path = target / relative
        before = path.read_text() if path.exists() else ""
        after = edit(before)
        assert after != before, f"the edit of {relative} changed nothing"
        path.write_text(after)
    return target


def replace_once(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) == 1, f"expected one {old!r}"
        return text.replace(old, new)

    return edit


@pytest.fixture(scope="module")
def base_prod(snapshot: Path) -> dict[str, Any]:
    return synth(snapshot, "prod")


def rows(markdown: str) -> list[list[str]]:
    """Table rows as cells (property, old, new)."""
    return [line[2:-2].split(" | ") for line in markdown.splitlines() if line.startswith("| `")]


def resource(report: Report, name: str) -> Any:
    [found] = [diff for diff in report.resources if diff.name == name]
    return found


# --- a model change in prod ----------------------------------------------------------------------------------


def test_a_model_change_shows_each_arn_and_the_line_of_resolver_code_that_changed(
    snapshot: Path, base_prod: dict[str, Any]
) -> None:
    haiku = "anthropic.claude-haiku-4-5-20251001-v1:0"
    report = compare(base_prod, synth(snapshot, "prod", f"aiModelId={haiku}"))
    assert {diff.name: diff.op for diff in report.resources} == {
        "app-generation-settings": "update",
        "app-chat-model-invoke": "update",
        "app-generation-datasource-BedrockRuntime-policy": "update",
        "app-chat-handler-function": "update",
    }
    assert report.blockers == []
    markdown = render_markdown(report, "Stack prod")
    assert markdown.startswith(
        "### Stack prod\n\n**0** to create, **4** to update, **0** to replace, **0** to delete."
    )
    # Every changed value is readable: no row shows the same text on both sides.
    values = [row for row in rows(markdown) if len(row) == 3]
    assert values and all(old != new for _, old, new in values)
    policy_rows = [
        row for row in rows(markdown) if row[0].startswith("`policy → Statement[Sid=InvokeInferenceProfile]")
    ]
    assert len(policy_rows) == 2, "the inference profile ARN in each of the two role policies"
    for _, old, new in policy_rows:
        assert (
            "inference-profile/us.anthropic.claude-sonnet-4-5" in old
            and f"inference-profile/us.{haiku}" in new
        )
    code = markdown.split("<summary><code>code</code>: text, 1 line removed, 1 added</summary>")[1]
    changed = [line for line in code.split("</details>")[0].splitlines() if line.startswith(("+", "-"))]
    assert len(changed) == 2 and "sonnet" in changed[0] and haiku in changed[1]
    assert '| `environment.variables.MODEL_ID` | `"us.anthropic.claude-sonnet' in markdown
    assert "| `modelInvokeId` |" in markdown


# --- renaming the prod League table -------------------------------------------------------------------------

RENAME = 'table = Table(f"{name}-league", league_table_args(values), opts=child)'


def test_renaming_the_prod_table_is_a_blocked_delete_of_protected_retained_data(
    snapshot: Path, base_prod: dict[str, Any]
) -> None:
    renamed = variant(
        snapshot, "rename", {"app/league.py": replace_once(RENAME, RENAME.replace("-league", "-leagues"))}
    )
    report = compare(base_prod, synth(renamed, "prod"))
    assert (
        resource(report, "app-league-table").op == "delete"
        and resource(report, "app-leagues-table").op == "create"
    )
    assert [(b.severity, b.name) for b in report.blockers] == [("blocker", "app-league-table")] * 2
    assert ("app-league-table", "app-leagues-table") in report.renames
    # Everything that named the table follows the new physical name.
    assert resource(report, "app-league-fn-league-table").op == "update"
    markdown = render_markdown(report, "Stack prod")
    top = markdown.split("| | resource |")[0]
    assert "**2** to create" in top and "**2** to delete" in top
    assert "is protected and would be deleted: `pulumi up` refuses" in top
    assert "has `retainOnDelete`: removed from the stack, it stays in AWS unmanaged (orphaned)" in top
    assert "`app-league-table` → `app-leagues-table`" in top


def test_an_aliased_rename_keeps_the_table_and_changes_nothing_in_the_cloud(
    snapshot: Path, base_prod: dict[str, Any]
) -> None:
    aliased = RENAME.replace("-league", "-leagues").replace(
        "opts=child",
        'opts=pulumi.ResourceOptions(parent=parent, aliases=[pulumi.Alias(name=f"{name}-league")])',
    )
    report = compare(
        base_prod, synth(variant(snapshot, "alias", {"app/league.py": replace_once(RENAME, aliased)}), "prod")
    )
    assert {diff.name: (diff.op, diff.previously) for diff in report.resources} == {
        "app-leagues": ("same", "app-league (genai-backend:index:Table)"),
        "app-leagues-table": ("same", "app-league-table (aws:dynamodb/table:Table)"),
    }
    assert report.blockers == [] and report.outputs == []
    assert all(not diff.options for diff in report.resources), "the parent is the same resource, renamed"
    assert (
        "0 to create, 0 to update, 0 to replace, 0 to delete, 2 with option or identity changes only"
        in render_text(report)
    )


# --- protect removed -----------------------------------------------------------------------------------------


def test_removing_protect_from_the_prod_table_is_flagged(base_prod: dict[str, Any]) -> None:
    """The library change that drops ``protect``/``retain_on_delete`` reaches synth as these two options gone."""
    unprotected = copy.deepcopy(base_prod)
    [table] = [record for record in unprotected["resources"] if record["name"] == "app-league-table"]
    assert table["options"] == {"protect": True, "retainOnDelete": True}
    del table["options"]
    report = compare(base_prod, unprotected)
    assert not report.empty
    [diff] = report.resources
    assert (diff.name, diff.op) == ("app-league-table", "same")
    markdown = render_markdown(report, "Stack prod")
    assert (
        "#### ⚠️ Warnings" in markdown
        and "loses `protect`" in markdown
        and "loses `retainOnDelete`" in markdown
    )
    assert (
        "| `protect` | `true` | `false` |" in markdown
        and "| `retainOnDelete` | `true` | `false` |" in markdown
    )


# --- a log level change --------------------------------------------------------------------------------------


def test_a_log_level_change_updates_each_function_in_place(snapshot: Path) -> None:
    report = compare(synth(snapshot, "dev"), synth(snapshot, "dev", "lambdaLogLevel=DEBUG"))
    assert {diff.type for diff in report.resources} == {"aws:lambda/function:Function"}
    assert {diff.op for diff in report.resources} == {"update"} and len(report.resources) == 3
    for diff in report.resources:
        assert [(c.label, c.old, c.new) for c in diff.changes] == [
            ("loggingConfig.applicationLogLevel", "TRACE", "DEBUG")
        ]
    assert report.blockers == [] and report.renames == []


# --- a new domain prefix: a replacement ----------------------------------------------------------------------


def test_a_new_sign_in_domain_prefix_replaces_the_domain_and_says_it_is_from_the_table(
    snapshot: Path, base_prod: dict[str, Any]
) -> None:
    report = compare(base_prod, synth(snapshot, "prod", "authDomainPrefix=genai-backend-production"))
    domain = resource(report, "app-auth-domain")
    assert (domain.op, domain.replace_reasons) == ("replace", ["domain"])
    markdown = render_markdown(report, "Stack prod")
    assert "**1** to replace" in markdown and "not by the provider itself" in markdown
    assert (
        "| `+-` replace | `app-auth-domain` | `aws:cognito/userPoolDomain:UserPoolDomain` | `forced by domain` |"
        in markdown
    )
    assert report.blockers == [], "the domain is not protected, and deleteBeforeReplace is unchanged"


# --- a new resolver ------------------------------------------------------------------------------------------


def test_a_new_resolver_shows_its_code_and_the_schema_line_that_adds_its_field(
    snapshot: Path, base_prod: dict[str, Any]
) -> None:
    field = "  getLeague(id: ID!): League @aws_cognito_user_pools @aws_iam\n"
    pull_request = variant(
        snapshot,
        "resolver",
        {
            "resolvers/schema.graphql": replace_once(
                field, field + field.replace("getLeague(", "getLeagueById(")
            ),
            "resolvers/Query.getLeagueById.js": lambda _: (
                snapshot / "resolvers" / "Query.getLeague.js"
            ).read_text(),
            "app/api_schema.py": replace_once(
                '    "Query.getLeague": "LeagueTable",\n',
                '    "Query.getLeague": "LeagueTable",\n    "Query.getLeagueById": "LeagueTable",\n',
            ),
        },
    )
    report = compare(base_prod, synth(pull_request, "prod"))
    new = resource(report, "app-api-resolver-Query.getLeagueById")
    assert new.op == "create" and report.count("delete") == 0 and report.blockers == []
    api = resource(report, "app-api-api")
    assert api.op == "update" and [change.label for change in api.changes if change.kind == "lines"] == [
        "schema"
    ]
    markdown = render_markdown(report, "Stack prod")
    assert "\n+  getLeagueById(id: ID!): League @aws_cognito_user_pools @aws_iam\n" in markdown
    section = markdown.split("<b>app-api-resolver-Query.getLeagueById</b>: create")[1].split(
        "</details>\n\n</details>"
    )[0]
    assert "+export function request(ctx) {" in section and '| `field` | `"getLeagueById"` |' in section
