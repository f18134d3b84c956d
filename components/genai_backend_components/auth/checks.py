"""Which AuthArgs Cognito accepts, checked before the Auth component declares anything.

Most rules exist because Cognito would otherwise fail halfway through a deployment (LITE tier with
passkeys, EMAIL_OTP without SES, a us-west-2 certificate on a custom domain) or, worse, accept a pool
nobody can sign in to (a passkey as the only first factor).
"""

import re
from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlparse

from pydantic import AfterValidator, StrictBool, StrictStr

from ..constraints import AwsRegion, HostName, Text, arn_of, whole_number_in
from ..validation import ArgsModel, Deferred, Problem, nested_problems
from .args import FirstAuthFactor, MfaMode, UserPoolTier, UserVerification
from .identity_providers import (
    AmazonProviderModel,
    AppleProviderModel,
    FacebookProviderModel,
    GoogleProviderModel,
    OidcProviderModel,
    SamlProviderModel,
)

OAUTH_SCOPES = ("openid", "email", "profile", "aws.cognito.signin.user.admin")
PASSWORDLESS_FACTORS = (FirstAuthFactor.EMAIL_OTP, FirstAuthFactor.WEB_AUTHN)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
"""Cognito accepts plain http only for loopback callbacks (local development)."""
DOMAIN_PREFIX_FORBIDDEN_WORDS = ("aws", "amazon", "cognito")


def redirect_url_problem(url: str) -> str | None:
    """Why Cognito would refuse (or we should not offer) an OAuth redirect URL; None when it is fine.

    http is allowed only for loopback hosts: anything else would carry authorization codes in clear text.
    """
    parsed = urlparse(url)
    secure = parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in LOOPBACK_HOSTS)
    if not secure or not parsed.hostname or parsed.fragment:
        return f"{url!r} must be https (http only for localhost) with a host and no #fragment"
    return None


def domain_prefix_problem(prefix: str) -> str | None:
    """Why Cognito would refuse a hosted-domain prefix; None when it is fine."""
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", prefix):
        return f"{prefix!r} must be 1 to 63 lowercase letters, digits or hyphens, not starting or ending with a hyphen"
    reserved = [word for word in DOMAIN_PREFIX_FORBIDDEN_WORDS if word in prefix]
    if reserved:
        return f"{prefix!r} must not contain {reserved} (reserved by AWS)"
    return None


def _checked(problem: Callable[[str], str | None]) -> AfterValidator:
    def validate(value: str) -> str:
        message = problem(value)
        if message:
            raise ValueError(message)
        return value

    return AfterValidator(validate)


def _email_address(value: str) -> str:
    address = value.rsplit("<", 1)[-1].rstrip(">").strip()
    local, at, domain = address.partition("@")
    if not at or not local or "." not in domain or " " in address:
        raise ValueError(
            f"{value!r} is not an email address like no-reply@example.com or 'App <no-reply@example.com>'"
        )
    return value


RedirectUrl = Annotated[StrictStr, _checked(redirect_url_problem)]
DomainPrefix = Annotated[StrictStr, _checked(domain_prefix_problem)]
EmailAddress = Annotated[StrictStr, AfterValidator(_email_address)]


class PasswordPolicyModel(ArgsModel):
    minimum_length: whole_number_in(8, 99) = 12
    require_lowercase: StrictBool = True
    require_uppercase: StrictBool = True
    require_numbers: StrictBool = True
    require_symbols: StrictBool = True
    temporary_password_validity_days: whole_number_in(1, 365) = 3


class PasskeysModel(ArgsModel):
    relying_party_id: Annotated[HostName, AfterValidator(lambda value: _at_most(value, 127))]
    user_verification: UserVerification = UserVerification.PREFERRED


def _at_most(value: str, length: int) -> str:
    if len(value) > length:
        raise ValueError(f"must be at most {length} characters")
    return value


class SesEmailSenderModel(ArgsModel):
    source_arn: Deferred[arn_of("ses", "identity/")]
    from_email_address: EmailAddress
    reply_to_email_address: EmailAddress | None = None
    configuration_set: Text | None = None


class HostedDomainModel(ArgsModel):
    prefix: DomainPrefix | None = None
    custom_domain: HostName | None = None
    certificate_arn: arn_of("acm", "certificate/") | None = None

    def host(self, region: str) -> str:
        """The host users see in their browser during sign-in."""
        return self.custom_domain or f"{self.prefix}.auth.{region}.amazoncognito.com"

    def cross_problems(self) -> list[Problem]:
        if (self.prefix is None) == (self.custom_domain is None):
            return [Problem("prefix", "set exactly one of prefix and custom_domain")]
        if self.prefix is not None:
            return (
                [Problem("certificate_arn", "only applies to custom_domain")] if self.certificate_arn else []
            )
        if "." not in (self.custom_domain or ""):
            return [Problem("custom_domain", f"{self.custom_domain!r} must be a fully qualified domain")]
        if self.certificate_arn is None:
            return [Problem("certificate_arn", "is required with custom_domain")]
        region = self.certificate_arn.split(":")[3]
        if region != "us-east-1":
            return [
                Problem(
                    "certificate_arn",
                    f"is in {region!r}; Cognito custom domains need a us-east-1 certificate (served by CloudFront)",
                )
            ]
        return []


class TokenValidityModel(ArgsModel):
    access_token_minutes: whole_number_in(5, 1440) = 60
    id_token_minutes: whole_number_in(5, 1440) = 60
    refresh_token_days: whole_number_in(1, 3650) = 30


def _group_name(value: str) -> str:
    if not 1 <= len(value) <= 128 or any(character.isspace() for character in value):
        raise ValueError(f"{value!r} must be 1 to 128 characters without spaces")
    return value


class UserGroupModel(ArgsModel):
    name: Annotated[StrictStr, AfterValidator(_group_name)]
    precedence: whole_number_in(0, 2**31 - 1) = 0
    description: StrictStr = ""


def _first_factors(factors: tuple[FirstAuthFactor, ...]) -> tuple[FirstAuthFactor, ...]:
    if len(set(factors)) != len(factors):
        raise ValueError("must list each factor once")
    if FirstAuthFactor.PASSWORD not in factors:
        raise ValueError(
            "must include PASSWORD: Cognito keeps password sign-in as a first factor (AWS CDK's "
            "AllowedFirstAuthFactors documents password 'must be true'), and a passkey is registered by a user "
            "who is already signed in"
        )
    return factors


class AuthModel(ArgsModel):
    region: AwsRegion
    protect_data: StrictBool
    first_auth_factors: Annotated[tuple[FirstAuthFactor, ...], AfterValidator(_first_factors)] = (
        FirstAuthFactor.PASSWORD,
    )
    preferred_challenge: FirstAuthFactor | None = None
    passkeys: PasskeysModel | None = None
    email_sender: SesEmailSenderModel | None = None
    password_policy: PasswordPolicyModel = PasswordPolicyModel()
    mfa: MfaMode = MfaMode.OFF
    user_pool_tier: UserPoolTier = UserPoolTier.ESSENTIALS
    allow_self_sign_up: StrictBool = False
    oidc_providers: tuple[OidcProviderModel, ...] = ()
    saml_providers: tuple[SamlProviderModel, ...] = ()
    google: GoogleProviderModel | None = None
    facebook: FacebookProviderModel | None = None
    amazon: AmazonProviderModel | None = None
    apple: AppleProviderModel | None = None
    hosted_domain: HostedDomainModel | None = None
    callback_urls: tuple[RedirectUrl, ...] = ()
    logout_urls: tuple[RedirectUrl, ...] = ()
    token_validity: TokenValidityModel = TokenValidityModel()
    groups: tuple[UserGroupModel, ...] = ()
    identity_pool: StrictBool = False
    guest_access: StrictBool = False
    tags: Deferred[dict[StrictStr, Deferred[StrictStr]]] | None = None

    @property
    def identity_providers(self) -> list:
        """Every federated provider in declaration order: OIDC, SAML, Google, Facebook, Amazon, Apple."""
        singles = [self.google, self.facebook, self.amazon, self.apple]
        return [*self.oidc_providers, *self.saml_providers, *(provider for provider in singles if provider)]

    @property
    def managed_login_host(self) -> str | None:
        return self.hosted_domain.host(self.region) if self.hosted_domain else None

    def cross_problems(self) -> list[Problem]:
        problems = (
            nested_problems("hosted_domain", self.hosted_domain)
            + nested_problems("oidc_providers", self.oidc_providers)
            + nested_problems("saml_providers", self.saml_providers)
        )
        for field in ("google", "facebook", "amazon", "apple"):
            problems += nested_problems(field, getattr(self, field))
        return problems + self._sign_in_problems() + self._federation_problems() + self._group_problems()

    def _sign_in_problems(self) -> list[Problem]:
        factors = list(self.first_auth_factors)
        problems = []
        if (FirstAuthFactor.WEB_AUTHN in factors) != (self.passkeys is not None):
            problems.append(
                Problem("passkeys", "must be set exactly when first_auth_factors includes WEB_AUTHN")
            )
        if FirstAuthFactor.EMAIL_OTP in factors and self.email_sender is None:
            problems.append(
                Problem(
                    "email_sender",
                    "is required when first_auth_factors includes EMAIL_OTP: Cognito sends one-time codes only "
                    "through SES (set source_arn and from_email_address)",
                )
            )
        if self.preferred_challenge is not None and self.preferred_challenge not in factors:
            allowed = ", ".join(factor.value for factor in factors)
            problems.append(
                Problem("preferred_challenge", f"{self.preferred_challenge.value!r} is not one of {allowed}")
            )
        passwordless = [factor.value for factor in factors if factor in PASSWORDLESS_FACTORS]
        if self.mfa is MfaMode.REQUIRED and passwordless:
            problems.append(
                Problem(
                    "mfa",
                    f"REQUIRED cannot be combined with passwordless factors {passwordless}: Cognito does not "
                    "offer passwordless sign-in to users who have MFA",
                )
            )
        if self.user_pool_tier is UserPoolTier.LITE and (passwordless or self.hosted_domain is not None):
            problems.append(
                Problem(
                    "user_pool_tier",
                    "LITE does not support passwordless factors, passkeys or managed login (hosted_domain); "
                    "use ESSENTIALS or PLUS",
                )
            )
        return problems

    def _federation_problems(self) -> list[Problem]:
        problems = []
        for field in ("callback_urls", "logout_urls"):
            urls = getattr(self, field)
            if self.hosted_domain is None and urls:
                problems.append(
                    Problem(
                        field, "only managed login uses redirect URLs; set hosted_domain or leave it empty"
                    )
                )
            if self.hosted_domain is not None and not urls:
                problems.append(Problem(field, "needs at least one URL when hosted_domain is set"))
        providers = self.identity_providers
        if providers and self.hosted_domain is None:
            problems.append(
                Problem("hosted_domain", "federated sign-in goes through managed login; set hosted_domain")
            )
        seen: set[str] = set()
        for position, provider in enumerate(self.oidc_providers):
            if provider.name.lower() in seen:
                problems.append(
                    Problem(
                        f"oidc_providers[{position}].name", f"{provider.name!r} is used by another provider"
                    )
                )
            seen.add(provider.name.lower())
        for position, provider in enumerate(self.saml_providers):
            if provider.name.lower() in seen:
                problems.append(
                    Problem(
                        f"saml_providers[{position}].name", f"{provider.name!r} is used by another provider"
                    )
                )
            seen.add(provider.name.lower())
        return problems

    def _group_problems(self) -> list[Problem]:
        names = [group.name for group in self.groups]
        problems = [
            Problem(f"groups[{position}].name", f"{name!r} is listed twice")
            for position, name in enumerate(names)
            if names.index(name) != position
        ]
        if self.guest_access and not self.identity_pool:
            problems.append(
                Problem("guest_access", "needs identity_pool (guests get credentials from the identity pool)")
            )
        return problems
