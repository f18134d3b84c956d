"""The amplify_outputs.json document (schema version 1.5) the frontend's Amplify libraries read.

A pure function of plain values: the backend resolves its Pulumi outputs first and calls
`build_client_config` inside one `apply`, so the same code also runs in tests and in the CLI without an
engine. Every inconsistency raises ValueError naming the field, because `Amplify.configure` validates
nothing and would otherwise fail later, in the browser, with a far vaguer error.

Social sign-in: `auth.oauth.identity_providers` only accepts Amplify's enum GOOGLE, FACEBOOK,
LOGIN_WITH_AMAZON and SIGN_IN_WITH_APPLE, so the Cognito provider names Google, Facebook, LoginWithAmazon
and SignInWithApple are mapped to it. OIDC and SAML providers (and the COGNITO directory itself) have no
entry there, as in Amplify's own outputs: the frontend starts those flows by name with
`signInWithRedirect({ provider: { custom: '<provider name>' } })`.

The document carries no secrets: no client secret, no API key.

Its inputs (`AuthOutputs`, `DataOutputs` and their parts) are declared in ``.inputs``;
this module checks them and writes the document.
"""

from __future__ import annotations

from typing import Any

from .inputs import AuthOutputs, DataOutputs, OAuthOutputs, PasswordPolicy, UserGroup
from .model_introspection import build_model_introspection

OUTPUTS_VERSION = "1.5"
SOCIAL_PROVIDERS = {
    "Google": "GOOGLE",
    "Facebook": "FACEBOOK",
    "LoginWithAmazon": "LOGIN_WITH_AMAZON",
    "SignInWithApple": "SIGN_IN_WITH_APPLE",
}
FIRST_FACTORS = ("PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
USERNAME_ATTRIBUTES = ("email", "phone_number", "username")
VERIFICATION_TYPES = ("email", "phone_number")
MFA_CONFIGURATIONS = ("NONE", "OPTIONAL", "REQUIRED")
MFA_METHODS = ("SMS", "TOTP", "EMAIL")
USER_VERIFICATIONS = ("required", "preferred")
AUTHORIZATION_TYPES = ("AMAZON_COGNITO_USER_POOLS", "AWS_IAM", "AWS_LAMBDA", "OPENID_CONNECT", "API_KEY")
STANDARD_ATTRIBUTES = (
    *("address", "birthdate", "email", "family_name", "gender", "given_name", "locale", "middle_name"),
    *("name", "nickname", "phone_number", "picture", "preferred_username", "profile", "sub", "updated_at"),
    *("website", "zoneinfo"),
)


def build_client_config(auth: AuthOutputs, data: DataOutputs) -> dict[str, Any]:
    """Returns the amplify_outputs.json document; raises ValueError naming the first inconsistent field."""
    return {"version": OUTPUTS_VERSION, "auth": _auth_section(auth), "data": _data_section(data)}


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _require_members(field_name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    unknown = [value for value in values if value not in allowed]
    _require(not unknown, f"{field_name}: {unknown} not allowed; allowed values: {', '.join(allowed)}")
    _require(len(set(values)) == len(values), f"{field_name}: values must not repeat, got {list(values)}")


def _require_text(field_name: str, value: str) -> None:
    _require(isinstance(value, str) and value.strip() != "", f"{field_name}: must be a non-empty string")


def _auth_section(auth: AuthOutputs) -> dict[str, Any]:
    for name in ("region", "user_pool_id", "user_pool_client_id"):
        _require_text(f"auth.{name}", getattr(auth, name))
    _require_members("auth.username_attributes", auth.username_attributes, USERNAME_ATTRIBUTES)
    _require(bool(auth.username_attributes), "auth.username_attributes: at least one is required")
    _require_members(
        "auth.standard_required_attributes", auth.standard_required_attributes, STANDARD_ATTRIBUTES
    )
    _require_members("auth.user_verification_types", auth.user_verification_types, VERIFICATION_TYPES)
    _require_members("auth.mfa_configuration", (auth.mfa_configuration,), MFA_CONFIGURATIONS)
    _require_members("auth.mfa_methods", auth.mfa_methods, MFA_METHODS)
    _require(
        (auth.mfa_configuration == "NONE") == (not auth.mfa_methods),
        "auth.mfa_methods: must be empty when mfa_configuration is NONE and non-empty otherwise",
    )
    _require(
        not auth.unauthenticated_identities_enabled or bool(auth.identity_pool_id),
        "auth.unauthenticated_identities_enabled: guest access needs auth.identity_pool_id",
    )
    section: dict[str, Any] = {
        "aws_region": auth.region,
        "user_pool_id": auth.user_pool_id,
        "user_pool_client_id": auth.user_pool_client_id,
        "username_attributes": sorted(auth.username_attributes),
        "standard_required_attributes": sorted(auth.standard_required_attributes),
        "user_verification_types": sorted(auth.user_verification_types),
        "unauthenticated_identities_enabled": auth.unauthenticated_identities_enabled,
        "mfa_configuration": auth.mfa_configuration,
        "mfa_methods": sorted(auth.mfa_methods),
        "groups": _groups(auth.groups),
    }
    if auth.identity_pool_id:
        section["identity_pool_id"] = auth.identity_pool_id
    if auth.password_policy is not None:
        section["password_policy"] = _password_policy(auth.password_policy)
    if auth.oauth is not None:
        section["oauth"] = _oauth(auth.oauth)
    passwordless = _passwordless(auth)
    if passwordless:
        section["passwordless"] = passwordless
    return section


def _password_policy(policy: PasswordPolicy) -> dict[str, Any]:
    _require(
        isinstance(policy.min_length, int) and 6 <= policy.min_length <= 99,
        f"auth.password_policy.min_length: must be an integer from 6 to 99, got {policy.min_length!r}",
    )
    return {
        "min_length": policy.min_length,
        "require_numbers": policy.require_numbers,
        "require_lowercase": policy.require_lowercase,
        "require_uppercase": policy.require_uppercase,
        "require_symbols": policy.require_symbols,
    }


def _oauth(oauth: OAuthOutputs) -> dict[str, Any]:
    _require_text("auth.oauth.domain", oauth.domain)
    _require("://" not in oauth.domain, "auth.oauth.domain: give the host name only, without https://")
    _require(bool(oauth.scopes), "auth.oauth.scopes: at least one scope is required")
    for name in ("redirect_sign_in_uris", "redirect_sign_out_uris"):
        uris: tuple[str, ...] = getattr(oauth, name)
        _require(bool(uris), f"auth.oauth.{name}: at least one URL is required")
        _require(len(set(uris)) == len(uris), f"auth.oauth.{name}: URLs must not repeat")
    return {
        "domain": oauth.domain,
        "identity_providers": sorted(
            {SOCIAL_PROVIDERS[name] for name in oauth.identity_providers if name in SOCIAL_PROVIDERS}
        ),
        "redirect_sign_in_uri": list(oauth.redirect_sign_in_uris),
        "redirect_sign_out_uri": list(oauth.redirect_sign_out_uris),
        "response_type": "code",
        "scopes": sorted(set(oauth.scopes)),
    }


def _passwordless(auth: AuthOutputs) -> dict[str, Any]:
    """The `passwordless` block, derived from the first factors so it can never promise a disabled one."""
    factors = auth.first_factors
    _require_members("auth.first_factors", factors, FIRST_FACTORS)
    _require("PASSWORD" in factors, "auth.first_factors: PASSWORD must stay allowed (Cognito requires it)")
    _require(
        auth.preferred_challenge is None or auth.preferred_challenge in factors,
        f"auth.preferred_challenge: {auth.preferred_challenge!r} must be one of auth.first_factors {list(factors)}",
    )
    _require(
        ("WEB_AUTHN" in factors) == (auth.web_authn is not None),
        "auth.web_authn: required exactly when WEB_AUTHN is in auth.first_factors",
    )
    passwordless_factors = set(factors) - {"PASSWORD"}
    _require(
        not passwordless_factors or auth.mfa_configuration != "REQUIRED",
        "auth.first_factors: passwordless factors cannot be combined with mfa_configuration REQUIRED",
    )
    if not passwordless_factors:
        _require(
            auth.preferred_challenge in (None, "PASSWORD"),
            "auth.preferred_challenge: only PASSWORD is possible without passwordless factors",
        )
        return {}
    section: dict[str, Any] = {
        "email_otp_enabled": "EMAIL_OTP" in factors,
        "sms_otp_enabled": "SMS_OTP" in factors,
    }
    if auth.web_authn is not None:
        _require_text("auth.web_authn.relying_party_id", auth.web_authn.relying_party_id)
        _require_members(
            "auth.web_authn.user_verification", (auth.web_authn.user_verification,), USER_VERIFICATIONS
        )
        section["web_authn"] = {
            "relying_party_id": auth.web_authn.relying_party_id,
            "user_verification": auth.web_authn.user_verification,
        }
    if auth.preferred_challenge is not None:
        section["preferred_challenge"] = auth.preferred_challenge
    return section


def _groups(groups: tuple[UserGroup, ...]) -> list[dict[str, dict[str, int]]]:
    names = [group.name for group in groups]
    _require(len(set(names)) == len(names), f"auth.groups: group names must be unique, got {names}")
    for group in groups:
        _require_text("auth.groups[].name", group.name)
        _require(
            isinstance(group.precedence, int) and group.precedence >= 0,
            f"auth.groups['{group.name}'].precedence: must be an integer of 0 or more",
        )
    ordered = sorted(groups, key=lambda group: (group.precedence, group.name))
    return [{group.name: {"precedence": group.precedence}} for group in ordered]


def _data_section(data: DataOutputs) -> dict[str, Any]:
    _require_text("data.region", data.region)
    _require(
        isinstance(data.url, str) and data.url.startswith("https://"),
        f"data.url: must be the https:// GraphQL endpoint, got {data.url!r}",
    )
    _require_members(
        "data.default_authorization_type", (data.default_authorization_type,), AUTHORIZATION_TYPES
    )
    _require(
        data.default_authorization_type != "API_KEY",
        "data.default_authorization_type: API_KEY needs the key in the document, which never holds secrets",
    )
    _require_members("data.authorization_types", data.authorization_types, AUTHORIZATION_TYPES)
    _require(
        data.default_authorization_type not in data.authorization_types,
        "data.authorization_types: list only the additional types, not the default one",
    )
    return {
        "aws_region": data.region,
        "url": data.url,
        "default_authorization_type": data.default_authorization_type,
        "authorization_types": sorted(data.authorization_types),
        "model_introspection": build_model_introspection(
            data.schema_sdl,
            generation_routes=data.generation_routes,
            conversation_routes=data.conversation_routes,
        ),
    }
