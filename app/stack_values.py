"""A stack's raw config, parsed into typed values per config key, with problems named by key.

Pulumi hands every value over as a string (booleans and numbers as text, lists as JSON) and lists the keys
that are secret. This module restores the types the project declares (``config_keys``), fills defaults,
refuses unknown keys in the project's namespace and in ``aws:`` (with a did-you-mean), and refuses secret
keys given as plain text. What a value may be beyond its type is the components' business: their checks
run on the args built from these values (``settings``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import cache
from importlib import resources
from typing import Any

from app.config_keys import CONFIG_KEYS, KEYS_BY_NAME, ConfigKey

Problem = tuple[str, str]
"""(config key, what is wrong and what is allowed)."""

ENVIRONMENTS = ("development", "production")


@cache
def aws_config_keys() -> frozenset[str]:
    """Every key the installed AWS provider reads from the ``aws:`` namespace (its ``config/vars.py``)."""
    source = resources.files("pulumi_aws.config").joinpath("vars.py").read_text(encoding="utf-8")
    return frozenset(re.findall(r"__config__\.get\w*\('(\w+)'\)", source))


def _did_you_mean(name: str, known: set[str] | frozenset[str]) -> str:
    guess = get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"did you mean {guess[0]!r}?" if guess else f"known keys: {', '.join(sorted(known))}"


def _parse(key: ConfigKey, raw: Any) -> Any:
    """Restores the declared type of a value Pulumi passed as text."""
    if not isinstance(raw, str):
        return raw
    if key.type == "string":
        return raw
    if key.type == "boolean":
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise ValueError(f"{raw!r} is not a boolean (true or false)")
    if key.type == "integer":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not an integer") from None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        raise ValueError(
            f"{raw!r} is not a list; set it with `pulumi config set --path '{key.name}[0]' ...`"
        ) from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("must be a list of strings")
    return value


@dataclass(frozen=True)
class StackValues:
    """Typed config values of one stack, keyed by their config key (project keys without the prefix)."""

    project: str
    stack: str
    region: str
    values: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    @property
    def is_production(self) -> bool:
        return self.values.get("environment") == "production"


def parse_stack_values(
    *,
    project: str,
    stack: str,
    values: dict[str, Any],
    secret_keys: set[str],
    aws_values: dict[str, Any],
) -> tuple[StackValues, list[Problem]]:
    """Typed values and the problems of the values that could not be typed.

    ``values`` holds project keys without their prefix; ``aws_values`` the ``aws:`` keys without theirs.
    """
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        key = KEYS_BY_NAME.get(name)
        if key is None:
            problems.append(
                (name, f"unknown key in the '{project}' namespace; {_did_you_mean(name, set(KEYS_BY_NAME))}")
            )
            continue
        if key.secret and raw not in ("", "[]", [], None) and name not in secret_keys:
            problems.append(
                (
                    name,
                    f"must be stored encrypted: run `pulumi config set --secret {name} ...` (plain values end up in git)",
                )
            )
            continue
        try:
            parsed[name] = _parse(key, raw)
        except ValueError as error:
            # A secret's value never goes into a message: messages end up in terminals and PR comments.
            problems.append((name, f"is not a valid {key.type}" if key.secret else str(error)))
    for key in CONFIG_KEYS:
        if key.name in parsed or key.name in values:
            continue
        if key.required:
            problems.append((key.name, "is required; set it in the stack file or with `pulumi config set`"))
        else:
            parsed[key.name] = key.default
    known_aws = aws_config_keys()
    problems += [
        (f"aws:{name}", f"unknown key in the 'aws' namespace; {_did_you_mean(name, known_aws)}")
        for name in sorted(aws_values)
        if name not in known_aws
    ]
    region = aws_values.get("region")
    if not region:
        problems.append(("aws:region", "is required: the region to deploy to, e.g. us-east-1"))
    if "environment" in parsed and parsed["environment"] not in ENVIRONMENTS:
        problems.append(("environment", f"{parsed['environment']!r} is not one of {', '.join(ENVIRONMENTS)}"))
        parsed.pop("environment")
    return StackValues(project=project, stack=stack, region=str(region or ""), values=parsed), problems
