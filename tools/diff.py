"""Compares two ``synth`` documents the way a reviewer needs: what ``pulumi up`` would create, update, replace
and delete, and what would stop it or lose data.

    python -m tools.diff OLD.json NEW.json [--markdown [--title TITLE] [--max-chars N]]

Modelled on ``pulumi preview --diff``: resources are matched by URN and alias as the engine matches them
(``tools.diff_identity``), so a rename without an alias is a delete and a create; inputs are compared down to
the value that changed, inside JSON documents and line by line in text (``tools.diff_values``); a change to an
argument the AWS provider cannot update in place is a replacement (``tools.diff_replace``, a documented table);
resource options are compared too, and protected or retained resources that would be deleted or replaced are
reported first, as blockers. Secrets stay masked: synth never writes them.

Exit codes: 0 when the documents declare the same thing, 1 when they differ, 2 on unreadable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.diff_identity import keep_renamed_ids, match
from tools.diff_replace import matches_any, replacement_reasons
from tools.diff_values import Change, diff_values, same_value

OPERATIONS = ("replace", "delete", "create", "update", "same")
"""In the order a reviewer reads them: what loses data first."""
OPTION_DEFAULTS: dict[str, Any] = {
    "protect": False,
    "retainOnDelete": False,
    "deleteBeforeReplace": False,
    "ignoreChanges": [],
    "replaceOnChanges": [],
    "dependsOn": [],
    "provider": None,
}
"""The options compared, with the value a resource has when synth records none."""


@dataclass
class ResourceDiff:
    op: str
    """``create``, ``update``, ``replace``, ``delete``, or ``same`` (no cloud change; options or identity may
    still have changed)."""
    type: str
    name: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    changes: list[Change] = field(default_factory=list)
    """Input changes ``pulumi up`` would apply."""
    ignored: list[Change] = field(default_factory=list)
    """Input changes the resource's ``ignoreChanges`` keeps from being applied."""
    options: list[Change] = field(default_factory=list)
    """Changes to resource options and to the parent."""
    replace_reasons: list[str] = field(default_factory=list)
    previously: str | None = None
    """``name (type)`` the resource had in the old program when an alias carried it over."""

    def option(self, side: str, key: str) -> Any:
        record = self.old if side == "old" else self.new
        return ((record or {}).get("options") or {}).get(key, OPTION_DEFAULTS.get(key))


@dataclass
class Blocker:
    severity: str
    """``blocker``: ``pulumi up`` refuses, or cloud resources are lost or orphaned; ``warning``: a safeguard is
    removed or changes how a later replacement behaves."""
    name: str
    type: str
    message: str


@dataclass
class Report:
    stack: str
    resources: list[ResourceDiff] = field(default_factory=list)
    outputs: list[Change] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)
    renames: list[tuple[str, str]] = field(default_factory=list)
    """(deleted, created) pairs that look like one resource renamed without an alias."""

    @property
    def empty(self) -> bool:
        return not (self.resources or self.outputs)

    def count(self, op: str) -> int:
        return sum(1 for resource in self.resources if resource.op == op)


def _options(record: dict[str, Any], old_names: dict[str, str] | None = None) -> dict[str, Any]:
    """The compared options; with ``old_names``, resources named in them are called by their old names, so a
    parent renamed through an alias is still the same parent."""
    recorded = record.get("options") or {}
    values = {key: recorded.get(key, default) for key, default in OPTION_DEFAULTS.items()}
    if old_names:
        values["dependsOn"] = sorted(old_names.get(name, name) for name in values["dependsOn"])
        if values["provider"]:
            values["provider"] = old_names.get(values["provider"], values["provider"])
    parent = record.get("parent")
    return {"parent": (old_names or {}).get(parent, parent) if parent else parent, **values}


def _pair(old: dict[str, Any], new: dict[str, Any], old_names: dict[str, str]) -> ResourceDiff:
    diff = ResourceDiff("same", new["type"], new["name"], old, new)
    if (old["name"], old["type"]) != (new["name"], new["type"]):
        diff.previously = f"{old['name']} ({old['type']})"
    ignore = _options(new)["ignoreChanges"]
    for change in diff_values(old.get("inputs", {}), new.get("inputs", {})):
        (diff.ignored if matches_any(ignore, change.path) else diff.changes).append(change)
    diff.options = diff_values(_options(old), _options(new, old_names))
    diff.replace_reasons = replacement_reasons(new["type"], diff.changes, _options(new)["replaceOnChanges"])
    if diff.replace_reasons:
        diff.op = "replace"
    elif diff.changes:
        diff.op = "update"
    return diff


PROTECTED_DELETE = (
    "is protected and would be deleted: `pulumi up` refuses. Remove `protect` in a change of its own first "
    "(or `pulumi state unprotect`), if deleting it is intended."
)
PROTECTED_REPLACE = "is protected and would be replaced: `pulumi up` refuses to replace it."
UNPROTECTED_REPLACE = "loses `protect` and is replaced in the same change: `pulumi up` deletes the old one, with everything in it."
RETAINED_DELETE = (
    "has `retainOnDelete`: removed from the stack, it stays in AWS unmanaged (orphaned); its name stays taken "
    "and nothing deletes it later."
)
RETAINED_REPLACE = "is replaced with `retainOnDelete`: the old one stays in AWS, unmanaged."
DELETE_FIRST = (
    "changes `deleteBeforeReplace`: a later replacement deletes it before creating the new one (downtime)."
)
CREATE_FIRST = (
    "changes `deleteBeforeReplace`: a later replacement creates the new one first, which fails if its name must "
    "be unique."
)
PROTECT_REMOVED = "loses `protect`: `pulumi destroy` or a later change can delete it."
RETAIN_REMOVED = "loses `retainOnDelete`: deleting it later deletes the cloud resource."


def _blockers(diff: ResourceDiff) -> list[Blocker]:
    """What stops `pulumi up` or loses cloud resources (blockers), and safeguards removed (warnings).

    The engine refuses to delete a resource whose state is protected, and to replace one that stays protected
    (removing ``protect`` and replacing in one update is allowed, and loses the old resource)."""
    protected, retained = diff.option("old", "protect"), diff.option("old", "retainOnDelete")
    still_protected, still_retained = diff.option("new", "protect"), diff.option("new", "retainOnDelete")
    kept = diff.op in ("update", "replace", "same")
    delete_first = diff.option("new", "deleteBeforeReplace")
    rules = [
        ("blocker", diff.op == "delete" and protected, PROTECTED_DELETE),
        ("blocker", diff.op == "replace" and protected and still_protected, PROTECTED_REPLACE),
        ("blocker", diff.op == "replace" and protected and not still_protected, UNPROTECTED_REPLACE),
        ("blocker", diff.op == "delete" and retained, RETAINED_DELETE),
        ("blocker", diff.op == "replace" and (retained or still_retained), RETAINED_REPLACE),
        (
            "blocker",
            kept and diff.option("old", "deleteBeforeReplace") != delete_first,
            DELETE_FIRST if delete_first else CREATE_FIRST,
        ),
        ("warning", kept and diff.op != "replace" and protected and not still_protected, PROTECT_REMOVED),
        ("warning", kept and retained and not still_retained, RETAIN_REMOVED),
    ]
    return [Blocker(severity, diff.name, diff.type, message) for severity, hit, message in rules if hit]


def _rename_hints(deleted: list[dict[str, Any]], created: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """A deleted and a created resource of one type with the same inputs, when that pairing is unambiguous."""
    hints = []
    for gone in deleted:
        same = [
            new
            for new in created
            if new["type"] == gone["type"] and same_value(new["inputs"], gone["inputs"])
        ]
        twins = [
            old
            for old in deleted
            if old["type"] == gone["type"] and same_value(old["inputs"], gone["inputs"])
        ]
        if len(same) == 1 and len(twins) == 1:
            hints.append((gone["name"], same[0]["name"]))
    return hints


def compare(old: dict[str, Any], new: dict[str, Any]) -> Report:
    matching = match(old, new)
    new = keep_renamed_ids(new, matching.pairs)
    by_name = {record["name"]: record for record in new["resources"]}
    report = Report(stack=str(new.get("stack") or old.get("stack") or ""))
    old_names = {new_record["name"]: old_record["name"] for old_record, new_record in matching.pairs}
    for old_record, new_record in matching.pairs:
        diff = _pair(old_record, by_name[new_record["name"]], old_names)
        if diff.op != "same" or diff.options or diff.ignored or diff.previously:
            report.resources.append(diff)
    for record in matching.created:
        # As `pulumi preview --diff` does, a new resource shows every input it is created with.
        added = diff_values({}, record.get("inputs") or {})
        report.resources.append(ResourceDiff("create", record["type"], record["name"], None, record, added))
    report.resources += [ResourceDiff("delete", r["type"], r["name"], r, None) for r in matching.deleted]
    report.resources.sort(key=lambda diff: (OPERATIONS.index(diff.op), diff.type, diff.name))
    for diff in report.resources:
        report.blockers += _blockers(diff)
    report.blockers.sort(key=lambda blocker: blocker.severity != "blocker")
    report.renames = _rename_hints(matching.deleted, matching.created)
    report.outputs = diff_values(old.get("outputs", {}), new.get("outputs", {}))
    return report


def main(argv: list[str] | None = None) -> int:
    from tools.diff_markdown import COMMENT_BUDGET, render_markdown
    from tools.diff_text import render_text

    parser = argparse.ArgumentParser(prog="python -m tools.diff", description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--markdown", action="store_true", help="render a pull-request comment")
    parser.add_argument("--title", default="Infrastructure diff", help="heading of the markdown output")
    parser.add_argument(
        "--max-chars",
        type=int,
        default=COMMENT_BUDGET,
        help=f"longest markdown, summary and blockers always kept (default {COMMENT_BUDGET:,})",
    )
    args = parser.parse_args(argv)
    try:
        old, new = (json.loads(path.read_text()) for path in (args.old, args.new))
        report = compare(old, new)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"diff: cannot read synth documents: {error}", file=sys.stderr)
        return 2
    if args.markdown:
        sys.stdout.write(render_markdown(report, args.title, args.max_chars))
    else:
        sys.stdout.write(render_text(report))
    return 0 if report.empty else 1


if __name__ == "__main__":
    sys.exit(main())
