"""Settings rules that involve more than one key, each with the reason it exists."""

from __future__ import annotations

import re

from components.auth_rules import domain_prefix_problem, redirect_url_problem
from components.settings_model import FlatConfig
from components.settings_providers import parse_providers, secrets_by_name

Problem = tuple[str, str]

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
_GROUP_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")


def _auth_rules(flat: FlatConfig) -> list[Problem]:
    problems: list[Problem] = []
    for key, urls in (
        ("authCallbackUrls", flat.auth_callback_urls),
        ("authLogoutUrls", flat.auth_logout_urls),
    ):
        problems += [
            (f"{key}[{i}]", message) for i, url in enumerate(urls) if (message := redirect_url_problem(url))
        ]
    if flat.auth_custom_domain:
        if not flat.auth_certificate_arn.startswith("arn:aws:acm:us-east-1:"):
            problems.append(
                ("authCertificateArn", "a custom domain needs an ACM certificate ARN in us-east-1")
            )
    elif message := domain_prefix_problem(flat.auth_domain_prefix):
        problems.append(("authDomainPrefix", message))
    if "EMAIL_OTP" in flat.auth_first_factors and not (flat.auth_ses_identity_arn and flat.auth_from_email):
        problems.append(
            (
                "authSesIdentityArn",
                "EMAIL_OTP sign-in needs Cognito to send email through SES: set authSesIdentityArn and authFromEmail",
            )
        )
    if flat.auth_from_email and not flat.auth_ses_identity_arn:
        problems.append(
            ("authFromEmail", "a from address needs authSesIdentityArn (Cognito's own sender cannot use it)")
        )
    if "WEB_AUTHN" in flat.auth_first_factors and not flat.auth_passkey_relying_party_id:
        problems.append(
            (
                "authPasskeyRelyingPartyId",
                "required with WEB_AUTHN: the domain your app's pages are served from (e.g. app.example.com, or "
                "localhost for local development); browsers refuse passkeys whose relying party is not that domain "
                "or a parent of it, and changing it later invalidates every registered passkey",
            )
        )
    if flat.auth_preferred_challenge and flat.auth_preferred_challenge not in flat.auth_first_factors:
        allowed = ", ".join(flat.auth_first_factors)
        problems.append(
            ("authPreferredChallenge", f"'{flat.auth_preferred_challenge}' is not one of {allowed}")
        )
    if flat.auth_guest_access and not flat.auth_identity_pool:
        problems.append(("authGuestAccess", "guest access needs authIdentityPool: true"))
    problems += [
        (f"authGroups[{i}]", f"'{g}' is not a valid group name")
        for i, g in enumerate(flat.auth_groups)
        if not _GROUP_NAME.match(g)
    ]
    if len(set(flat.auth_groups)) != len(flat.auth_groups):
        problems.append(("authGroups", "group names must be unique"))
    secrets = secrets_by_name(flat.auth_oidc_client_secrets)
    _, oidc_problems = parse_providers(flat.auth_oidc_providers, "oidc", "authOidcProviders", secrets)
    _, saml_problems = parse_providers(flat.auth_saml_providers, "saml", "authSamlProviders", {})
    problems += oidc_problems + saml_problems
    for provider, client_id, secret in (
        ("Google", flat.auth_google_client_id, flat.auth_google_client_secret),
        ("Facebook", flat.auth_facebook_client_id, flat.auth_facebook_client_secret),
        ("Amazon", flat.auth_amazon_client_id, flat.auth_amazon_client_secret),
    ):
        if client_id and not secret:
            problems.append(
                (f"auth{provider}ClientSecret", f"required when auth{provider}ClientId is set (use --secret)")
            )
        if secret and not client_id:
            problems.append((f"auth{provider}ClientId", f"required when auth{provider}ClientSecret is set"))
    if flat.auth_apple_services_id:
        for key, value in (
            ("authAppleTeamId", flat.auth_apple_team_id),
            ("authAppleKeyId", flat.auth_apple_key_id),
            ("authApplePrivateKey", flat.auth_apple_private_key),
        ):
            if not value:
                problems.append((key, "required when authAppleServicesId is set"))
    return problems


def _production_rules(flat: FlatConfig) -> list[Problem]:
    """Production guardrails: losing user data or logging their content is never a default."""
    if flat.environment != "production":
        return []
    problems: list[Problem] = []
    if not flat.protect_data:
        problems.append(("protectData", "must be true in production (deletion protection and backups)"))
    if flat.api_log_level in ("ALL", "DEBUG", "INFO"):
        problems.append(
            ("apiLogLevel", f"'{flat.api_log_level}' logs request content; use NONE or ERROR in production")
        )
    if flat.lambda_log_level in ("TRACE", "DEBUG"):
        problems.append(
            ("lambdaLogLevel", f"'{flat.lambda_log_level}' is too verbose for production; use INFO or higher")
        )
    return problems


def _ai_rules(flat: FlatConfig) -> list[Problem]:
    from components.bedrock import BedrockConfigError, check_model_choice, partition_for_region

    try:
        check_model_choice(
            flat.ai_model_id,
            flat.ai_inference_mode,
            flat.aws_region,
            partition=partition_for_region(flat.aws_region),
        )
    except BedrockConfigError as error:
        return [("aiModelId" if "model" in str(error).lower() else "aiInferenceMode", str(error))]
    return []


def _other_rules(flat: FlatConfig) -> list[Problem]:
    problems: list[Problem] = []
    if flat.league_table_name and not _TABLE_NAME.match(flat.league_table_name):
        problems.append(("leagueTableName", f"'{flat.league_table_name}' is not a valid DynamoDB table name"))
    if flat.hosting_repository:
        if not flat.hosting_repository.startswith("https://"):
            problems.append(("hostingRepository", "must be an https repository URL"))
        if not flat.hosting_access_token:
            problems.append(("hostingAccessToken", "required with hostingRepository (use --secret)"))
    return problems


def check_all(flat: FlatConfig) -> list[Problem]:
    return _auth_rules(flat) + _production_rules(flat) + _ai_rules(flat) + _other_rules(flat)
