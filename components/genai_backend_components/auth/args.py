"""What the Auth component can be asked for: the public args every Pulumi language sees.

Compared with Amplify's ``defineAuth``, the choices Amplify hides are args here: self sign-up (off by
default), guest access (off, and no identity pool unless asked), the feature plan, the domain prefix or a
custom domain, token lifetimes, and data protection for production pools. Federated providers are one
list or object per kind (no union type), so every language can describe them.
"""

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import NotRequired, TypedDict

import pulumi


class FirstAuthFactor(StrEnum):
    """A way to start signing in (``USER_AUTH`` flow)."""

    PASSWORD = "PASSWORD"
    """Password (or SRP)."""
    EMAIL_OTP = "EMAIL_OTP"
    """A one-time code sent by email through SES."""
    WEB_AUTHN = "WEB_AUTHN"
    """A passkey."""


class UserVerification(StrEnum):
    """Whether a passkey's authenticator must verify the user (PIN, biometrics)."""

    REQUIRED = "required"
    """Always verify."""
    PREFERRED = "preferred"
    """Verify when the authenticator can."""


class MfaMode(StrEnum):
    """Multi-factor authentication with authenticator apps (TOTP)."""

    OFF = "OFF"
    """No MFA."""
    OPTIONAL = "OPTIONAL"
    """Users may turn it on."""
    REQUIRED = "REQUIRED"
    """Every user must use it; cannot be combined with passwordless factors."""


class UserPoolTier(StrEnum):
    """Cognito feature plan."""

    LITE = "LITE"
    """Passwords only; no passwordless, passkeys or managed login."""
    ESSENTIALS = "ESSENTIALS"
    """Passwordless, passkeys and managed login."""
    PLUS = "PLUS"
    """Essentials plus threat protection."""


class AttributesRequestMethod(StrEnum):
    """How Cognito calls an OIDC provider's userinfo endpoint."""

    GET = "GET"
    """HTTP GET."""
    POST = "POST"
    """HTTP POST."""


class PasswordPolicy(TypedDict, total=False):
    """Password rules; stronger than Cognito's default (8 characters, 7-day temporary passwords)."""

    minimum_length: int
    """Minimum password length, 8 to 99 (default 12)."""
    require_lowercase: bool
    """At least one lowercase letter (default true)."""
    require_uppercase: bool
    """At least one uppercase letter (default true)."""
    require_numbers: bool
    """At least one digit (default true)."""
    require_symbols: bool
    """At least one symbol (default true)."""
    temporary_password_validity_days: int
    """Days an admin-issued temporary password stays usable, 1 to 365 (default 3)."""


class Passkeys(TypedDict):
    """WebAuthn settings; changing the relying party later invalidates every registered passkey."""

    relying_party_id: str
    """Host the passkeys are bound to: the app's domain (or a parent of it) for SDK sign-in, or the Cognito
    domain host for managed login pages; no scheme, port or path."""
    user_verification: NotRequired[UserVerification]
    """Default preferred."""


class SesEmailSender(TypedDict):
    """Email through the caller's SES identity; required for EMAIL_OTP, better deliverability anyway."""

    source_arn: pulumi.Input[str]
    """ARN of a verified SES identity (arn:aws:ses:<region>:<account>:identity/<email or domain>); checked
    when known."""
    from_email_address: str
    """Sender, e.g. ``App <no-reply@example.com>``; must belong to the SES identity."""
    reply_to_email_address: NotRequired[str]
    """Reply-To address."""
    configuration_set: NotRequired[str]
    """SES configuration set, for delivery events."""


class HostedDomain(TypedDict, total=False):
    """Where managed login lives: a Cognito prefix domain, or a custom domain with an ACM certificate."""

    prefix: str
    """Prefix of ``<prefix>.auth.<region>.amazoncognito.com``: lowercase letters, digits, hyphens."""
    custom_domain: str
    """Lowercase fully qualified custom domain, e.g. auth.example.com (its parent needs a DNS A record)."""
    certificate_arn: str
    """ACM certificate for custom_domain; CloudFront serves it, so it must be in us-east-1."""


class TokenValidity(TypedDict, total=False):
    """Token lifetimes (Cognito's defaults); short access tokens limit what a stolen one can do."""

    access_token_minutes: int
    """Access token lifetime in minutes, 5 to 1440 (default 60)."""
    id_token_minutes: int
    """ID token lifetime in minutes, 5 to 1440 (default 60)."""
    refresh_token_days: int
    """Refresh token lifetime in days, 1 to 3650 (default 30)."""


class UserGroup(TypedDict):
    """A Cognito group; its name shows up in the ``cognito:groups`` claim of both tokens."""

    name: str
    """Group name, 1 to 128 characters without spaces."""
    precedence: NotRequired[int]
    """Lower wins when a user is in several groups (and their roles conflict); 0 or more (default 0)."""
    description: NotRequired[str]
    """Free text for administrators."""


class OidcProvider(TypedDict):
    """Any OpenID Connect provider (Okta, Entra ID, Auth0, Keycloak...), found by discovery."""

    name: str
    """Provider name on the hosted sign-in page (3 to 32 characters, no spaces or underscores); the frontend
    passes it as ``signInWithRedirect({provider: {custom: name}})``."""
    issuer_url: str
    """https issuer; Cognito reads ``<issuer>/.well-known/openid-configuration`` from it."""
    client_id: str
    """Client id registered at the provider for this user pool."""
    client_secret: pulumi.Input[str]
    """Client secret; pass a secret Output so it stays encrypted in state."""
    scopes: NotRequired[Sequence[str]]
    """Scopes requested; must include openid and email (default openid email profile)."""
    attributes_request_method: NotRequired[AttributesRequestMethod]
    """Default GET."""


class SocialProvider(TypedDict):
    """Sign in with Google or Login with Amazon: a client id and its secret."""

    client_id: str
    """Client id issued by the provider's developer console."""
    client_secret: pulumi.Input[str]
    """Client secret; pass a secret Output."""
    scopes: NotRequired[Sequence[str]]
    """Scopes requested; Google needs email (default openid email profile), Amazon profile (default)."""


class FacebookProvider(TypedDict):
    """Sign in with Facebook (no email_verified claim: such emails stay unverified)."""

    client_id: str
    """Facebook app id."""
    client_secret: pulumi.Input[str]
    """Facebook app secret; pass a secret Output."""
    scopes: NotRequired[Sequence[str]]
    """Permissions requested; must include email (default public_profile email)."""
    api_version: NotRequired[str]
    """Graph API version Cognito calls, like v17.0 (default)."""


class AppleProvider(TypedDict):
    """Sign in with Apple, authenticated by a private key instead of a client secret."""

    services_id: str
    """Apple Services ID, which Cognito uses as the OAuth client id."""
    team_id: str
    """Apple developer team id (10 characters, A-Z and 0-9)."""
    key_id: str
    """Id of the Sign in with Apple private key (10 characters, A-Z and 0-9)."""
    private_key: pulumi.Input[str]
    """The .p8 private key contents; pass a secret Output."""
    scopes: NotRequired[Sequence[str]]
    """Scopes requested; must include email (default email name)."""


class SamlProvider(TypedDict):
    """A SAML 2.0 identity provider, from its metadata URL or its metadata document."""

    name: str
    """Provider name on the hosted sign-in page (3 to 32 characters, no spaces or underscores)."""
    metadata_url: NotRequired[str]
    """https URL Cognito fetches the IdP metadata from (preferred: certificates rotate by themselves)."""
    metadata_file: NotRequired[pulumi.Input[str]]
    """The metadata XML itself, when the IdP publishes no URL. Exactly one of the two is required."""
    sign_out: NotRequired[bool]
    """Also sign the user out of the IdP (SAML single logout) when they sign out of the app."""


class AuthArgs(TypedDict):
    """A Cognito user pool with one public web client, ready for Amplify JS."""

    region: str
    """Region of the user pool (the provider's region); used for URLs and the client config."""
    protect_data: bool
    """Production switch: deletion protection on the pool, plus Pulumi protect and retain_on_delete."""
    first_auth_factors: NotRequired[Sequence[FirstAuthFactor]]
    """Ways to start signing in; must include PASSWORD (Cognito requires it). Default PASSWORD only."""
    preferred_challenge: NotRequired[FirstAuthFactor]
    """Factor the frontend offers first; one of first_auth_factors (a hint to the client config)."""
    passkeys: NotRequired[Passkeys]
    """Required exactly when WEB_AUTHN is a first factor."""
    email_sender: NotRequired[SesEmailSender]
    """SES sending; required when EMAIL_OTP is a first factor. Unset: Cognito's own mailer."""
    password_policy: NotRequired[PasswordPolicy]
    """Password rules."""
    mfa: NotRequired[MfaMode]
    """Default OFF."""
    user_pool_tier: NotRequired[UserPoolTier]
    """Default ESSENTIALS; passwordless, passkeys and managed login need ESSENTIALS or PLUS."""
    allow_self_sign_up: NotRequired[bool]
    """Whether anyone may create an account (default false: administrators create users)."""
    oidc_providers: NotRequired[Sequence[OidcProvider]]
    """OpenID Connect providers; federation needs hosted_domain."""
    saml_providers: NotRequired[Sequence[SamlProvider]]
    """SAML providers."""
    google: NotRequired[SocialProvider]
    """Sign in with Google."""
    facebook: NotRequired[FacebookProvider]
    """Sign in with Facebook."""
    amazon: NotRequired[SocialProvider]
    """Login with Amazon."""
    apple: NotRequired[AppleProvider]
    """Sign in with Apple."""
    hosted_domain: NotRequired[HostedDomain]
    """Managed login domain; without it the web client has no OAuth (redirect) sign-in."""
    callback_urls: NotRequired[Sequence[str]]
    """Where managed login returns after sign-in: https, or http on localhost; one or more with a domain."""
    logout_urls: NotRequired[Sequence[str]]
    """Where managed login returns after sign-out; same rules as callback_urls."""
    token_validity: NotRequired[TokenValidity]
    """Token lifetimes of the web client."""
    groups: NotRequired[Sequence[UserGroup]]
    """User groups to create."""
    identity_pool: NotRequired[bool]
    """Create an identity pool so signed-in users can get (permissionless by default) AWS credentials."""
    guest_access: NotRequired[bool]
    """Let the identity pool hand credentials to visitors who are not signed in; needs identity_pool."""
    tags: NotRequired[pulumi.Input[Mapping[str, pulumi.Input[str]]]]
    """Tags for the user pool, identity pool and roles."""
