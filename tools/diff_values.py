"""What changed inside one value, the way ``pulumi preview --diff`` shows it.

A property is compared key by key and item by item down to the values that differ. Two kinds of strings get a
closer look because a reviewer cannot read them whole: a string holding a JSON document (an IAM policy, a
client config) is parsed and compared structurally, so the statement and the ARN that changed are named; a
multi-line string (resolver code, a GraphQL schema, a build spec) becomes a line diff. A secret (``synth``
writes ``"[secret]"`` for every secret-bearing property) is never shown, only that it changed.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

SECRET = "[secret]"

Segment = str | int | tuple[str, str]
"""A dictionary key, a list index, or ``("Sid", "X")``: an IAM statement found by its ``Sid``."""
Path = tuple[Segment, ...]


class _Missing:
    """The value on the side where a key or list item does not exist."""

    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Change:
    """One difference: where it is, and the two sides."""

    path: Path
    """Where in the resource's inputs (or the stack outputs)."""
    old: Any
    new: Any
    inner: Path = ()
    """Where inside a JSON document held by the string at ``path`` (empty when the string is not JSON)."""
    kind: str = "value"
    """``value``, ``lines`` (old and new are multi-line text) or ``secret`` (old and new are not shown)."""

    @property
    def label(self) -> str:
        text = format_path(self.path)
        return f"{text} → {format_path(self.inner)}" if self.inner else text


def format_path(path: Path) -> str:
    """``loggingConfig.applicationLogLevel``, ``Statement[1].Resource[0]``, ``Statement[Sid=WriteLeagues]``."""
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif isinstance(segment, tuple):
            text += f"[{segment[0]}={segment[1]}]"
        elif re.fullmatch(r"[A-Za-z_$][\w$-]*", segment):
            text += f".{segment}" if text else segment
        else:
            text += f"[{json.dumps(segment)}]"
    return text


def _json_document(text: str) -> Any:
    """The parsed object or array a string holds, or None (plain strings, numbers and ``null`` stay strings)."""
    stripped = text.strip()
    if not stripped or stripped[0] not in "[{":
        return None
    try:
        document = json.loads(stripped)
    except ValueError:
        return None
    return document if isinstance(document, dict | list) else None


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value


def _keyed_statements(items: list[Any]) -> dict[str, Any] | None:
    """IAM statements by ``Sid`` when every item has a distinct one: their order does not matter to IAM, and
    a statement inserted at the front then reads as one addition instead of every statement changing."""
    if not items or not all(isinstance(item, dict) and isinstance(item.get("Sid"), str) for item in items):
        return None
    keyed = {item["Sid"]: item for item in items}
    return keyed if len(keyed) == len(items) else None


def same_value(old: Any, new: Any) -> bool:
    """Equal and of the same JSON kinds all the way down (``True`` is not ``1``, ``1.0`` is not ``1``)."""
    if old is MISSING or new is MISSING:
        return old is new
    if old != new or type(old) is not type(new):
        return False
    if isinstance(old, dict | list):
        return json.dumps(old, sort_keys=True) == json.dumps(new, sort_keys=True)
    return True


def diff_values(old: Any, new: Any, path: Path = ()) -> list[Change]:
    """Every difference between ``old`` and ``new`` (``MISSING`` for an absent side), in path order."""
    return _diff(old, new, path, None)


def _diff(old: Any, new: Any, path: Path, inner: Path | None) -> list[Change]:
    """``inner`` is None outside a JSON document; inside one, deeper segments extend it instead of ``path``."""
    if same_value(old, new):
        return []
    if old == SECRET or new == SECRET:
        return [Change(path, SECRET, SECRET, inner or (), "secret")]
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[Change] = []
        for key in sorted(set(old) | set(new)):
            changes += _diff(old.get(key, MISSING), new.get(key, MISSING), *_deeper(path, inner, key))
        return changes
    if isinstance(old, list) and isinstance(new, list):
        return _diff_lists(old, new, path, inner)
    if inner is None and isinstance(old, str) and isinstance(new, str):
        old_document, new_document = _json_document(old), _json_document(new)
        if old_document is not None and new_document is not None:
            return _diff(old_document, new_document, path, ())
    if inner is None and MISSING in (old, new) and isinstance(old if new is MISSING else new, str):
        # A JSON document that appears or goes whole (a new policy) reads best indented, as lines.
        document = _json_document(old if new is MISSING else new)
        if document is not None:
            pretty = json.dumps(document, indent=2, sort_keys=True)
            return [
                Change(path, MISSING, pretty, (), "lines")
                if old is MISSING
                else Change(path, pretty, MISSING, (), "lines")
            ]
    sides_are_text = all(isinstance(value, str) or value is MISSING for value in (old, new))
    if sides_are_text and (_is_text(old) or _is_text(new)):
        return [Change(path, old, new, inner or (), "lines")]
    return [Change(path, old, new, inner or ())]


def _deeper(path: Path, inner: Path | None, segment: Segment) -> tuple[Path, Path | None]:
    return (path, (*inner, segment)) if inner is not None else ((*path, segment), None)


def _diff_lists(old: list[Any], new: list[Any], path: Path, inner: Path | None) -> list[Change]:
    """Items matched the way a line diff matches lines, so an insertion reads as one added item, not as every
    later item changing; IAM statements matched by Sid."""
    changes: list[Change] = []
    old_statements, new_statements = _keyed_statements(old), _keyed_statements(new)
    if old_statements is not None and new_statements is not None:
        for sid in sorted(set(old_statements) | set(new_statements)):
            before, after = old_statements.get(sid, MISSING), new_statements.get(sid, MISSING)
            changes += _diff(before, after, *_deeper(path, inner, ("Sid", sid)))
        return changes
    keys = [[json.dumps(item, sort_keys=True) for item in side] for side in (old, new)]
    matcher = difflib.SequenceMatcher(a=keys[0], b=keys[1], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for offset in range(paired):
            changes += _diff(old[i1 + offset], new[j1 + offset], *_deeper(path, inner, j1 + offset))
        for index in range(i1 + paired, i2):
            changes += _diff(old[index], MISSING, *_deeper(path, inner, index))
        for index in range(j1 + paired, j2):
            changes += _diff(MISSING, new[index], *_deeper(path, inner, index))
    return changes


def line_diff(old: Any, new: Any, context: int = 2) -> list[str]:
    """A unified diff of two texts (an absent side is empty), without the file header lines."""
    before = "" if old is MISSING else str(old)
    after = "" if new is MISSING else str(new)
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=context)
    return [line for line in lines if not line.startswith(("---", "+++"))]


def line_counts(old: Any, new: Any) -> tuple[int, int]:
    """(lines removed, lines added) between two texts."""
    lines = line_diff(old, new, 0)
    return sum(line[:1] == "-" for line in lines), sum(line[:1] == "+" for line in lines)
