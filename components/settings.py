"""Validated per-stack settings: the only code in the program that reads Pulumi config.

Every value enters here once, is checked once, and leaves as a typed field, so components never see
raw strings. All problems are collected and reported together, naming each key and what it allows,
before a single resource is declared: a bad stack file fails fast and never half-deploys.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pydantic import ValidationError

from components.config_keys import CONFIG_KEYS, KEYS_BY_NAME, ConfigKey
from components.settings_model import (
    AiSettings,
    ApiSettings,
    AuthSettings,
    FlatConfig,
    FunctionLogSettings,
    HostingSettings,
    StackSettings,
    cross_checks,
)
from components.settings_providers import secrets_by_name

__all__ = ["SettingsError", "StackSettings", "load_settings", "placeholder_secrets", "settings_from_values"]


class SettingsError(ValueError):
    """Raised with every bad key at once, so one run shows the user everything to fix."""

    def __init__(self, stack: str, problems: list[tuple[str, str]]) -> None:
        self.problems = sorted(problems)
        lines = "\n".join(f"  - {key}: {message}" for key, message in self.problems)
        super().__init__(f"stack '{stack}' has invalid configuration:\n{lines}")


def _parse(key: ConfigKey, raw: Any) -> Any:
    """Pulumi hands every value over as a string (structured values as JSON); restore the type."""
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


def _describe_pydantic_error(error: dict[str, Any]) -> str:
    value = error.get("input")
    if error["type"] == "literal_error":
        allowed = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return f"{value!r} is not one of {allowed}"
    if error["type"] == "missing":
        return "is required; set it in the stack file or with `pulumi config set`"
    return f"{value!r}: {error['msg']}"


def settings_from_values(
    *,
    project: str,
    stack: str,
    values: dict[str, Any],
    secret_keys: set[str],
    region: str | None,
) -> StackSettings:
    """Validates raw config values (keys without the project prefix) into settings.

    Kept separate from ``load_settings`` so tests and tools can validate a stack file without a
    running Pulumi engine.
    """
    problems: list[tuple[str, str]] = []
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        key = KEYS_BY_NAME.get(name)
        if key is None:
            known = ", ".join(sorted(KEYS_BY_NAME))
            problems.append((name, f"unknown key in the '{project}' namespace; known keys: {known}"))
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
        if key.name not in parsed and not key.required and key.name not in values:
            parsed[key.name] = key.default
    parsed["awsRegion"] = region
    flat: FlatConfig | None = None
    try:
        flat = FlatConfig.model_validate(parsed)
    except ValidationError as error:
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "config"
            if field == "awsRegion":
                field = "aws:region"
            if not any(existing == field for existing, _ in problems):
                secret = field in KEYS_BY_NAME and KEYS_BY_NAME[field].secret
                problems.append((field, item["msg"] if secret else _describe_pydantic_error(item)))
    if flat is not None:
        problems.extend(cross_checks(flat))
    if problems:
        raise SettingsError(stack, problems)
    assert flat is not None
    return _structure(project, stack, flat)


def _structure(project: str, stack: str, flat: FlatConfig) -> StackSettings:
    """Groups flat keys by the component that uses them and derives the values they imply."""
    return StackSettings(
        project=project,
        stack=stack,
        region=flat.aws_region,
        environment=flat.environment,
        protect_data=flat.protect_data,
        log_retention_days=flat.log_retention_days,
        tracing=flat.tracing,
        functions=FunctionLogSettings(
            application_level=flat.lambda_log_level, system_level=flat.lambda_system_log_level
        ),
        api=ApiSettings(
            field_log_level=flat.api_log_level,
            exclude_verbose_content=True,
            introspection=flat.api_introspection,
            query_depth_limit=flat.api_query_depth_limit,
        ),
        auth=AuthSettings.from_flat(flat),
        ai=AiSettings.from_flat(flat),
        league_table_name=flat.league_table_name,
        hosting=HostingSettings.from_flat(flat),
    )


def load_settings() -> StackSettings:
    """Reads this stack's config through Pulumi and validates it (see ``settings_from_values``)."""
    project, stack = pulumi.get_project(), pulumi.get_stack()
    prefix = f"{project}:"
    known_keys = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.config.get_config_env())
    secret_keys = set(pulumi.runtime.config._SECRET_KEYS.get()) | set(
        pulumi.runtime.config.get_config_secret_keys_env()
    )
    values: dict[str, Any] = {}
    for full_key in sorted(known_keys):
        if full_key.startswith(prefix):
            name = full_key[len(prefix) :]
            # Raw read: secret keys are validated here and wrapped as secret Outputs by the backend.
            values[name] = pulumi.runtime.config.get_config(full_key)
    region = pulumi.Config("aws").get("region")
    return settings_from_values(
        project=project,
        stack=stack,
        values=values,
        secret_keys={key[len(prefix) :] for key in secret_keys if key.startswith(prefix)},
        region=region,
    )


SECRET_PLACEHOLDER = "[secret]"


def placeholder_secrets(values: dict[str, Any]) -> dict[str, Any]:
    """Secret values a config requires but does not hold, filled with a masked placeholder.

    Only the credential-free ``synth`` uses this: it must evaluate a stack whose real secrets live
    encrypted on someone else's machine. ``pulumi up`` never does: there the settings rules reject
    the missing secret.
    """

    def listed(name: str) -> list[str]:
        raw = values.get(name, [])
        return json.loads(raw) if isinstance(raw, str) and raw.startswith("[") else list(raw or [])

    filled: dict[str, Any] = {}
    oidc_names = [
        item.split("name=", 1)[1].split(";", 1)[0] for item in listed("authOidcProviders") if "name=" in item
    ]
    known_secrets = secrets_by_name(listed("authOidcClientSecrets"))
    if any(name not in known_secrets for name in oidc_names):
        filled["authOidcClientSecrets"] = [f"{name}={SECRET_PLACEHOLDER}" for name in oidc_names]
    for client_key, secret_key in (
        ("authGoogleClientId", "authGoogleClientSecret"),
        ("authFacebookClientId", "authFacebookClientSecret"),
        ("authAmazonClientId", "authAmazonClientSecret"),
        ("authAppleServicesId", "authApplePrivateKey"),
        ("hostingRepository", "hostingAccessToken"),
    ):
        if values.get(client_key) and not values.get(secret_key):
            filled[secret_key] = SECRET_PLACEHOLDER
    return filled
