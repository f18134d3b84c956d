"""tools.diff on hand-made documents: what each kind of change looks like to a reviewer, and the exit codes.

The realistic pull requests (a model change, a table rename, a new resolver, ...) synthesize the real program in
tests/app/test_diff_scenarios.py; here each rule is pinned on the smallest document that shows it.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pulumi
import pytest

from tools.diff import compare, main
from tools.diff_markdown import COMMENT_LIMIT, render_markdown
from tools.diff_text import render_text
from tools.diff_values import MISSING, diff_values, format_path
from tools.evaluate import evaluate

FUNCTION = "aws:lambda/function:Function"
TABLE = "aws:dynamodb/table:Table"
POLICY = "aws:iam/rolePolicy:RolePolicy"


def record(name: str, type_: str = FUNCTION, parent: str | None = "app", **fields: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "parent": parent,
        "inputs": fields.pop("inputs", {}),
        "dependencies": [],
        **fields,
    }


def document(*records: dict[str, Any], outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    app = record("app", "genai:index:FullstackBackend", None)
    return {"stack": "prod", "resources": [app, *records], "outputs": outputs or {}}


PROTECTED = {"protect": True, "retainOnDelete": True}
TABLE_INPUTS = {"hashKey": "id", "billingMode": "PAY_PER_REQUEST", "deletionProtectionEnabled": True}

OLD = document(
    record("api", inputs={"loggingConfig": {"applicationLogLevel": "TRACE", "logFormat": "JSON"}}),
    record("gone", inputs={"memorySize": 128}),
    outputs={"url": "https://example.com/graphql"},
)
NEW = document(
    record("api", inputs={"loggingConfig": {"applicationLogLevel": "WARN", "logFormat": "JSON"}}),
    record("fresh", inputs={"memorySize": 256}),
    outputs={"url": "https://example.com/graphql"},
)


def ops(report: Any) -> dict[str, str]:
    return {diff.name: diff.op for diff in report.resources}


# --- operations and what each shows --------------------------------------------------------------------------


def test_each_resource_gets_the_operation_pulumi_up_would_run() -> None:
    report = compare(OLD, NEW)
    assert ops(report) == {"api": "update", "fresh": "create", "gone": "delete"}
    [api] = [diff for diff in report.resources if diff.name == "api"]
    assert [(c.label, c.old, c.new) for c in api.changes] == [
        ("loggingConfig.applicationLogLevel", "TRACE", "WARN")
    ]
    text = render_text(report)
    assert text.startswith("Stack prod: 1 to create, 1 to update, 0 to replace, 1 to delete.")
    assert (
        '~ api (aws:lambda/function:Function): update\n    loggingConfig.applicationLogLevel: "TRACE" => "WARN"'
        in text
    )
    assert "+ fresh (aws:lambda/function:Function): create\n    memorySize: (absent) => 256" in text
    assert "- gone (aws:lambda/function:Function): delete" in text


def test_a_change_to_an_argument_the_provider_cannot_update_is_a_replacement_and_says_why() -> None:
    old = document(record("t", TABLE, inputs=TABLE_INPUTS))
    new = document(record("t", TABLE, inputs={**TABLE_INPUTS, "hashKey": "pk", "billingMode": "PROVISIONED"}))
    report = compare(old, new)
    [diff] = report.resources
    assert (diff.op, diff.replace_reasons) == ("replace", ["hashKey"])
    text = render_text(report)
    assert "+- t (aws:dynamodb/table:Table): replace (forced by hashKey)" in text
    assert "predicted from a table" in text and "not by the provider" in text
    only_billing = document(record("t", TABLE, inputs={**TABLE_INPUTS, "billingMode": "PROVISIONED"}))
    assert ops(compare(old, only_billing)) == {"t": "update"}


def test_replace_on_changes_forces_a_replacement_by_path() -> None:
    options = {"replaceOnChanges": ["environment.variables"]}
    old = document(
        record("f", options=options, inputs={"environment": {"variables": {"A": "1"}}, "timeout": 3})
    )
    new = document(
        record("f", options=options, inputs={"environment": {"variables": {"A": "2"}}, "timeout": 3})
    )
    [diff] = compare(old, new).resources
    assert (diff.op, diff.replace_reasons) == ("replace", ["environment.variables.A"])


def test_ignored_changes_are_shown_apart_and_change_nothing() -> None:
    options = {"ignoreChanges": ['providerDetails["token_url"]']}
    before = {"providerDetails": {"token_url": "https://a/token", "client_id": "x"}}
    after = {"providerDetails": {"token_url": "https://b/token", "client_id": "x"}}
    old = document(
        record("idp", "aws:cognito/identityProvider:IdentityProvider", options=options, inputs=before)
    )
    new = document(
        record("idp", "aws:cognito/identityProvider:IdentityProvider", options=options, inputs=after)
    )
    report = compare(old, new)
    [diff] = report.resources
    assert diff.op == "same" and diff.changes == []
    assert [change.label for change in diff.ignored] == ["providerDetails.token_url"]
    assert report.count("update") == 0
    assert "ignored by ignoreChanges: providerDetails.token_url" in render_text(report)


# --- options and blockers ------------------------------------------------------------------------------------


def test_removing_protect_and_retain_is_a_change_with_warnings_not_no_changes(tmp_path: Path, capsys) -> None:
    old = document(record("league-table", TABLE, options=PROTECTED, inputs=TABLE_INPUTS))
    new = document(record("league-table", TABLE, inputs=TABLE_INPUTS))
    report = compare(old, new)
    [diff] = report.resources
    assert diff.op == "same"
    assert [(c.label, c.old, c.new) for c in diff.options] == [
        ("protect", True, False),
        ("retainOnDelete", True, False),
    ]
    assert [(b.severity, b.message.split(":")[0]) for b in report.blockers] == [
        ("warning", "loses `protect`"),
        ("warning", "loses `retainOnDelete`"),
    ]
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    out = capsys.readouterr().out
    assert "No changes" not in out and "option protect: true => false" in out


def test_deleting_a_protected_and_retained_resource_is_two_blockers_at_the_top() -> None:
    old = document(record("league-table", TABLE, options=PROTECTED, inputs=TABLE_INPUTS), record("f"))
    new = document(record("f", inputs={"timeout": 10}))
    report = compare(old, new)
    assert [(b.severity, b.name) for b in report.blockers] == [("blocker", "league-table")] * 2
    protected, retained = (b.message for b in report.blockers)
    assert "`pulumi up` refuses" in protected and "orphaned" in retained
    markdown = render_markdown(report, "Stack prod")
    assert (
        markdown.index("**1** to update")
        < markdown.index("#### ⛔ Blockers")
        < markdown.index("| | resource |")
    )


def test_replacing_a_protected_resource_is_refused_and_unprotecting_in_the_same_change_loses_it() -> None:
    old = document(record("t", TABLE, options=PROTECTED, inputs=TABLE_INPUTS))
    still = document(record("t", TABLE, options=PROTECTED, inputs={**TABLE_INPUTS, "rangeKey": "sk"}))
    [refused, orphaned] = compare(old, still).blockers
    assert (
        "would be replaced: `pulumi up` refuses" in refused.message and "retainOnDelete" in orphaned.message
    )
    unprotected = document(record("t", TABLE, inputs={**TABLE_INPUTS, "rangeKey": "sk"}))
    messages = [b.message for b in compare(old, unprotected).blockers]
    assert any("loses `protect` and is replaced in the same change" in message for message in messages)


def test_a_delete_before_replace_change_is_a_blocker() -> None:
    old = document(record("domain", "aws:cognito/userPoolDomain:UserPoolDomain", inputs={"domain": "a"}))
    new = copy.deepcopy(old)
    new["resources"][1]["options"] = {"deleteBeforeReplace": True}
    [blocker] = compare(old, new).blockers
    assert (
        blocker.severity == "blocker"
        and "deleteBeforeReplace" in blocker.message
        and "downtime" in blocker.message
    )


def test_every_recorded_option_change_is_shown() -> None:
    old = document(
        record("p", "pulumi:providers:aws"), record("q", "pulumi:providers:aws"), record("f"), record("g")
    )
    new = copy.deepcopy(old)
    new["resources"][3]["options"] = {
        "ignoreChanges": ["tags"],
        "replaceOnChanges": ["name"],
        "dependsOn": ["g"],
        "provider": "q",
        "aliases": [{"parent": "app"}],  # without it, a new parent is a new URN: a delete and a create
    }
    new["resources"][3]["parent"] = "p"
    [diff] = compare(old, new).resources
    assert diff.op == "same" and diff.previously is None
    assert {format_path(change.path) for change in diff.options} == {
        "parent",
        "ignoreChanges[0]",
        "replaceOnChanges[0]",
        "dependsOn[0]",
        "provider",
    }


def test_synth_records_the_options_the_diff_compares() -> None:
    """tools.evaluate records ignoreChanges, replaceOnChanges, explicit dependsOn and an explicit provider."""

    def program() -> None:
        import pulumi_aws as aws

        provider = aws.Provider("west", region="us-west-2")
        queue = aws.sqs.Queue("q")
        aws.sqs.Queue(
            "r",
            delay_seconds=1,
            opts=pulumi.ResourceOptions(
                depends_on=[queue],
                ignore_changes=["tags"],
                replace_on_changes=["fifoQueue"],
                provider=provider,
            ),
        )

    evaluation = evaluate(program, stack="dev", project="p", region="us-east-1")
    options = evaluation.named("r").as_json()["options"]
    assert options == {
        "dependsOn": ["q"],
        "ignoreChanges": ["tags"],
        "replaceOnChanges": ["fifoQueue"],
        "provider": "west",
    }
    assert "options" not in evaluation.named("q").as_json()


# --- values ---------------------------------------------------------------------------------------------------


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_json_documents_are_compared_structurally_and_statements_by_sid() -> None:
    read = {"Sid": "Read", "Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": ["arn:t/a"]}
    write = {"Sid": "Write", "Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": ["arn:t/a"]}
    changed = {**read, "Resource": ["arn:t/b"]}
    [resource, added] = diff_values({"policy": _policy(read)}, {"policy": _policy(write, changed)})
    assert (resource.label, resource.old, resource.new) == (
        "policy → Statement[Sid=Read].Resource[0]",
        "arn:t/a",
        "arn:t/b",
    )
    assert (added.label, added.old) == ("policy → Statement[Sid=Write]", MISSING)


def test_list_items_are_matched_so_an_insertion_is_one_change() -> None:
    old = {"Resource": ["arn:1", "arn:2", "arn:3"]}
    new = {"Resource": ["arn:0", "arn:1", "arn:2", "arn:3"]}
    [change] = diff_values(old, new)
    assert (change.label, change.old, change.new) == ("Resource[0]", MISSING, "arn:0")


def test_multi_line_text_is_a_line_diff_in_a_collapsible_block() -> None:
    code = "export function request(ctx) {\n  return {};\n}\n"
    old = document(record("fn", "aws:appsync/function:Function", inputs={"code": code}))
    new = document(
        record("fn", "aws:appsync/function:Function", inputs={"code": code.replace("{};", "{ a: 1 };")})
    )
    markdown = render_markdown(compare(old, new), "t")
    block = markdown.split("<details><summary><code>code</code>: text, 1 line removed, 1 added</summary>")[1]
    assert block.split("</details>")[0].strip().splitlines() == [
        "```diff",
        "@@ -1,3 +1,3 @@",
        " export function request(ctx) {",
        "-  return {};",
        "+  return { a: 1 };",
        " }",
        "```",
    ]


def test_long_values_are_shown_around_what_differs() -> None:
    prefix = "x" * 300
    old = document(record("f", inputs={"description": prefix + "-old-tail"}))
    new = document(record("f", inputs={"description": prefix + "-new-tail"}))
    [row] = [
        line
        for line in render_markdown(compare(old, new), "t").splitlines()
        if line.startswith("| `description`")
    ]
    cells = row.split(" | ")
    assert "old-tail" in cells[1] and "new-tail" in cells[2] and cells[1] != cells[2]
    assert len(row) < 300


def test_secrets_are_never_shown_even_when_a_plain_value_becomes_secret() -> None:
    old = document(record("f", inputs={"environment": {"variables": {"TOKEN": "plain-but-sensitive"}}}))
    new = document(record("f", inputs={"environment": "[secret]"}))
    report = compare(old, new)
    for rendered in (render_text(report), render_markdown(report, "t")):
        assert "plain-but-sensitive" not in rendered and "[secret]" in rendered
    assert ops(compare(new, copy.deepcopy(new))) == {}


# --- the comment limit ---------------------------------------------------------------------------------------


def test_a_huge_diff_keeps_the_summary_and_blockers_and_says_what_was_cut() -> None:
    code = "\n".join(f"// line {n}: " + "x" * 80 for n in range(40))
    old = document(record("league-table", TABLE, options=PROTECTED, inputs=TABLE_INPUTS))
    new = document(
        *(
            record(f"resolver-{n:04}", "aws:appsync/resolver:Resolver", inputs={"code": code})
            for n in range(2000)
        )
    )
    report = compare(old, new)
    markdown = render_markdown(report, "Stack prod")
    assert len(markdown.encode()) <= 60_000 < len(render_text(report))
    assert markdown.startswith(
        "### Stack prod\n\n**2000** to create, **0** to update, **0** to replace, **1** to delete."
    )
    assert "#### ⛔ Blockers" in markdown and markdown.count("**`league-table`**") == 2
    assert re.search(
        r"\*\*Cut to fit one comment\*\* \(GitHub allows 65,536 characters\): .*\d+ detail sections", markdown
    )
    assert markdown.count("<details>") == markdown.count("</details>"), "no collapsible block cut in half"
    assert len(render_markdown(report, "Stack prod", COMMENT_LIMIT // 4).encode()) <= COMMENT_LIMIT // 4


# --- the command ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("new", "code"), [(OLD, 0), (NEW, 1)])
def test_exit_code_says_whether_documents_differ(tmp_path: Path, new: dict, code: int, capsys) -> None:
    (tmp_path / "old.json").write_text(json.dumps(OLD))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == code
    assert ("No changes." in capsys.readouterr().out) == (code == 0)
    assert (
        main([str(tmp_path / "old.json"), str(tmp_path / "new.json"), "--markdown", "--title", "T"]) == code
    )
    assert capsys.readouterr().out.startswith("### T\n")


def test_unreadable_input_exits_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "old.json").write_text("not json")
    (tmp_path / "new.json").write_text("{}")
    assert main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 2
    (tmp_path / "old.json").write_text(json.dumps(document(record("f"), record("f"))))
    (tmp_path / "new.json").write_text(json.dumps(document()))
    assert main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 2
    assert "two resources named 'f'" in capsys.readouterr().err


# --- the issue's reports, through the command alone -------------------------------------------------------


def _run(tmp_path: Path, old: dict[str, Any], new: dict[str, Any], *flags: str) -> int:
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    return main([str(tmp_path / "old.json"), str(tmp_path / "new.json"), *flags])


def test_command_reports_removed_protection_instead_of_no_changes(tmp_path: Path, capsys) -> None:
    old = document(record("app-league-table", TABLE, options=PROTECTED, inputs=TABLE_INPUTS))
    new = document(record("app-league-table", TABLE, inputs=TABLE_INPUTS))
    code = _run(tmp_path, old, new)
    out = capsys.readouterr().out
    assert code == 1 and "No changes" not in out
    assert "loses `protect`" in out and "loses `retainOnDelete`" in out


def test_command_puts_the_protected_retained_delete_of_a_renamed_table_first(tmp_path: Path, capsys) -> None:
    old = document(record("app-league-table", TABLE, options=PROTECTED, inputs=TABLE_INPUTS))
    new = document(record("app-leagues-table", TABLE, options=PROTECTED, inputs=TABLE_INPUTS))
    code = _run(tmp_path, old, new, "--markdown", "--title", "Stack prod")
    markdown = capsys.readouterr().out
    top = markdown.split("| | resource |")[0]
    assert code == 1 and "#### ⛔ Blockers" in top
    assert "is protected and would be deleted" in top and "stays in AWS unmanaged (orphaned)" in top
    assert "`app-league-table` → `app-leagues-table`" in top


def test_command_markdown_shows_what_differs_in_long_json_and_text_values(tmp_path: Path, capsys) -> None:
    profile = "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-{}-v1:0"
    statement = {"Sid": "InvokeInferenceProfile", "Effect": "Allow", "Action": ["bedrock:InvokeModel"]}
    before = _policy({**statement, "Resource": [profile.format("sonnet-4-5-20250929")]})
    after = _policy({**statement, "Resource": [profile.format("haiku-4-5-20251001")]})
    header = (
        "// Generated from the stack's settings: do not edit. Passes per-stack values to the next steps.\n"
    )
    code_before = (
        header + 'ctx.stash.generation = {"modelId": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"};\n'
    )
    old = document(
        record("p", POLICY, inputs={"policy": before}),
        record("s", "aws:appsync/function:Function", inputs={"code": code_before}),
    )
    new = document(
        record("p", POLICY, inputs={"policy": after}),
        record(
            "s",
            "aws:appsync/function:Function",
            inputs={"code": code_before.replace("sonnet-4-5-20250929", "haiku-4-5-20251001")},
        ),
    )
    code = _run(tmp_path, old, new, "--markdown")
    markdown = capsys.readouterr().out
    assert code == 1
    assert (
        f'| `policy → Statement[Sid=InvokeInferenceProfile].Resource[0]` | `"{profile.format("sonnet-4-5-20250929")}"` '
        f'| `"{profile.format("haiku-4-5-20251001")}"` |'
    ) in markdown
    assert (
        '\n-ctx.stash.generation = {"modelId": "us.anthropic.claude-sonnet-4-5-20250929-v1:0"};\n' in markdown
    )
    assert (
        '\n+ctx.stash.generation = {"modelId": "us.anthropic.claude-haiku-4-5-20251001-v1:0"};\n' in markdown
    )
