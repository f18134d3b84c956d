"""A small IAM identity-policy evaluator, so tests can ask "would AWS allow this call?".

moto's evaluator ignores Condition blocks, and our Bedrock grants are only least-privilege
because of their conditions; so this one evaluates them. It follows AWS's documented rules for
identity policies: an explicit Deny wins, then any Allow, else the implicit deny. Anything it does
not understand (an unknown condition operator, an Effect other than Allow/Deny) raises instead of
being skipped, so a policy can never look safer here than it is.

Matching rules (AWS IAM reference, "Policy evaluation logic" and "Condition operators"):
- Actions compare case-insensitively; ``*`` and ``?`` are wildcards.
- Resources and ``Arn*`` condition values compare case-sensitively, one colon-separated ARN part at
  a time; only in ``Resource`` may a ``*`` that ends a shortened ARN run on past colons.
- A condition block holds when every operator holds, an operator holds when every key holds, and a
  key holds when the request's value matches any listed value. A missing key fails the condition.
- ``ArnEquals`` and ``ArnLike`` behave the same in AWS (both accept wildcards).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

_ARN_PARTS = 6


@cache
def _wildcard_pattern(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    translated = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(translated, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """``*`` matches any run of characters (also none), ``?`` exactly one."""
    return _wildcard_pattern(pattern, ignore_case).fullmatch(value) is not None


def arn_match(pattern: str, value: str) -> bool:
    """``ArnLike``/``ArnEquals``: each of the six colon-separated parts is matched on its own."""
    pattern_parts = pattern.split(":", _ARN_PARTS - 1)
    value_parts = value.split(":", _ARN_PARTS - 1)
    if len(pattern_parts) != _ARN_PARTS or len(value_parts) != _ARN_PARTS:
        return False
    return all(wildcard_match(part, actual) for part, actual in zip(pattern_parts, value_parts, strict=True))


def resource_match(pattern: str, value: str) -> bool:
    """The ``Resource`` element: part by part, except that a ``*`` ending a shortened ARN runs on
    past colons (AWS: "If the * wildcard is the last character of a resource ARN segment, it can
    expand to match beyond the colon boundaries")."""
    if not (pattern.startswith("arn:") and value.startswith("arn:")):
        return wildcard_match(pattern, value)
    pattern_parts = pattern.split(":", _ARN_PARTS - 1)
    if len(pattern_parts) < _ARN_PARTS and not pattern.endswith("*"):
        return False
    value_parts = value.split(":", len(pattern_parts) - 1)
    if len(value_parts) != len(pattern_parts):
        return False
    return all(wildcard_match(part, actual) for part, actual in zip(pattern_parts, value_parts, strict=True))


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


_OPERATORS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringLike": wildcard_match,
    "ArnEquals": arn_match,
    "ArnLike": arn_match,
}


def _context_value(context: Mapping[str, str], key: str) -> str | None:
    """Condition key names are case-insensitive in AWS; their values are not."""
    for name, value in context.items():
        if name.lower() == key.lower():
            return value
    return None


def _conditions_hold(conditions: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]) -> bool:
    for operator, keys in conditions.items():
        compare = _OPERATORS.get(operator)
        if compare is None:
            raise ValueError(
                f"condition operator {operator!r} is not supported; supported: {sorted(_OPERATORS)}"
            )
        for key, expected_values in keys.items():
            actual = _context_value(context, key)
            if actual is None:
                return False
            if not any(compare(str(expected), actual) for expected in _as_list(expected_values)):
                return False
    return True


def _element_matches(
    statement: Mapping[str, Any], name: str, value: str, match: Callable[[str, str], bool]
) -> bool:
    """Handles ``Action``/``NotAction`` (or ``Resource``/``NotResource``); exactly one must be present."""
    positive, negative = statement.get(name), statement.get(f"Not{name}")
    if (positive is None) == (negative is None):
        raise ValueError(f"statement {statement.get('Sid', '')!r} must have exactly one of {name}, Not{name}")
    if positive is not None:
        return any(match(pattern, value) for pattern in _as_list(positive))
    return not any(match(pattern, value) for pattern in _as_list(negative))


def _statement_applies(
    statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str]
) -> bool:
    def action_match(pattern: str, value: str) -> bool:
        return wildcard_match(pattern, value, ignore_case=True)

    return (
        _element_matches(statement, "Action", action, action_match)
        and _element_matches(statement, "Resource", resource, resource_match)
        and _conditions_hold(statement.get("Condition", {}), context)
    )


def is_allowed(
    policy_document: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str]
) -> bool:
    """True when the policy allows ``action`` on ``resource`` for a request carrying ``context``."""
    allowed = False
    for statement in _as_list(policy_document.get("Statement", [])):
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise ValueError(
                f"statement {statement.get('Sid', '')!r} has Effect {effect!r}; allowed: Allow, Deny"
            )
        if _statement_applies(statement, action, resource, context):
            if effect == "Deny":
                return False
            allowed = True
    return allowed
