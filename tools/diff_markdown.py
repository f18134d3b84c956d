"""``tools.diff`` as a pull-request comment: summary and blockers first, the rest collapsible, under GitHub's limit.

GitHub refuses a comment over 65,536 characters. The comment is built in order of importance (the summary,
the blockers and warnings, one table row per resource, then one collapsible section per resource and one for
the stack outputs) and whatever does not fit the budget is left out with a note saying how much and where the
whole diff is, so the summary and the blockers are there unless the blockers alone exceed the budget. Long values are shown around the part that
differs, never cut at a fixed width that would make both sides look the same.
"""

from __future__ import annotations

import html
import re
from typing import Any

from tools.diff import Report, ResourceDiff
from tools.diff_text import RENAME_NOTE, SYMBOLS, TABLE_NOTE, VERBS, show, summary, text_summary, what_changes
from tools.diff_values import Change, line_diff

COMMENT_LIMIT = 65_536
"""GitHub's limit on an issue or pull-request comment, in characters."""
COMMENT_BUDGET = 60_000
"""Default budget, in UTF-8 bytes (never fewer than characters, so a byte budget is a safe character budget,
and shell callers can measure it with ``wc -c``): room is left for what synth_diff.sh adds around the output."""
LONG = 120
"""Values longer than this are shown around what differs."""
CONTEXT = 40
MAX_SHOWN = 400
NOTE_ROOM = 400


def code(text: str) -> str:
    """An inline code span that survives any content inside a table cell."""
    text = text.replace("\n", "⏎").replace("|", "\\|")
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{ticks}{padded}{ticks}"


def html_code(text: str) -> str:
    """Code inside HTML (``<summary>``), where markdown backticks are not rendered."""
    return f"<code>{html.escape(text)}</code>"


def _clip(text: str) -> str:
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[:MAX_SHOWN]}… ({len(text) - MAX_SHOWN:,} more characters)"


def focus(old: Any, new: Any) -> tuple[str, str]:
    """Both sides as shown in a table: long strings around the part that differs, so the cells differ too."""
    if not (isinstance(old, str) and isinstance(new, str)) or max(len(old), len(new)) <= LONG:
        return _clip(show(old)), _clip(show(new))
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = max(0, prefix - CONTEXT)

    def window(text: str) -> str:
        end = min(len(text), len(text) - suffix + CONTEXT)
        piece = show(text[start:end])
        return ("…" if start else "") + _clip(piece) + ("…" if end < len(text) else "")

    return window(old), window(new)


def _fence(lines: list[str]) -> str:
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    return "`" * max(3, longest + 1)


def _text_block(change: Change) -> list[str]:
    diff = line_diff(change.old, change.new)
    fence = _fence(diff)
    return [
        f"<details><summary>{html_code(change.label)}: {text_summary(change)}</summary>",
        "",
        f"{fence}diff",
        *diff,
        fence,
        "",
        "</details>",
        "",
    ]


def _rows(changes: list[Change], created: bool = False) -> list[str]:
    """Table rows; a created resource's (``created``) have no old column."""
    rows = []
    for change in changes:
        if change.kind == "secret":
            secret = "`[secret]`" if created else "`[secret]` | `[secret]` (changed, not shown)"
            rows.append(f"| {code(change.label)} | {secret} |")
        elif change.kind != "lines":
            old, new = focus(change.old, change.new)
            rows.append(
                f"| {code(change.label)} | {code(new) if created else f'{code(old)} | {code(new)}'} |"
            )
    return rows


def _details(diff: ResourceDiff) -> str:
    lines = [
        f"<details><summary>{html_code(SYMBOLS[diff.op])} <b>{html.escape(diff.name)}</b>: {VERBS[diff.op]} "
        f"({html_code(diff.type)})</summary>",
        "",
    ]
    if diff.previously:
        lines += [f"Was {code(diff.previously)}: an alias keeps the same cloud resource.", ""]
    if diff.op == "replace":
        lines += [f"Replaced because {', '.join(code(r) for r in diff.replace_reasons)} changed.", ""]
    created = diff.op == "create"
    values = _rows(diff.changes, created)
    if values:
        header = (
            ["| property | value |", "|---|---|"]
            if created
            else ["| property | old | new |", "|---|---|---|"]
        )
        lines += [*header, *values, ""]
    for change in diff.changes:
        if change.kind == "lines":
            lines += _text_block(change)
    if diff.options:
        lines += ["| option | old | new |", "|---|---|---|", *_rows(diff.options), ""]
    if diff.ignored:
        lines += [
            "Changed but not applied (`ignoreChanges`):",
            "",
            "| property | old | new |",
            "|---|---|---|",
        ]
        lines += [*_rows(diff.ignored), ""]
        lines += [block for change in diff.ignored if change.kind == "lines" for block in _text_block(change)]
    lines += ["</details>", ""]
    return "\n".join(lines) + "\n"


def _outputs(report: Report) -> str:
    lines = [f"<details><summary>Stack outputs: {len(report.outputs)} changed</summary>", ""]
    values = _rows(report.outputs)
    if values:
        lines += ["| output | old | new |", "|---|---|---|", *values, ""]
    lines += [block for change in report.outputs if change.kind == "lines" for block in _text_block(change)]
    return "\n".join([*lines, "</details>", ""]) + "\n"


def _essentials(report: Report, title: str) -> list[str]:
    counts = re.sub(r"(\d+) ", r"**\1** ", summary(report))
    lines = [f"### {title}", "", counts + ".", ""]
    if report.count("update") or report.count("replace"):
        lines += [f"> {TABLE_NOTE}", ""]
    for severity, heading in (("blocker", "#### ⛔ Blockers"), ("warning", "#### ⚠️ Warnings")):
        found = [blocker for blocker in report.blockers if blocker.severity == severity]
        if found:
            lines += [heading, ""]
            lines += [f"- **{code(b.name)}** ({code(b.type)}) {b.message}" for b in found]
            lines.append("")
    if report.renames:
        lines += [f"#### Possible renames ({RENAME_NOTE})", ""]
        lines += [f"- {code(old)} → {code(new)}" for old, new in report.renames]
        lines.append("")
    return lines


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def render_markdown(report: Report, title: str = "Infrastructure diff", budget: int = COMMENT_BUDGET) -> str:
    """The comment, at most ``budget`` UTF-8 bytes: what does not fit is left out, least important first."""
    if report.empty:
        return f"### {title}\n\nNo changes.\n"
    parts: list[str] = []
    used = 0
    room = budget - NOTE_ROOM
    left_out = {"blocker and note lines": 0, "table rows": 0, "detail sections": 0}

    def add(text: str, what: str | None) -> None:
        nonlocal used
        if what is not None and used + _size(text) > room:
            left_out[what] += 1
            return
        parts.append(text)
        used += _size(text)

    for line in _essentials(report, title):
        add(line + "\n", "blocker and note lines" if line.startswith("- ") else None)
    rows = [
        f"| `{SYMBOLS[diff.op]}` {VERBS[diff.op]} | {code(diff.name)} | {code(diff.type)} | "
        f"{code(what_changes(diff)) if what_changes(diff) else ''} |\n"
        for diff in report.resources
    ]
    header = "| | resource | type | what changes |\n|---|---|---|---|\n"
    if rows and used + _size(header + rows[0]) <= room:
        add(header, None)
        for row in rows:
            add(row, "table rows")
        add("\n", None)
    else:
        left_out["table rows"] = len(rows)
    shown = [
        diff for diff in report.resources if diff.changes or diff.options or diff.ignored or diff.previously
    ]
    for section in [_details(diff) for diff in shown] + ([_outputs(report)] if report.outputs else []):
        add(section, "detail sections")
    if any(left_out.values()):
        counts = ", ".join(f"{count} {what}" for what, count in left_out.items() if count)
        parts.append(
            f"\n**Cut to fit one comment** (GitHub allows {COMMENT_LIMIT:,} characters): {counts} not shown "
            "here. The job log has the whole diff, and `python -m tools.diff OLD.json NEW.json` prints it locally.\n"
        )
    return "".join(parts)
