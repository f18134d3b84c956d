"""Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI hands config to a program.

The CLI passes every value as a string (booleans and numbers as text, lists as JSON) and lists the
keys that are secret. Encrypted values cannot be read without the stack's secrets provider, so they
arrive here as a masked placeholder, still marked secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.settings import SECRET_PLACEHOLDER

# The C loader when PyYAML was built with libyaml: same result, a tenth of the time on our stack files.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class StackConfig:
    project: str
    stack: str
    values: dict[str, str] = field(default_factory=dict)
    """Full keys (``project:key``, ``aws:region``) to the string the engine would pass."""
    secret_keys: set[str] = field(default_factory=set)

    def project_values(self) -> dict[str, str]:
        prefix = f"{self.project}:"
        return {key[len(prefix) :]: value for key, value in self.values.items() if key.startswith(prefix)}


def _contains_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return "secure" in value or any(_contains_secure(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_secure(item) for item in value)
    return False


def _mask_secure(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER
        return {key: _mask_secure(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_secure(item) for item in value]
    return value


def as_engine_string(value: Any) -> str:
    """The text form the engine uses: JSON for structures, lowercase booleans, plain numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


def read_stack_config(root: Path, stack: str) -> StackConfig:
    project = yaml.load((root / "Pulumi.yaml").read_text(), Loader=_YAML_LOADER)["name"]
    stack_file = root / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        known = sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in root.glob("Pulumi.*.yaml"))
        raise FileNotFoundError(f"no stack file {stack_file.name}; known stacks: {', '.join(known)}")
    document = yaml.load(stack_file.read_text(), Loader=_YAML_LOADER) or {}
    config = StackConfig(project=project, stack=stack)
    for key, value in (document.get("config") or {}).items():
        full_key = key if ":" in key else f"{project}:{key}"
        if _contains_secure(value):
            config.secret_keys.add(full_key)
            value = _mask_secure(value)
        config.values[full_key] = as_engine_string(value)
    return config
