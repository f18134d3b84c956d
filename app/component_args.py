"""How this stack's config keys become each component's args, and how an arg path leads back to its key.

Every builder takes the stack's typed values and, for what only exists once resources do (ids, ARNs, URLs),
the values to use. ``settings`` calls each builder once with placeholders and runs the component's own
check on the result, so a bad value is reported under its config key before anything is declared; the
backend calls the same builders with the real values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi

from app.provider_items import OIDC_FIELDS, SAML_FIELDS, parse_items, secrets_by_name
from app.stack_values import Problem, StackValues
from genai_backend_components.auth import AuthArgs
from genai_backend_components.conversation import ConversationRouteArgs
from genai_backend_components.function import LoggedFunctionArgs
from genai_backend_components.generation import GenerationRouteArgs
from genai_backend_components.graphql import DataSource, GraphqlApiArgs, Resolver
from genai_backend_components.hosting import HostingArgs
from genai_backend_components.table import GlobalSecondaryIndex, TableArgs

SEASON_INDEX = "bySeason"
"""The League table's index by season, which Query.listLeagues reads."""
CONVERSATION_ROUTE = "chat"
CHAT_DATA_TOOLS = (
    {
        "name": "listLeagues",
        "description": "Lists the football leagues of one season (id, country, teams), 20 per page by default "
        "(limit 1 to 100); pass the nextToken of a page to get the next one.",
        "query_field": "listLeagues",
    },
    {
        "name": "getLeague",
        "description": "One football league by its id, with its season, country and teams; null when there is none.",
        "query_field": "getLeague",
    },
)
"""Queries of the League API the chat's model may call; they run with the signed-in user's own token."""
GENERATION_FIELD = "generateInsights"


def _secret(value: str) -> pulumi.Output[str]:
    return pulumi.Output.secret(value)


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    """Args without the unset ones, so each component applies its own default."""
    return {key: value for key, value in values.items() if value not in (None, "")}


def _float(value: Any) -> Any:
    """aiTemperature is declared as text (Pulumi's config schema has no decimal type)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


# ---- Auth

AUTH_KEYS = {
    "region": "aws:region",
    "protect_data": "protectData",
    "first_auth_factors": "authFirstFactors",
    "preferred_challenge": "authPreferredChallenge",
    "passkeys": "authPasskeyRelyingPartyId",
    "passkeys.relying_party_id": "authPasskeyRelyingPartyId",
    "passkeys.user_verification": "authPasskeyUserVerification",
    "email_sender": "authSesIdentityArn",
    "email_sender.source_arn": "authSesIdentityArn",
    "email_sender.from_email_address": "authFromEmail",
    "password_policy.minimum_length": "authPasswordMinLength",
    "user_pool_tier": "authUserPoolTier",
    "allow_self_sign_up": "authSelfSignUp",
    "oidc_providers[*]": "authOidcProviders[*]",
    "oidc_providers[*].client_secret": "authOidcClientSecrets",
    **{f"oidc_providers[*].{arg}": f"authOidcProviders[*].{field}" for field, arg in OIDC_FIELDS.items()},
    "saml_providers[*]": "authSamlProviders[*]",
    **{f"saml_providers[*].{arg}": f"authSamlProviders[*].{field}" for field, arg in SAML_FIELDS.items()},
    "google.client_id": "authGoogleClientId",
    "google.client_secret": "authGoogleClientSecret",
    "facebook.client_id": "authFacebookClientId",
    "facebook.client_secret": "authFacebookClientSecret",
    "amazon.client_id": "authAmazonClientId",
    "amazon.client_secret": "authAmazonClientSecret",
    "apple": "authAppleServicesId",
    "apple.services_id": "authAppleServicesId",
    "apple.team_id": "authAppleTeamId",
    "apple.key_id": "authAppleKeyId",
    "apple.private_key": "authApplePrivateKey",
    "hosted_domain": "authDomainPrefix",
    "hosted_domain.prefix": "authDomainPrefix",
    "hosted_domain.custom_domain": "authCustomDomain",
    "hosted_domain.certificate_arn": "authCertificateArn",
    "callback_urls": "authCallbackUrls",
    "logout_urls": "authLogoutUrls",
    "token_validity.access_token_minutes": "authAccessTokenMinutes",
    "token_validity.id_token_minutes": "authAccessTokenMinutes",
    "token_validity.refresh_token_days": "authRefreshTokenDays",
    "groups": "authGroups",
    "groups[*].name": "authGroups[*]",
    "identity_pool": "authIdentityPool",
    "guest_access": "authGuestAccess",
}


def _identity_providers(values: StackValues) -> tuple[dict[str, Any], list[Problem]]:
    oidc, problems = parse_items(values.values.get("authOidcProviders", []), "authOidcProviders", OIDC_FIELDS)
    saml, saml_problems = parse_items(
        values.values.get("authSamlProviders", []), "authSamlProviders", SAML_FIELDS
    )
    problems += saml_problems
    secrets = secrets_by_name(values.values.get("authOidcClientSecrets", []))
    for index, provider in enumerate(oidc):
        name = provider.get("name")
        if name and name in secrets:
            provider["client_secret"] = _secret(secrets[name])
        elif name:
            problems.append(
                (
                    "authOidcClientSecrets",
                    f"no client secret for OIDC provider '{name}'; run `pulumi config set --secret --path "
                    f"'authOidcClientSecrets[{index}]' '{name}=<secret>'`",
                )
            )
    providers: dict[str, Any] = {"oidc_providers": oidc, "saml_providers": saml}
    for kind in ("Google", "Facebook", "Amazon"):
        client_id = values.values.get(f"auth{kind}ClientId", "")
        secret = values.values.get(f"auth{kind}ClientSecret", "")
        if client_id and not secret:
            problems.append(
                (f"auth{kind}ClientSecret", f"required when auth{kind}ClientId is set (use --secret)")
            )
        if secret and not client_id:
            problems.append((f"auth{kind}ClientId", f"required when auth{kind}ClientSecret is set"))
        if client_id and secret:
            providers[kind.lower()] = {"client_id": client_id, "client_secret": _secret(secret)}
    if values.values.get("authAppleServicesId"):
        key = values.values.get("authApplePrivateKey", "")
        providers["apple"] = _present(
            {
                "services_id": values.values.get("authAppleServicesId"),
                "team_id": values.values.get("authAppleTeamId"),
                "key_id": values.values.get("authAppleKeyId"),
                "private_key": _secret(key) if key else None,
            }
        )
    return providers, problems


def auth_args(values: StackValues) -> tuple[AuthArgs, list[Problem]]:
    """The Auth args, and the problems only the config's own syntax can have (provider items, secrets)."""
    get = values.values.get
    factors = list(get("authFirstFactors", []))
    providers, problems = _identity_providers(values)
    if get("authFromEmail") and not get("authSesIdentityArn"):
        problems.append(
            ("authFromEmail", "a from address needs authSesIdentityArn (Cognito's own sender cannot use it)")
        )
    custom = get("authCustomDomain")
    hosted = (
        {"custom_domain": custom, "certificate_arn": get("authCertificateArn") or None}
        if custom
        else {"prefix": get("authDomainPrefix")}
    )
    args: dict[str, Any] = {
        "region": values.region,
        "protect_data": get("protectData"),
        "first_auth_factors": factors,
        "preferred_challenge": get("authPreferredChallenge"),
        "password_policy": {"minimum_length": get("authPasswordMinLength")},
        "user_pool_tier": get("authUserPoolTier"),
        "allow_self_sign_up": get("authSelfSignUp"),
        "hosted_domain": _present(hosted),
        "callback_urls": get("authCallbackUrls"),
        "logout_urls": get("authLogoutUrls"),
        "token_validity": {
            "access_token_minutes": get("authAccessTokenMinutes"),
            "id_token_minutes": get("authAccessTokenMinutes"),
            "refresh_token_days": get("authRefreshTokenDays"),
        },
        "groups": [{"name": name, "precedence": index} for index, name in enumerate(get("authGroups", []))],
        "identity_pool": get("authIdentityPool"),
        "guest_access": get("authGuestAccess"),
        **providers,
    }
    if "WEB_AUTHN" in factors or get("authPasskeyRelyingPartyId"):
        args["passkeys"] = _present(
            {
                "relying_party_id": get("authPasskeyRelyingPartyId"),
                "user_verification": get("authPasskeyUserVerification"),
            }
        )
    if get("authSesIdentityArn"):
        args["email_sender"] = _present(
            {"source_arn": get("authSesIdentityArn"), "from_email_address": get("authFromEmail")}
        )
    return AuthArgs(**_present(args)), problems  # type: ignore[typeddict-item]


# ---- League data

TABLE_KEYS = {"protect_data": "protectData"}
FUNCTION_KEYS = {
    "log_retention_days": "logRetentionDays",
    "application_log_level": "lambdaLogLevel",
    "system_log_level": "lambdaSystemLogLevel",
    "tracing_mode": "tracing",
}


def league_table_args(values: StackValues) -> TableArgs:
    return TableArgs(
        hash_key="id",
        attribute_types={"id": "S", "season": "N"},  # type: ignore[dict-item]
        global_secondary_indexes=[GlobalSecondaryIndex(name=SEASON_INDEX, hash_key="season", range_key="id")],
        protect_data=values.values.get("protectData"),  # type: ignore[typeddict-item]
    )


def follows_table_args(values: StackValues) -> TableArgs:
    return TableArgs(
        hash_key="owner",
        range_key="followId",
        attribute_types={"owner": "S", "followId": "S"},  # type: ignore[dict-item]
        protect_data=values.values.get("protectData"),  # type: ignore[typeddict-item]
    )


def league_function_args(
    values: StackValues, *, code_path: str, table_name: pulumi.Input[str], layer_arn: pulumi.Input[str]
) -> LoggedFunctionArgs:
    get = values.values.get
    return LoggedFunctionArgs(
        **_present(  # type: ignore[typeddict-item]
            {
                "code_path": code_path,
                "handler": "league.handler.handler",
                "environment": {"LEAGUE_TABLE_NAME": table_name},
                "log_retention_days": get("logRetentionDays"),
                "application_log_level": get("lambdaLogLevel"),
                "system_log_level": get("lambdaSystemLogLevel"),
                "tracing_mode": "Active" if get("tracing") else None,
                "layers": [layer_arn],
            }
        )
    )


# ---- GraphQL API

API_KEYS = {
    "user_pool_region": "aws:region",
    "field_log_level": "apiLogLevel",
    "log_retention_days": "logRetentionDays",
    "xray_enabled": "tracing",
    "introspection": "apiIntrospection",
    "query_depth_limit": "apiQueryDepthLimit",
}


def api_args(
    values: StackValues,
    *,
    schema_sdl: str,
    user_pool_id: pulumi.Input[str],
    data_sources: Mapping[str, DataSource],
    resolvers: Mapping[str, Resolver],
) -> GraphqlApiArgs:
    get = values.values.get
    return GraphqlApiArgs(
        **_present(  # type: ignore[typeddict-item]
            {
                "schema_sdl": schema_sdl,
                "user_pool_id": user_pool_id,
                "user_pool_region": values.region,
                "additional_auth_modes": ["AWS_IAM"],
                "field_log_level": get("apiLogLevel"),
                "exclude_verbose_content": True,
                "log_retention_days": get("logRetentionDays"),
                "xray_enabled": get("tracing"),
                "introspection": get("apiIntrospection"),
                "query_depth_limit": get("apiQueryDepthLimit"),
                "data_sources": dict(data_sources),
                "resolvers": dict(resolvers),
            }
        )
    )


# ---- AI routes

GENERATION_KEYS = {
    "region": "aws:region",
    "model_id": "aiModelId",
    "inference_mode": "aiInferenceMode",
    "system_prompt": "aiSystemPrompt",
    "max_tokens": "aiGenerationMaxTokens",
    "temperature": "aiGenerationTemperature",
}
GENERATION_DATA_SOURCE = "BedrockRuntime"
"""The generation route's data source name since the first release (kept, so the data source is not replaced)."""
CONVERSATION_KEYS = {
    "region": "aws:region",
    "protect_data": "protectData",
    "model.model_id": "aiModelId",
    "model.inference_mode": "aiInferenceMode",
    "model.system_prompt": "aiSystemPrompt",
    "model.max_tokens": "aiMaxTokens",
    "model.temperature": "aiTemperature",
    "batch_milliseconds": "aiStreamBatchMs",
    "batch_characters": "aiStreamBatchChars",
    "max_tool_iterations": "aiMaxToolIterations",
    "log_retention_days": "logRetentionDays",
    "application_log_level": "lambdaLogLevel",
    "system_log_level": "lambdaSystemLogLevel",
    "tracing": "tracing",
}


def generation_args(
    values: StackValues,
    *,
    schema_sdl: str,
    api_id: pulumi.Input[str],
    api_arn: pulumi.Input[str],
    account_id: pulumi.Input[str],
) -> GenerationRouteArgs:
    get = values.values.get
    return GenerationRouteArgs(
        **_present(  # type: ignore[typeddict-item]
            {
                "api_id": api_id,
                "api_arn": api_arn,
                "schema_sdl": schema_sdl,
                "field_name": GENERATION_FIELD,
                "region": values.region,
                "account_id": account_id,
                "model_id": get("aiModelId"),
                "inference_mode": get("aiInferenceMode"),
                "system_prompt": get("aiSystemPrompt"),
                "max_tokens": get("aiGenerationMaxTokens"),
                "temperature": _float(get("aiGenerationTemperature")),
                "data_source_name": GENERATION_DATA_SOURCE,
            }
        )
    )


def conversation_args(
    values: StackValues,
    *,
    schema_sdl: str,
    api_id: pulumi.Input[str],
    api_arn: pulumi.Input[str],
    graphql_url: pulumi.Input[str],
    account_id: pulumi.Input[str],
) -> ConversationRouteArgs:
    get = values.values.get
    model = _present(
        {
            "model_id": get("aiModelId"),
            "system_prompt": get("aiSystemPrompt"),
            "inference_mode": get("aiInferenceMode"),
            "max_tokens": get("aiMaxTokens"),
            "temperature": _float(get("aiTemperature")),
        }
    )
    return ConversationRouteArgs(
        **_present(  # type: ignore[typeddict-item]
            {
                "route": CONVERSATION_ROUTE,
                "data_tools": [dict(tool) for tool in CHAT_DATA_TOOLS],
                "api_id": api_id,
                "api_arn": api_arn,
                "graphql_url": graphql_url,
                "schema_sdl": schema_sdl,
                "region": values.region,
                "account_id": account_id,
                "model": model,
                "protect_data": get("protectData"),
                "batch_milliseconds": get("aiStreamBatchMs"),
                "batch_characters": get("aiStreamBatchChars"),
                "max_tool_iterations": get("aiMaxToolIterations"),
                "log_retention_days": get("logRetentionDays"),
                "application_log_level": get("lambdaLogLevel"),
                "system_log_level": get("lambdaSystemLogLevel"),
                "tracing": get("tracing"),
            }
        )
    )


# ---- Hosting

HOSTING_KEYS = {
    "repository": "hostingRepository",
    "branch": "hostingBranch",
    "access_token": "hostingAccessToken",
    "production": "environment",
    "ssr_log_retention_days": "logRetentionDays",
}


def hosting_args(
    values: StackValues, *, amplify_outputs: pulumi.Input[Mapping[str, Any]]
) -> HostingArgs | None:
    """None when the stack has no frontend repository (no hosting)."""
    get = values.values.get
    if not get("hostingRepository"):
        return None
    token = get("hostingAccessToken")
    return HostingArgs(
        **_present(  # type: ignore[typeddict-item]
            {
                "repository": get("hostingRepository"),
                "branch": get("hostingBranch"),
                "access_token": _secret(token) if token else None,
                "production": values.is_production,
                "amplify_outputs": amplify_outputs,
                # Every log group of the stack keeps logRetentionDays, the SSR logs included.
                "ssr_log_retention_days": get("logRetentionDays"),
            }
        )
    )


# ---- From an arg path back to the config key


def config_key_for(path: str, keys: Mapping[str, str], args_name: str) -> str:
    """``oidc_providers[1].issuer_url`` -> ``authOidcProviders[1].issuer``.

    Indices are matched as ``[*]`` and put back in order; a path with no entry is shortened until one
    matches (keeping trailing indices, ``callback_urls[2]`` -> ``authCallbackUrls[2]``). A path that matches
    nothing is this app's own mistake and is named as the component sees it.
    """
    segments = re.findall(r"\[\d+\]|\[[^\]]*\]|[^.\[]+", path)
    for end in range(len(segments), 0, -1):
        head, tail = segments[:end], segments[end:]
        pattern = ""
        for segment in head:
            wildcard = "[*]" if re.fullmatch(r"\[\d+\]", segment) else segment
            pattern += wildcard if segment.startswith("[") else (f".{segment}" if pattern else segment)
        if pattern in keys:
            key = keys[pattern]
            for index in re.findall(r"\[(\d+)\]", "".join(head)):
                key = key.replace("[*]", f"[{index}]", 1)
            if all(re.fullmatch(r"\[\d+\]", segment) for segment in tail):
                key += "".join(tail)
            return key
    return f"{args_name}.{path}" if path else args_name
