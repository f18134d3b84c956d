"""``Auth``: Cognito user pool, web client, managed login, federation, groups and an optional identity pool."""

from .args import (
    AppleProvider,
    AttributesRequestMethod,
    AuthArgs,
    FacebookProvider,
    FirstAuthFactor,
    HostedDomain,
    MfaMode,
    OidcProvider,
    Passkeys,
    PasswordPolicy,
    SamlProvider,
    SesEmailSender,
    SocialProvider,
    TokenValidity,
    UserGroup,
    UserPoolTier,
    UserVerification,
)
from .checks import OAUTH_SCOPES, AuthModel, domain_prefix_problem, redirect_url_problem
from .client_facts import AuthClientFacts, client_facts
from .component import Auth, explicit_auth_flows
from .identity_providers import RESERVED_PROVIDER_NAMES, SAML_EMAIL_CLAIM

__all__ = [
    "OAUTH_SCOPES",
    "RESERVED_PROVIDER_NAMES",
    "SAML_EMAIL_CLAIM",
    "AppleProvider",
    "AttributesRequestMethod",
    "Auth",
    "AuthArgs",
    "AuthClientFacts",
    "AuthModel",
    "FacebookProvider",
    "FirstAuthFactor",
    "HostedDomain",
    "MfaMode",
    "OidcProvider",
    "Passkeys",
    "PasswordPolicy",
    "SamlProvider",
    "SesEmailSender",
    "SocialProvider",
    "TokenValidity",
    "UserGroup",
    "UserPoolTier",
    "UserVerification",
    "client_facts",
    "domain_prefix_problem",
    "explicit_auth_flows",
    "redirect_url_problem",
]
