"""Which AuthArgs combinations Cognito accepts, checked before the Auth component declares anything.

Most rules exist because Cognito would otherwise fail halfway through a deployment (LITE tier with
passkeys, EMAIL_OTP without SES, a us-west-2 certificate on a custom domain) or, worse, accept a pool
nobody can sign in to (a passkey as the only first factor). Each error names the field.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from components.auth_args import (
    FIRST_AUTH_FACTORS,
    MFA_MODES,
    PASSWORDLESS_FACTORS,
    USER_POOL_TIERS,
    USER_VERIFICATION_CHOICES,
    AuthArgs,
    HostedDomain,
    SesEmailSender,
)
from components.identity_providers import validate_providers

# Cognito accepts plain http only for loopback callbacks (local development).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
DOMAIN_PREFIX_FORBIDDEN_WORDS = ("aws", "amazon", "cognito")
_HOSTNAME = re.compile(
    r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
)


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
        return f"{prefix!r} must be 1–63 lowercase letters, digits or hyphens, not starting or ending with a hyphen"
    reserved = [word for word in DOMAIN_PREFIX_FORBIDDEN_WORDS if word in prefix]
    if reserved:
        return f"{prefix!r} must not contain {reserved} (reserved by AWS)"
    return None


def _fail(field_name: str, message: str) -> ValueError:
    return ValueError(f"AuthArgs.{field_name}: {message}")


def _require_range(field_name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(field_name, f"{value!r} must be a whole number from {low} to {high}")


def _arn_parts(field_name: str, arn: str, service: str, resource_prefix: str) -> list[str]:
    parts = arn.split(":", 5)
    if (
        len(parts) != 6
        or parts[0] != "arn"
        or parts[2] != service
        or not parts[5].startswith(resource_prefix)
    ):
        raise _fail(
            field_name, f"{arn!r} is not an ARN like arn:aws:{service}:<region>:<account>:{resource_prefix}…"
        )
    return parts


def _validate_sign_in(args: AuthArgs) -> None:
    factors = list(args.first_auth_factors)
    unknown = [factor for factor in factors if factor not in FIRST_AUTH_FACTORS]
    if not factors or unknown or len(set(factors)) != len(factors):
        raise _fail(
            "first_auth_factors", f"{factors} must be distinct values from {list(FIRST_AUTH_FACTORS)}"
        )
    if factors == ["WEB_AUTHN"]:
        raise _fail(
            "first_auth_factors",
            "WEB_AUTHN alone locks users out: a passkey is registered by a "
            "user who is already signed in, so add PASSWORD or EMAIL_OTP",
        )
    if ("WEB_AUTHN" in factors) != (args.passkeys is not None):
        raise _fail("passkeys", "must be set exactly when first_auth_factors includes WEB_AUTHN")
    if args.passkeys is not None:
        if (
            not _HOSTNAME.fullmatch(args.passkeys.relying_party_id)
            or len(args.passkeys.relying_party_id) > 127
        ):
            raise _fail(
                "passkeys.relying_party_id",
                f"{args.passkeys.relying_party_id!r} must be a lowercase "
                "host name such as app.example.com or localhost (no scheme, port or path)",
            )
        if args.passkeys.user_verification not in USER_VERIFICATION_CHOICES:
            raise _fail("passkeys.user_verification", f"must be one of {list(USER_VERIFICATION_CHOICES)}")
    if "EMAIL_OTP" in factors and args.email_sender is None:
        raise _fail(
            "email_sender",
            "is required when first_auth_factors includes EMAIL_OTP: Cognito sends "
            "one-time codes only through SES (set source_arn and from_email_address)",
        )
    if args.preferred_challenge is not None and args.preferred_challenge not in factors:
        raise _fail(
            "preferred_challenge", f"{args.preferred_challenge!r} is not one of first_auth_factors {factors}"
        )
    if args.mfa not in MFA_MODES:
        raise _fail("mfa", f"{args.mfa!r} is not one of {list(MFA_MODES)}")
    passwordless = [factor for factor in factors if factor in PASSWORDLESS_FACTORS]
    if args.mfa == "REQUIRED" and passwordless:
        raise _fail(
            "mfa",
            f"REQUIRED cannot be combined with passwordless factors {passwordless}: Cognito "
            "does not offer passwordless sign-in to users who have MFA",
        )
    if args.user_pool_tier not in USER_POOL_TIERS:
        raise _fail("user_pool_tier", f"{args.user_pool_tier!r} is not one of {list(USER_POOL_TIERS)}")
    if args.user_pool_tier == "LITE" and (passwordless or args.hosted_domain is not None):
        raise _fail(
            "user_pool_tier",
            "LITE does not support passwordless factors, passkeys or managed login "
            "(hosted_domain); use ESSENTIALS or PLUS",
        )


def _validate_email_sender(sender: SesEmailSender | None) -> None:
    if sender is None:
        return
    if isinstance(sender.source_arn, str):
        _arn_parts("email_sender.source_arn", sender.source_arn, "ses", "identity/")
    if "@" not in sender.from_email_address:
        raise _fail("email_sender.from_email_address", f"{sender.from_email_address!r} has no email address")


def _validate_password_and_tokens(args: AuthArgs) -> None:
    _require_range("password_policy.minimum_length", args.password_policy.minimum_length, 8, 99)
    _require_range(
        "password_policy.temporary_password_validity_days",
        args.password_policy.temporary_password_validity_days,
        1,
        365,
    )
    _require_range("token_validity.access_token_minutes", args.token_validity.access_token_minutes, 5, 1440)
    _require_range("token_validity.id_token_minutes", args.token_validity.id_token_minutes, 5, 1440)
    _require_range("token_validity.refresh_token_days", args.token_validity.refresh_token_days, 1, 3650)


def _validate_domain(domain: HostedDomain) -> None:
    if (domain.prefix is None) == (domain.custom_domain is None):
        raise _fail("hosted_domain", "set exactly one of prefix and custom_domain")
    if domain.prefix is not None:
        if problem := domain_prefix_problem(domain.prefix):
            raise _fail("hosted_domain.prefix", problem)
        if domain.certificate_arn is not None:
            raise _fail("hosted_domain.certificate_arn", "only applies to custom_domain")
        return
    if not _HOSTNAME.fullmatch(domain.custom_domain or "") or "." not in (domain.custom_domain or ""):
        raise _fail("hosted_domain.custom_domain", f"{domain.custom_domain!r} must be a lowercase FQDN")
    if domain.certificate_arn is None:
        raise _fail("hosted_domain.certificate_arn", "is required with custom_domain")
    region = _arn_parts("hosted_domain.certificate_arn", domain.certificate_arn, "acm", "certificate/")[3]
    if region != "us-east-1":
        raise _fail(
            "hosted_domain.certificate_arn",
            f"is in {region!r}; Cognito custom domains need a us-east-1 certificate (served by CloudFront)",
        )


def _validate_redirects(args: AuthArgs) -> None:
    for field_name in ("callback_urls", "logout_urls"):
        urls = list(getattr(args, field_name))
        if args.hosted_domain is None and urls:
            raise _fail(
                field_name, "only managed login uses redirect URLs; set hosted_domain or leave it empty"
            )
        if args.hosted_domain is not None and not urls:
            raise _fail(field_name, "needs at least one URL when hosted_domain is set")
        for index, url in enumerate(urls):
            if problem := redirect_url_problem(url):
                raise _fail(f"{field_name}[{index}]", problem)
    if args.identity_providers and args.hosted_domain is None:
        raise _fail("identity_providers", "federated sign-in goes through managed login; set hosted_domain")


def _validate_groups_and_identity(args: AuthArgs) -> None:
    seen: set[str] = set()
    for index, group in enumerate(args.groups):
        if not 1 <= len(group.name) <= 128 or any(character.isspace() for character in group.name):
            raise _fail(f"groups[{index}].name", f"{group.name!r} must be 1–128 characters without spaces")
        if group.name in seen:
            raise _fail(f"groups[{index}].name", f"{group.name!r} is listed twice")
        seen.add(group.name)
        _require_range(f"groups[{index}].precedence", group.precedence, 0, 2**31 - 1)
    if args.guest_access and not args.identity_pool:
        raise _fail(
            "guest_access", "needs identity_pool=True (guests get credentials from the identity pool)"
        )


def validate_auth_args(args: AuthArgs) -> None:
    """Raises ValueError naming the first offending field; declares nothing."""
    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", args.region):
        raise _fail("region", f"{args.region!r} is not an AWS region name such as us-east-1")
    _validate_sign_in(args)
    _validate_email_sender(args.email_sender)
    _validate_password_and_tokens(args)
    if args.hosted_domain is not None:
        _validate_domain(args.hosted_domain)
    validate_providers("AuthArgs.identity_providers", args.identity_providers)
    _validate_redirects(args)
    _validate_groups_and_identity(args)
