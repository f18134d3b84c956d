"""diff reports added, removed and changed resources by property path, and its exit code says whether they differ."""

import json
from pathlib import Path

import pytest

from tools.diff import compare, main, render_markdown, render_text


def _document(**resources: dict) -> dict:
    return {
        "stack": "dev",
        "resources": [
            {
                "name": name,
                "type": "aws:lambda/function:Function",
                "parent": "app",
                "inputs": inputs,
                "dependencies": [],
            }
            for name, inputs in resources.items()
        ],
        "outputs": {"url": "https://example.com/graphql"},
    }


OLD = _document(
    api={"loggingConfig": {"applicationLogLevel": "TRACE", "logFormat": "JSON"}, "environment": "[secret]"},
    gone={"memorySize": 128},
)
NEW = _document(
    api={"loggingConfig": {"applicationLogLevel": "WARN", "logFormat": "JSON"}, "environment": "[secret]"},
    fresh={"memorySize": 256},
)


def test_compare_names_each_change() -> None:
    report = compare(OLD, NEW)
    assert report.added == [("aws:lambda/function:Function", "fresh")]
    assert report.removed == [("aws:lambda/function:Function", "gone")]
    [(key, changes)] = report.changed.items()
    assert key == ("aws:lambda/function:Function", "api")
    assert [(c.path, c.old, c.new) for c in changes] == [
        ("inputs.loggingConfig.applicationLogLevel", "TRACE", "WARN")
    ]


def test_text_and_markdown_show_paths_and_values() -> None:
    report = compare(OLD, NEW)
    text = render_text(report)
    assert (
        '~ api (aws:lambda/function:Function)\n    inputs.loggingConfig.applicationLogLevel: "TRACE" => "WARN"'
        in text
    )
    assert text.startswith("1 to add, 1 to change, 1 to remove")
    markdown = render_markdown(report, "dev")
    assert '| `inputs.loggingConfig.applicationLogLevel` | `"TRACE"` | `"WARN"` |' in markdown
    assert "| + | `fresh` |" in markdown and "| - | `gone` |" in markdown


def test_list_items_and_outputs_are_compared() -> None:
    old = {"resources": [], "outputs": {"urls": [{"a": 1}, {"a": 2}]}}
    new = {"resources": [], "outputs": {"urls": [{"a": 1}, {"a": 3}]}}
    [change] = compare(old, new).outputs
    assert (change.path, change.old, change.new) == ("urls[1].a", 2, 3)


@pytest.mark.parametrize(("new", "code"), [(OLD, 0), (NEW, 1)])
def test_exit_code_says_whether_documents_differ(tmp_path: Path, new: dict, code: int, capsys) -> None:
    (tmp_path / "old.json").write_text(json.dumps(OLD))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == code
    assert ("No changes." in capsys.readouterr().out) == (code == 0)


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_text("not json")
    (tmp_path / "new.json").write_text("{}")
    assert main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 2
