"""Turns one `pulumi preview` (preview.sh's log) into the PR comment or job summary a reviewer reads.

    python3 preview_report.py --stack prod --sha SHA --outcome success|failure [--log FILE] [--run-url URL]
                              [--title TEXT] --out FILE

Whatever the outcome, the body says which commit it describes and how the preview ended, so it can replace the
previous one: a failure (an error, a policy violation, a step that failed before the preview ran) replaces a
green comment instead of leaving it looking current. What matters is extracted first (the Resources summary,
Policies, Diagnostics and error lines); the whole output follows in a collapsible block, cut from the front
when it would not fit GitHub's 65,536-character comment limit, since its end holds the summary and the errors.
The first line is the marker `<!-- pulumi-preview:<stack> -->` by which the comment is found and edited.
Standard library only: it runs on the runner's Python before anything is installed.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

COMMENT_LIMIT = 65_536
BUDGET = 60_000
EXTRACT_BUDGET = 40_000
"""At most this much of the budget goes to the extracted sections and errors; the full output gets the rest."""
MIN_FULL_OUTPUT = 1_000
"""Below this much room the full output is left to the run's log instead of shown as a useless fragment."""
SECTIONS = ("Policies:", "Policy Violations:", "Resources:", "Diagnostics:")
"""Top-level headings of `pulumi preview` output worth showing above the fold."""
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def marker(stack: str) -> str:
    return f"<!-- pulumi-preview:{stack} -->"


def sections(log: str) -> list[str]:
    """The summary sections of the output, each from its heading to the next top-level line."""
    found: list[str] = []
    current: list[str] | None = None
    for line in log.splitlines():
        if line.strip() and not line[0].isspace():
            if current:
                found.append("\n".join(current).rstrip())
            current = [line] if line.startswith(SECTIONS) else None
        elif current is not None:
            current.append(line)
    if current:
        found.append("\n".join(current).rstrip())
    return found


def error_lines(log: str) -> list[str]:
    return [line.strip() for line in log.splitlines() if re.search(r"\berror:|\[mandatory\]", line)]


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _block(text: str) -> str:
    fence = _fence(text)
    return f"{fence}\n{text}\n{fence}"


def render(stack: str, sha: str, outcome: str, log: str | None, run_url: str, title: str) -> str:
    ok = outcome == "success"
    short = sha[:12]
    heading = (
        f"#### {'✅' if ok else '❌'} {title} on `{stack}`: "
        f"{'succeeded' if ok else 'FAILED'} for commit `{short}`"
    )
    lines = [marker(stack), heading, ""]
    if log is None:
        lines += [
            "The job failed before `pulumi preview` ran (installing, logging in or getting credentials): "
            "nothing was previewed for this commit.",
            "",
        ]
    else:
        log = ANSI.sub("", log)
        summary = sections(log)
        errors = [line for line in error_lines(log) if not any(line in part for part in summary)]
        if not ok and not summary and not errors:
            errors = log.strip().splitlines()[-20:]
        if not ok:
            lines += [
                "**Errors and policy violations** (any earlier preview of this pull request is void):",
                "",
            ]
        if summary or errors:
            extracted = "\n\n".join(summary + (["\n".join(errors)] if errors else []))
            if len(extracted) > EXTRACT_BUDGET:
                left_out = len(extracted) - EXTRACT_BUDGET
                extracted = (
                    f"{extracted[:EXTRACT_BUDGET]}\n[... {left_out:,} more characters in the run's log]"
                )
            lines += [_block(extracted), ""]
    if run_url:
        lines += [f"[The run]({run_url}) has the whole log.", ""]
    head = "\n".join(lines)
    if log is not None:
        room = BUDGET - len(head) - 200
        output = log.strip()
        if room < MIN_FULL_OUTPUT and len(output) > room:
            head += "\n_The full output does not fit one comment; the run's log has it._\n"
        else:
            cut = len(output) > room
            shown = output[-room:] if cut else output
            note = "_Cut from the front to fit one comment._\n\n" if cut else ""
            head += f"\n<details><summary>Full output</summary>\n\n{note}{_block(shown)}\n\n</details>\n"
    assert len(head) <= COMMENT_LIMIT, f"comment of {len(head)} characters"
    return head


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--sha", required=True)
    parser.add_argument("--outcome", required=True, choices=("success", "failure", "skipped", "cancelled"))
    parser.add_argument("--log", type=Path, help="preview.sh's log; absent when the preview never ran")
    parser.add_argument("--run-url", default="")
    parser.add_argument("--title", default="`pulumi preview --refresh`")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    log = args.log.read_text(errors="replace") if args.log and args.log.is_file() else None
    body = render(args.stack, args.sha, args.outcome, log, args.run_url, args.title)
    args.out.write_text(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
