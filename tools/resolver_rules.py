"""Keeps the rule blocks that APPSYNC_JS resolvers repeat identical to their one source file.

APPSYNC_JS resolvers cannot import code (AWS AppSync, "Supported runtime features": one ES module per resolver
that imports only ``@aws-appsync/utils``), so a rule every owner-scoped resolver must follow is a block of
code copied into each of them. A copy that drifts is a security bug waiting in one file, so each block has a
single source, and every resolver that calls the block's function holds the block byte for byte.

    python -m tools.resolver_rules          # exit 1 and list every copy that differs from its source
    python -m tools.resolver_rules --write  # rewrite the copies from the sources (then review the diff)

The tests run the check; edit the source file, run ``--write``, and commit both.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "components" / "genai_backend_components"
APP_RESOLVERS = ROOT / "resolvers"


@dataclass(frozen=True)
class RuleBlock:
    name: str
    """What the block's first line calls it: ``// --- <name>: ...``; its last line is ``// --- end of <name> ---``."""
    source: Path
    """The one place the block is edited."""
    call: str
    """A resolver whose code outside the block contains this must hold the block, e.g. ``ownerOf(``."""
    folders: tuple[Path, ...]
    """Where resolvers that may use the block live."""

    def pattern(self) -> re.Pattern[str]:
        return re.compile(
            rf"^// --- {re.escape(self.name)}:.*?^// --- end of {re.escape(self.name)} ---\n",
            re.DOTALL | re.MULTILINE,
        )

    def resolver_files(self) -> list[Path]:
        return sorted(path for folder in self.folders for path in folder.rglob("*.js"))


RULES = (
    RuleBlock(
        name="owner rule",
        source=LIBRARY / "graphql" / "rules" / "owner_rule.js",
        call="ownerOf(",
        folders=(APP_RESOLVERS, *sorted(LIBRARY.glob("*/resolvers"))),
    ),
    RuleBlock(
        name="utf8 size rule",
        source=LIBRARY / "graphql" / "rules" / "utf8_size.js",
        call="utf8ByteLength(",
        folders=(APP_RESOLVERS, *sorted(LIBRARY.glob("*/resolvers"))),
    ),
    RuleBlock(
        name="stored email rule",
        source=ROOT / "app" / "resolver_rules" / "stored_email.js",
        call="storedEmail(",
        folders=(APP_RESOLVERS,),
    ),
)


@dataclass(frozen=True)
class Drift:
    rule: str
    path: Path
    problem: str
    diff: str = ""

    def describe(self) -> str:
        return f"{_shown(self.path)}: {self.rule}: {self.problem}" + (f"\n{self.diff}" if self.diff else "")


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def holders(rule: RuleBlock, files: Iterable[Path] | None = None) -> list[Path]:
    """Resolvers that call the rule's function (outside any copy of the block), so must hold the block."""
    pattern = rule.pattern()
    return [
        path
        for path in (rule.resolver_files() if files is None else files)
        if rule.call in pattern.sub("", path.read_text(encoding="utf-8"))
    ]


def check(rules: Sequence[RuleBlock] = RULES, files: Iterable[Path] | None = None) -> list[Drift]:
    """Every way a copy differs from its source: missing, doubled, edited, or left where it is not used."""
    drifts: list[Drift] = []
    for rule in rules:
        source = rule.source.read_text(encoding="utf-8")
        pattern = rule.pattern()
        if not pattern.fullmatch(source):
            drifts.append(Drift(rule.name, rule.source, "the source must be exactly one block"))
            continue
        candidates = rule.resolver_files() if files is None else list(files)
        needed = set(holders(rule, candidates))
        for path in candidates:
            copies = pattern.findall(path.read_text(encoding="utf-8"))
            if path not in needed:
                if copies:
                    drifts.append(Drift(rule.name, path, f"holds the block but never calls {rule.call}...)"))
                continue
            if len(copies) != 1:
                drifts.append(Drift(rule.name, path, f"calls {rule.call}...) but holds {len(copies)} copies"))
            elif copies[0] != source:
                diff = "".join(
                    difflib.unified_diff(
                        source.splitlines(keepends=True),
                        copies[0].splitlines(keepends=True),
                        _shown(rule.source),
                        _shown(path),
                    )
                )
                drifts.append(Drift(rule.name, path, "differs from the source", diff))
    return drifts


def write(rules: Sequence[RuleBlock] = RULES, files: Iterable[Path] | None = None) -> list[Path]:
    """Replaces every single copy with its source; returns the files it changed (missing blocks are not added)."""
    changed: list[Path] = []
    candidates = None if files is None else list(files)
    for rule in rules:
        source = rule.source.read_text(encoding="utf-8")
        for path in holders(rule, candidates):
            text = path.read_text(encoding="utf-8")
            if len(rule.pattern().findall(text)) != 1:
                continue
            match = rule.pattern().search(text)
            assert match is not None
            updated = text[: match.start()] + source + text[match.end() :]
            if updated != text:
                path.write_text(updated, encoding="utf-8")
                changed.append(path)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the copies from their sources")
    arguments = parser.parse_args(argv)
    if arguments.write:
        for path in write():
            print(f"rewrote {_shown(path)}")
    drifts = check()
    for drift in drifts:
        print(drift.describe(), file=sys.stderr)
    return 1 if drifts else 0


if __name__ == "__main__":
    sys.exit(main())
