"""``tools.diff`` for a terminal or a job log: everything, in the order a reviewer reads it.

Also the wording both renderers share (the summary, the note on replacements, how a value is shown), so the
text and the pull-request comment never disagree.
"""

from __future__ import annotations

import json
from typing import Any

from tools.diff import Report, ResourceDiff
from tools.diff_values import MISSING, SECRET, Change, line_counts, line_diff

SYMBOLS = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": "="}
VERBS = {
    "create": "create",
    "update": "update",
    "replace": "replace",
    "delete": "delete",
    "same": "no cloud change",
}
TABLE_NOTE = (
    "Replacements are predicted from a table of arguments the AWS provider cannot update in place "
    "(tools/diff_replace.py), not by the provider itself: `pulumi preview` has the final word."
)
RENAME_NOTE = (
    "a resource renamed without an alias is deleted and created again, with a new physical name; an alias "
    "to the old name keeps it"
)


def show(value: Any) -> str:
    """A value as JSON (strings quoted), ``(absent)`` for a missing side; secrets never reach here unmasked."""
    if value is MISSING:
        return "(absent)"
    if value == SECRET:
        return SECRET
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def summary(report: Report) -> str:
    parts = [
        f"{report.count('create')} to create",
        f"{report.count('update')} to update",
        f"{report.count('replace')} to replace",
        f"{report.count('delete')} to delete",
    ]
    if report.count("same"):
        parts.append(f"{report.count('same')} with option or identity changes only")
    return ", ".join(parts)


def what_changes(diff: ResourceDiff) -> str:
    """One line on a resource: its replacement reasons, or the properties and options that change."""
    if diff.op == "replace":
        return "forced by " + ", ".join(diff.replace_reasons)
    if diff.op == "delete":
        flags = [("protect", "protected"), ("retainOnDelete", "retained: stays in AWS")]
        return ", ".join(label for option, label in flags if diff.option("old", option))
    names: list[str] = []
    for change in diff.changes if diff.op != "create" else []:
        top = change.label.split(" → ")[0].split("[")[0].split(".")[0]
        if top not in names:
            names.append(top)
    names += [
        f"option {change.path[0]}" for change in diff.options if f"option {change.path[0]}" not in names
    ]
    if diff.previously:
        names.append(f"was {diff.previously}")
    if diff.ignored:
        names.append(f"{len(diff.ignored)} ignored by ignoreChanges")
    return ", ".join(names)


def count_lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"


def text_summary(change: Change) -> str:
    removed, added = line_counts(change.old, change.new)
    if change.old is MISSING:
        return f"text, {count_lines(added)}"
    if change.new is MISSING:
        return f"text, {count_lines(removed)} removed"
    return f"text, {count_lines(removed)} removed, {added} added"


def change_line(change: Change) -> str:
    if change.kind == "secret":
        return f"{change.label}: [secret] (changed; the value is not shown)"
    if change.kind == "lines":
        return f"{change.label}: {text_summary(change)}"
    return f"{change.label}: {show(change.old)} => {show(change.new)}"


def _resource_lines(diff: ResourceDiff) -> list[str]:
    heading = f"{SYMBOLS[diff.op]} {diff.name} ({diff.type}): {VERBS[diff.op]}"
    detail = what_changes(diff) if diff.op == "replace" else ""
    lines = [heading + (f" ({detail})" if detail else "")]
    if diff.previously:
        lines.append(f"    was {diff.previously}: an alias keeps the same cloud resource")
    for change in diff.changes:
        lines.append("    " + change_line(change))
        if change.kind == "lines":
            lines += ["      " + line for line in line_diff(change.old, change.new)]
    lines += ["    option " + change_line(change) for change in diff.options]
    lines += ["    ignored by ignoreChanges: " + change_line(change) for change in diff.ignored]
    return lines


def render_text(report: Report) -> str:
    if report.empty:
        return "No changes.\n"
    lines = [f"Stack {report.stack}: {summary(report)}." if report.stack else f"{summary(report)}."]
    if report.count("update") or report.count("replace"):
        lines.append(TABLE_NOTE)
    for severity, heading in (("blocker", "BLOCKERS"), ("warning", "WARNINGS")):
        found = [blocker for blocker in report.blockers if blocker.severity == severity]
        if found:
            lines += ["", heading]
            lines += [f"  {blocker.name} ({blocker.type}) {blocker.message}" for blocker in found]
    if report.renames:
        lines += ["", f"POSSIBLE RENAMES ({RENAME_NOTE})"]
        lines += [f"  {old} -> {new}" for old, new in report.renames]
    lines.append("")
    for diff in report.resources:
        lines += _resource_lines(diff)
    if report.outputs:
        lines.append("~ stack outputs")
        lines += ["    " + change_line(change) for change in report.outputs]
    return "\n".join(lines) + "\n"
