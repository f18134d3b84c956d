"""What the Auth component can be asked for, and the plain facts a frontend needs from it.

Plain frozen dataclasses with one docstring per field: they are the component's whole interface, so
a caller (the stack settings, or another project) can build them without reading the component.
The rules about which combinations are valid live in ``auth_rules``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from components.identity_provider_specs import FederatedProvider

USER_POOL_TIERS = ("LITE", "ESSENTIALS", "PLUS")
FIRST_AUTH_FACTORS = ("PASSWORD", "EMAIL_OTP", "WEB_AUTHN")
PASSWORDLESS_FACTORS = ("EMAIL_OTP", "WEB_AUTHN")
USER_VERIFICATION_CHOICES = ("required", "preferred")
MFA_MODES = ("OFF", "OPTIONAL", "REQUIRED")
OAUTH_SCOPES = ("openid", "email", "profile", "aws.cognito.signin.user.admin")


@dataclass(frozen=True, kw_only=True)
class PasswordPolicy:
    """Password rules; stronger than Cognito's default (8 characters, 7-day temporary passwords)."""

    minimum_length: int = 12
    """Minimum password length, 8–99."""
    require_lowercase: bool = True
    """At least one lowercase letter."""
    require_uppercase: bool = True
    """At least one uppercase letter."""
    require_numbers: bool = True
    """At least one digit."""
    require_symbols: bool = True
    """At least one symbol."""
    temporary_password_validity_days: int = 3
    """Days an admin-issued temporary password stays usable, 1–365."""


@dataclass(frozen=True, kw_only=True)
class Passkeys:
    """WebAuthn settings; changing the relying party later invalidates every registered passkey."""

    relying_party_id: str
    """Host the passkeys are bound to: the app's domain (or a parent of it) for SDK sign-in, or the
    Cognito domain host for managed login pages."""
    user_verification: str = "preferred"
    """Whether the authenticator must verify the user (PIN, biometrics): required or preferred."""


@dataclass(frozen=True, kw_only=True)
class SesEmailSender:
    """Email through the caller's SES identity; required for EMAIL_OTP, better deliverability anyway."""

    source_arn: pulumi.Input[str]
    """ARN of a verified SES identity (arn:aws:ses:<region>:<account>:identity/<email or domain>)."""
    from_email_address: str
    """Sender, e.g. ``App <no-reply@example.com>``; must belong to the SES identity."""
    reply_to_email_address: str | None = None
    """Optional Reply-To address."""
    configuration_set: str | None = None
    """Optional SES configuration set, for delivery events."""


@dataclass(frozen=True, kw_only=True)
class HostedDomain:
    """Where managed login lives: a Cognito prefix domain, or a custom domain with an ACM certificate."""

    prefix: str | None = None
    """Prefix of ``<prefix>.auth.<region>.amazoncognito.com``: lowercase letters, digits, hyphens."""
    custom_domain: str | None = None
    """Fully qualified custom domain, e.g. auth.example.com (its parent needs a DNS A record)."""
    certificate_arn: str | None = None
    """ACM certificate for custom_domain; CloudFront serves it, so it must be in us-east-1."""

    def host(self, region: str) -> str:
        """The host users see in their browser during sign-in."""
        return self.custom_domain or f"{self.prefix}.auth.{region}.amazoncognito.com"


@dataclass(frozen=True, kw_only=True)
class TokenValidity:
    """Token lifetimes (Cognito's defaults); short access tokens limit what a stolen one can do."""

    access_token_minutes: int = 60
    """Access token lifetime in minutes, 5–1440."""
    id_token_minutes: int = 60
    """ID token lifetime in minutes, 5–1440."""
    refresh_token_days: int = 30
    """Refresh token lifetime in days, 1–3650."""


@dataclass(frozen=True, kw_only=True)
class UserGroup:
    """A Cognito group; its name shows up in the ``cognito:groups`` claim of both tokens."""

    name: str
    """Group name, 1–128 characters without spaces."""
    precedence: int
    """Lower wins when a user is in several groups (and their roles conflict); 0 or more."""
    description: str = ""
    """Free text for administrators."""


@dataclass(frozen=True, kw_only=True)
class AuthArgs:
    """Everything the Auth component declares is derived from these values."""

    region: str
    """Region of the user pool (the caller's provider region); used for URLs, not for lookups."""
    first_auth_factors: Sequence[str] = ("PASSWORD",)
    """Ways to start signing in: a non-empty subset of PASSWORD, EMAIL_OTP, WEB_AUTHN."""
    preferred_challenge: str | None = None
    """Factor the frontend offers first; one of first_auth_factors (a hint, not enforced)."""
    passkeys: Passkeys | None = None
    """Required exactly when WEB_AUTHN is a first factor."""
    email_sender: SesEmailSender | None = None
    """SES sending; required when EMAIL_OTP is a first factor. None means Cognito's own mailer."""
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    """Password rules."""
    mfa: str = "OFF"
    """OFF, OPTIONAL or REQUIRED (TOTP apps). REQUIRED cannot be combined with passwordless factors."""
    user_pool_tier: str = "ESSENTIALS"
    """Feature plan: LITE, ESSENTIALS or PLUS; passwordless, passkeys and managed login need ESSENTIALS+."""
    allow_self_sign_up: bool = False
    """Whether anyone may create an account; off means administrators create users."""
    protect_data: bool = False
    """Production switch: deletion protection on the pool, plus Pulumi protect and retain_on_delete."""
    identity_providers: Sequence[FederatedProvider] = ()
    """Federated providers (OIDC, Google, Facebook, Amazon, Apple, SAML); need hosted_domain."""
    hosted_domain: HostedDomain | None = None
    """Managed login domain; without it the web client has no OAuth (redirect) sign-in."""
    callback_urls: Sequence[str] = ()
    """Where managed login returns after sign-in: https, or http on localhost; one or more with a domain."""
    logout_urls: Sequence[str] = ()
    """Where managed login returns after sign-out; same rules as callback_urls."""
    token_validity: TokenValidity = field(default_factory=TokenValidity)
    """Token lifetimes of the web client."""
    groups: Sequence[UserGroup] = ()
    """User groups to create."""
    identity_pool: bool = False
    """Create an identity pool so signed-in users can get (permissionless by default) AWS credentials."""
    guest_access: bool = False
    """Let the identity pool hand credentials to visitors who are not signed in; needs identity_pool."""


@dataclass(frozen=True, kw_only=True)
class AuthClientFacts:
    """Plain values a frontend configuration needs, known before deployment (ids arrive as Outputs)."""

    region: str
    username_attributes: tuple[str, ...]
    password_policy: PasswordPolicy
    first_auth_factors: tuple[str, ...]
    preferred_challenge: str | None
    passkeys: Passkeys | None
    mfa: str
    """OFF, OPTIONAL or REQUIRED as in AuthArgs (amplify_outputs spells OFF as NONE)."""
    mfa_methods: tuple[str, ...]
    """("TOTP",) when MFA is on: the only second factor the pool enables."""
    oauth_domain: str | None
    """Managed login host, or None when there is no hosted domain (then no OAuth at all)."""
    oauth_scopes: tuple[str, ...]
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    provider_names: tuple[str, ...]
    """Cognito names; social providers are named after their type (Google, Facebook, …)."""
    identity_pool: bool
    guest_access: bool
    groups: tuple[UserGroup, ...]

    @property
    def email_otp_enabled(self) -> bool:
        return "EMAIL_OTP" in self.first_auth_factors


def client_facts(args: AuthArgs) -> AuthClientFacts:
    """Facts derived from the same args as the resources, so the frontend config cannot drift from them."""
    oauth = args.hosted_domain is not None
    return AuthClientFacts(
        region=args.region,
        username_attributes=("email",),
        password_policy=args.password_policy,
        first_auth_factors=tuple(args.first_auth_factors),
        preferred_challenge=args.preferred_challenge,
        passkeys=args.passkeys,
        mfa=args.mfa,
        mfa_methods=("TOTP",) if args.mfa != "OFF" else (),
        oauth_domain=args.hosted_domain.host(args.region) if args.hosted_domain else None,
        oauth_scopes=OAUTH_SCOPES if oauth else (),
        callback_urls=tuple(args.callback_urls),
        logout_urls=tuple(args.logout_urls),
        provider_names=tuple(provider.provider_name for provider in args.identity_providers),
        identity_pool=args.identity_pool,
        guest_access=args.guest_access,
        groups=tuple(args.groups),
    )
