"""Compares two ``synth`` documents and says what a change adds, removes and modifies.

    python -m tools.diff OLD.json NEW.json [--markdown]

Exit codes: 0 when the documents declare the same thing, 1 when they differ, 2 on unreadable input.
Secrets stay masked because synth never wrote them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Key = tuple[str, str]


@dataclass
class Change:
    path: str
    old: Any
    new: Any


@dataclass
class Report:
    added: list[Key] = field(default_factory=list)
    removed: list[Key] = field(default_factory=list)
    changed: dict[Key, list[Change]] = field(default_factory=dict)
    outputs: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.outputs)


_MISSING = object()


def _flatten(value: Any, path: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key in sorted(value):
            _flatten(value[key], f"{path}.{key}" if path else key, into)
    elif isinstance(value, list) and value and any(isinstance(item, dict | list) for item in value):
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", into)
    else:
        into[path] = value


def _property_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    flat_old: dict[str, Any] = {}
    flat_new: dict[str, Any] = {}
    _flatten(old, "", flat_old)
    _flatten(new, "", flat_new)
    changes = []
    for path in sorted(set(flat_old) | set(flat_new)):
        before, after = flat_old.get(path, _MISSING), flat_new.get(path, _MISSING)
        if before != after:
            changes.append(Change(path, before, after))
    return changes


def _resource_view(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        "inputs": resource["inputs"],
        "parent": resource["parent"],
        "dependencies": resource["dependencies"],
    }


def compare(old: dict[str, Any], new: dict[str, Any]) -> Report:
    before = {(r["type"], r["name"]): r for r in old["resources"]}
    after = {(r["type"], r["name"]): r for r in new["resources"]}
    report = Report(
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
    )
    for key in sorted(set(before) & set(after)):
        changes = _property_changes(_resource_view(before[key]), _resource_view(after[key]))
        if changes:
            report.changed[key] = changes
    report.outputs = _property_changes(old.get("outputs", {}), new.get("outputs", {}))
    return report


def _show(value: Any) -> str:
    return "(absent)" if value is _MISSING else json.dumps(value, sort_keys=True)


def render_text(report: Report) -> str:
    if report.empty:
        return "No changes.\n"
    lines = [f"{len(report.added)} to add, {len(report.changed)} to change, {len(report.removed)} to remove"]
    lines += [f"+ {name} ({type_})" for type_, name in report.added]
    lines += [f"- {name} ({type_})" for type_, name in report.removed]
    for (type_, name), changes in report.changed.items():
        lines.append(f"~ {name} ({type_})")
        lines += [f"    {c.path}: {_show(c.old)} => {_show(c.new)}" for c in changes]
    if report.outputs:
        lines.append("~ stack outputs")
        lines += [f"    {c.path}: {_show(c.old)} => {_show(c.new)}" for c in report.outputs]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    text = _show(value)
    if len(text) > 120:
        text = text[:117] + "..."
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def render_markdown(report: Report, title: str = "Infrastructure diff") -> str:
    if report.empty:
        return f"### {title}\n\nNo changes.\n"
    lines = [
        f"### {title}",
        "",
        f"**{len(report.added)}** to add, **{len(report.changed)}** to change, **{len(report.removed)}** to remove.",
        "",
    ]
    if report.added or report.removed:
        lines += ["| | resource | type |", "|---|---|---|"]
        lines += [f"| + | `{name}` | `{type_}` |" for type_, name in report.added]
        lines += [f"| - | `{name}` | `{type_}` |" for type_, name in report.removed]
        lines.append("")
    for (type_, name), changes in report.changed.items():
        lines += [f"<details><summary>~ <code>{name}</code> ({type_})</summary>", ""]
        lines += ["| property | old | new |", "|---|---|---|"]
        lines += [f"| `{c.path}` | {_cell(c.old)} | {_cell(c.new)} |" for c in changes]
        lines += ["", "</details>", ""]
    if report.outputs:
        lines += ["**Stack outputs**", "", "| output | old | new |", "|---|---|---|"]
        lines += [f"| `{c.path}` | {_cell(c.old)} | {_cell(c.new)} |" for c in report.outputs]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.diff", description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--markdown", action="store_true", help="render a pull-request comment")
    parser.add_argument("--title", default="Infrastructure diff", help="heading of the markdown output")
    args = parser.parse_args(argv)
    try:
        old, new = (json.loads(path.read_text()) for path in (args.old, args.new))
        report = compare(old, new)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"diff: cannot read synth documents: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(render_markdown(report, args.title) if args.markdown else render_text(report))
    return 0 if report.empty else 1


if __name__ == "__main__":
    sys.exit(main())
