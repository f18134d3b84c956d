"""The plain facts a frontend configuration needs from Auth, known before deployment.

Derived from the same checked args as the resources, so the client config (amplify_outputs.json) cannot
drift from what is deployed; only ids wait for the cloud.
"""

from dataclasses import dataclass

from .checks import OAUTH_SCOPES, AuthModel


@dataclass(frozen=True, kw_only=True)
class PasswordRules:
    minimum_length: int
    require_lowercase: bool
    require_uppercase: bool
    require_numbers: bool
    require_symbols: bool


@dataclass(frozen=True, kw_only=True)
class PasskeySettings:
    relying_party_id: str
    user_verification: str


@dataclass(frozen=True, kw_only=True)
class GroupFact:
    name: str
    precedence: int


@dataclass(frozen=True, kw_only=True)
class AuthClientFacts:
    """Plain values a frontend configuration needs (ids arrive later as Outputs)."""

    region: str
    username_attributes: tuple[str, ...]
    password_policy: PasswordRules
    first_auth_factors: tuple[str, ...]
    preferred_challenge: str | None
    passkeys: PasskeySettings | None
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
    """Cognito names; social providers are named after their type (Google, Facebook, ...)."""
    identity_pool: bool
    guest_access: bool
    groups: tuple[GroupFact, ...]

    @property
    def email_otp_enabled(self) -> bool:
        return "EMAIL_OTP" in self.first_auth_factors


def client_facts(spec: AuthModel) -> AuthClientFacts:
    """The facts of checked Auth args."""
    policy = spec.password_policy
    return AuthClientFacts(
        region=spec.region,
        username_attributes=("email",),
        password_policy=PasswordRules(
            minimum_length=policy.minimum_length,
            require_lowercase=policy.require_lowercase,
            require_uppercase=policy.require_uppercase,
            require_numbers=policy.require_numbers,
            require_symbols=policy.require_symbols,
        ),
        first_auth_factors=tuple(factor.value for factor in spec.first_auth_factors),
        preferred_challenge=spec.preferred_challenge.value if spec.preferred_challenge else None,
        passkeys=(
            PasskeySettings(
                relying_party_id=spec.passkeys.relying_party_id,
                user_verification=spec.passkeys.user_verification.value,
            )
            if spec.passkeys
            else None
        ),
        mfa=spec.mfa.value,
        mfa_methods=("TOTP",) if spec.mfa.value != "OFF" else (),
        oauth_domain=spec.managed_login_host,
        oauth_scopes=OAUTH_SCOPES if spec.hosted_domain else (),
        callback_urls=tuple(spec.callback_urls),
        logout_urls=tuple(spec.logout_urls),
        provider_names=tuple(provider.provider_name for provider in spec.identity_providers),
        identity_pool=spec.identity_pool,
        guest_access=spec.guest_access,
        groups=tuple(GroupFact(name=group.name, precedence=group.precedence) for group in spec.groups),
    )
