"""A stack's settings: the only code in the program that reads Pulumi config.

Every value enters once (``stack_values``), becomes a component arg (``component_args``), and is checked by
that component's own rules, so a constraint is defined once, in the library. This module runs those checks
on every component before a single resource is declared and reports all problems together, each under the
config key to change (``aiSystemPrompt: at most 2,048 bytes of UTF-8 (got 3,000)``): a bad stack file fails
fast and never half-deploys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from app import component_args as build
from app.api_schema import api_schema
from app.league import league_data_sources, league_resolvers
from app.paths import LEAGUE_CODE
from app.provider_items import secrets_by_name
from app.stack_values import Problem, StackValues, parse_stack_values
from genai_backend_components.auth import AuthModel, client_facts
from genai_backend_components.client_config import check_client_config, data_outputs
from genai_backend_components.conversation import ConversationRouteModel
from genai_backend_components.function import LoggedFunctionModel
from genai_backend_components.generation import GenerationRouteModel
from genai_backend_components.graphql import GraphqlApiModel
from genai_backend_components.hosting import HostingModel
from genai_backend_components.table import TableModel
from genai_backend_components.validation import ArgsModel, InvalidArgsError, check_args

__all__ = [
    "SECRET_PLACEHOLDER",
    "SettingsError",
    "StackSettings",
    "load_settings",
    "placeholder_secrets",
    "settings_from_values",
]

SECRET_PLACEHOLDER = "[secret]"
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


class SettingsError(pulumi.RunError, ValueError):
    """Every bad key at once, so one run shows everything to fix. A ``RunError``: ``pulumi up`` prints the
    message alone, without a Python traceback."""

    def __init__(self, stack: str, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        lines = "\n".join(f"  - {key}: {message}" for key, message in self.problems)
        super().__init__(f"stack '{stack}' has invalid configuration:\n{lines}")


@dataclass(frozen=True)
class StackSettings:
    """A stack's checked values, and the schema its API deploys."""

    values: StackValues
    schema_sdl: str

    @property
    def region(self) -> str:
        return self.values.region

    @property
    def is_production(self) -> bool:
        return self.values.is_production


def _pending() -> pulumi.Output[str]:
    """Stands for an id, ARN or URL that exists only once resources do; component checks let it pass."""
    return pulumi.Output.from_input("pending")


def _component_problems(
    args_name: str, model: type[ArgsModel], args: Mapping[str, Any], keys: Mapping[str, str]
) -> tuple[Any, list[Problem]]:
    try:
        return check_args(model, args_name, args), []
    except InvalidArgsError as error:
        return None, [
            (build.config_key_for(problem.path, keys, args_name), problem.message)
            for problem in error.problems
        ]


def _production_rules(values: StackValues) -> list[Problem]:
    """Production guardrails: losing user data or logging their content is never a default."""
    if not values.is_production:
        return []
    get = values.values.get
    problems: list[Problem] = []
    if get("protectData") is False:
        problems.append(("protectData", "must be true in production (deletion protection and backups)"))
    if get("apiLogLevel") in ("ALL", "DEBUG", "INFO"):
        problems.append(
            ("apiLogLevel", f"'{get('apiLogLevel')}' logs request content; use NONE or ERROR in production")
        )
    if get("lambdaLogLevel") in ("TRACE", "DEBUG"):
        problems.append(
            ("lambdaLogLevel", f"'{get('lambdaLogLevel')}' is too verbose for production; use INFO or higher")
        )
    return problems


def _check_components(values: StackValues, schema_sdl: str) -> list[Problem]:
    """Builds every component's args as the backend will (placeholders for what resources give) and checks them."""
    pending = _pending
    auth, problems = build.auth_args(values)
    checks: list[tuple[str, type[ArgsModel], Callable[[], Mapping[str, Any]], Mapping[str, str]]] = [
        ("AuthArgs", AuthModel, lambda: auth, build.AUTH_KEYS),
        ("TableArgs", TableModel, lambda: build.league_table_args(values), build.TABLE_KEYS),
        ("TableArgs", TableModel, lambda: build.follows_table_args(values), build.TABLE_KEYS),
        (
            "LoggedFunctionArgs",
            LoggedFunctionModel,
            lambda: build.league_function_args(
                values, code_path=str(LEAGUE_CODE), table_name=pending(), layer_arn=pending()
            ),
            build.FUNCTION_KEYS,
        ),
        (
            "GraphqlApiArgs",
            GraphqlApiModel,
            lambda: build.api_args(
                values,
                schema_sdl=schema_sdl,
                user_pool_id=pending(),
                data_sources=league_data_sources(
                    league_table_name=pending(),
                    league_table_arn=pending(),
                    follows_name=pending(),
                    follows_arn=pending(),
                    league_function_arn=pending(),
                ),
                resolvers=league_resolvers(),
            ),
            build.API_KEYS,
        ),
        (
            "GenerationRouteArgs",
            GenerationRouteModel,
            lambda: build.generation_args(
                values, schema_sdl=schema_sdl, api_id=pending(), api_arn=pending(), account_id=pending()
            ),
            build.GENERATION_KEYS,
        ),
        (
            "ConversationRouteArgs",
            ConversationRouteModel,
            lambda: build.conversation_args(
                values,
                schema_sdl=schema_sdl,
                api_id=pending(),
                api_arn=pending(),
                graphql_url=pending(),
                account_id=pending(),
            ),
            build.CONVERSATION_KEYS,
        ),
    ]
    hosting = build.hosting_args(values, amplify_outputs=pending())
    if hosting is not None:
        checks.append(("HostingArgs", HostingModel, lambda: hosting, build.HOSTING_KEYS))
    checked_auth = None
    for args_name, model, make_args, keys in checks:
        checked, found = _component_problems(args_name, model, make_args(), keys)
        problems += found
        if model is AuthModel:
            checked_auth = checked
    if checked_auth is not None:
        try:
            check_client_config(
                client_facts(checked_auth),
                data_outputs(
                    region=values.region,
                    schema_sdl=schema_sdl,
                    additional_authorization_types=("AWS_IAM",),
                    generation_routes=(build.GENERATION_FIELD,),
                    conversation_routes=(build.CONVERSATION_ROUTE,),
                ),
            )
        except ValueError as error:
            problems.append(("amplify_outputs.json", str(error)))
    return problems


def settings_from_values(
    *,
    project: str,
    stack: str,
    values: dict[str, Any],
    secret_keys: set[str],
    aws_values: dict[str, Any],
) -> StackSettings:
    """Checks raw config values (project keys without the prefix) and returns the settings, or raises
    ``SettingsError`` listing every problem. Separate from ``load_settings`` so tests and tools can check a
    stack file without a Pulumi engine."""
    typed, problems = parse_stack_values(
        project=project, stack=stack, values=values, secret_keys=secret_keys, aws_values=aws_values
    )
    try:
        schema_sdl = api_schema()
    except ValueError as error:
        raise SettingsError(stack, [("resolvers/schema.graphql", str(error))]) from None
    if typed.values.get("leagueTableName") and not _TABLE_NAME.match(typed.values["leagueTableName"]):
        problems.append(
            ("leagueTableName", f"'{typed.values['leagueTableName']}' is not a valid DynamoDB table name")
        )
    problems += _production_rules(typed)
    parsed_keys = {key.split("[")[0] for key, _ in problems}
    problems += [
        (key, message)
        for key, message in _check_components(typed, schema_sdl)
        if key.split("[")[0] not in parsed_keys
    ]
    if problems:
        raise SettingsError(stack, problems)
    return StackSettings(values=typed, schema_sdl=schema_sdl)


def load_settings() -> StackSettings:
    """Reads this stack's config through Pulumi and checks it (see ``settings_from_values``)."""
    project, stack = pulumi.get_project(), pulumi.get_stack()
    prefix = f"{project}:"
    known_keys = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.config.get_config_env())
    secret_keys = set(pulumi.runtime.config._SECRET_KEYS.get()) | set(
        pulumi.runtime.config.get_config_secret_keys_env()
    )
    values: dict[str, Any] = {}
    aws_values: dict[str, Any] = {}
    for full_key in sorted(known_keys):
        # Raw reads: secret keys are checked here and wrapped as secret Outputs by the args builders.
        if full_key.startswith(prefix):
            values[full_key[len(prefix) :]] = pulumi.runtime.config.get_config(full_key)
        elif full_key.startswith("aws:"):
            aws_values[full_key[len("aws:") :]] = pulumi.runtime.config.get_config(full_key)
    return settings_from_values(
        project=project,
        stack=stack,
        values=values,
        secret_keys={key[len(prefix) :] for key in secret_keys if key.startswith(prefix)},
        aws_values=aws_values,
    )


def placeholder_secrets(values: dict[str, Any]) -> dict[str, Any]:
    """Secret values a config requires but does not hold, filled with a masked placeholder.

    Only the credential-free ``synth`` uses this: it must evaluate a stack whose real secrets live encrypted
    on someone else's machine. ``pulumi up`` never does: there the settings reject the missing secret.
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
