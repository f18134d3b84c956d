"""Federated sign-in for a Cognito user pool: one typed spec per kind of identity provider.

Cognito's ``provider_details`` is a free-form string map whose keys differ per provider type, and a
wrong key only fails at deploy time (or worse, silently does nothing). Each spec here knows its
type's keys, its attribute mapping and the keys AWS writes back on its own, so callers fill in typed
fields and mistakes are reported with the field's name before anything is declared.

Email mapping: the user pool requires ``email``, so every provider maps it. ``email_verified`` is
mapped only where the provider sends it (OIDC, Google, Apple); Facebook and Login with Amazon have
no such claim, so their users' email stays unverified in Cognito. SAML maps the standard email
claim URI; a SAML user's username is the assertion's NameID, so no username mapping is sent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, get_args
from urllib.parse import urlparse

import pulumi
import pulumi_aws as aws

SAML_EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
ATTRIBUTE_REQUEST_METHODS = ("GET", "POST")
# Cognito names these itself; an OIDC or SAML provider may not take them (compared case-insensitively).
RESERVED_PROVIDER_NAMES = ("Cognito", "Google", "Facebook", "LoginWithAmazon", "SignInWithApple")
# Claims of OIDC-style providers (OIDC, Google, Apple), which say whether the address was verified.
_VERIFIED_EMAIL_MAPPING = {"email": "email", "email_verified": "email_verified", "username": "sub"}
# Keys Cognito adds to provider_details when it describes a provider (endpoint discovery, defaults).
_OAUTH_ENDPOINT_KEYS = (
    "attributes_url",
    "attributes_url_add_attributes",
    "authorize_url",
    "token_request_method",
    "token_url",
)


_EMAIL_WHY = "the user pool requires email, so the provider must be allowed to release it"


def _fail(field: str, message: str) -> ValueError:
    return ValueError(f"{field}: {message}")


def _require_text(field: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _fail(field, "is required and must be a non-empty string")


def _require_https(field: str, url: str) -> None:
    _require_text(field, url)
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.hostname or parsed.fragment:
        raise _fail(field, f"{url!r} must be an https URL with a host and no #fragment")


def _require_scopes(field: str, scopes: Sequence[str], needed: Sequence[str], why: str) -> None:
    missing = [scope for scope in needed if scope not in scopes]
    if missing:
        raise _fail(field, f"{list(scopes)} must include {missing}: {why}")


def _require_secret(field: str, value: pulumi.Input[str]) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _fail(field, "is required (pass it as a secret, e.g. config.require_secret(...))")


def _is_space_or_underscore(character: str) -> bool:
    return character == "_" or unicodedata.category(character).startswith("Z")


def validate_provider_name(field: str, name: str) -> None:
    """Mirrors Cognito's ProviderNameTypeV2 (3–32 characters by its pattern, no spaces or underscores
    except an underscore in second place) so a bad name fails here, not at deploy time."""
    _require_text(field, name)
    if not 3 <= len(name) <= 32:
        raise _fail(field, f"{name!r} must be 3 to 32 characters long")
    visible = ("L", "M", "S", "N", "P")
    if (
        _is_space_or_underscore(name[0])
        or not unicodedata.category(name[1]).startswith(visible)
        or any(_is_space_or_underscore(character) for character in name[2:])
    ):
        raise _fail(
            field, f"{name!r} may contain letters, digits and punctuation but no spaces or underscores"
        )


def _validate_custom_name(field: str, name: str) -> None:
    """OIDC and SAML providers name themselves, but not with a name Cognito keeps for its own."""
    validate_provider_name(field, name)
    if name.lower() in (reserved.lower() for reserved in RESERVED_PROVIDER_NAMES):
        raise _fail(field, f"{name!r} is reserved by Cognito; choose another name")


@dataclass(frozen=True, kw_only=True)
class OidcProvider:
    """Any OpenID Connect provider (Okta, Entra ID, Auth0, Keycloak…), found by discovery."""

    name: str
    """Provider name on the hosted sign-in page; the frontend passes it as ``{custom: name}``."""
    issuer_url: str
    """https issuer; Cognito reads ``<issuer>/.well-known/openid-configuration`` from it."""
    client_id: str
    """Client id registered at the provider for this user pool."""
    client_secret: pulumi.Input[str]
    """Client secret; pass a secret Output so it stays encrypted in state."""
    scopes: Sequence[str] = ("openid", "email", "profile")
    """Scopes requested; must include openid (OIDC itself) and email (the pool requires email)."""
    attributes_request_method: str = "GET"
    """How Cognito calls the userinfo endpoint: GET or POST, whichever the provider supports."""

    provider_type: ClassVar[str] = "OIDC"
    attribute_mapping: ClassVar[dict[str, str]] = _VERIFIED_EMAIL_MAPPING
    aws_filled_keys: ClassVar[tuple[str, ...]] = (*_OAUTH_ENDPOINT_KEYS, "jwks_uri")

    @property
    def provider_name(self) -> str:
        return self.name

    def validate(self, field: str) -> None:
        _validate_custom_name(f"{field}.name", self.name)
        _require_https(f"{field}.issuer_url", self.issuer_url)
        _require_text(f"{field}.client_id", self.client_id)
        _require_secret(f"{field}.client_secret", self.client_secret)
        _require_scopes(
            f"{field}.scopes", self.scopes, ("openid", "email"), "openid makes it OIDC; " + _EMAIL_WHY
        )
        if self.attributes_request_method not in ATTRIBUTE_REQUEST_METHODS:
            raise _fail(
                f"{field}.attributes_request_method",
                f"{self.attributes_request_method!r} is not one of {', '.join(ATTRIBUTE_REQUEST_METHODS)}",
            )

    def details(self) -> dict[str, pulumi.Input[str]]:
        return {
            "client_id": self.client_id,
            "client_secret": pulumi.Output.secret(self.client_secret),
            "attributes_request_method": self.attributes_request_method,
            "oidc_issuer": self.issuer_url,
            "authorize_scopes": " ".join(self.scopes),
        }


@dataclass(frozen=True, kw_only=True)
class _SocialProvider:
    """Shared shape of the OAuth social providers, whose provider name must equal their type."""

    client_id: str
    """App or client id issued by the provider's developer console."""
    client_secret: pulumi.Input[str]
    """App secret; pass a secret Output so it stays encrypted in state."""
    scopes: Sequence[str] = ()
    """Scopes requested from the provider (each provider below sets its own default)."""

    provider_type: ClassVar[str]
    attribute_mapping: ClassVar[dict[str, str]]
    aws_filled_keys: ClassVar[tuple[str, ...]] = _OAUTH_ENDPOINT_KEYS
    email_scopes: ClassVar[tuple[str, ...]]

    @property
    def provider_name(self) -> str:
        return self.provider_type

    def validate(self, field: str) -> None:
        _require_text(f"{field}.client_id", self.client_id)
        _require_secret(f"{field}.client_secret", self.client_secret)
        _require_scopes(f"{field}.scopes", self.scopes, self.email_scopes, _EMAIL_WHY)

    def details(self) -> dict[str, pulumi.Input[str]]:
        return {
            "client_id": self.client_id,
            "client_secret": pulumi.Output.secret(self.client_secret),
            "authorize_scopes": " ".join(self.scopes),
        }


@dataclass(frozen=True, kw_only=True)
class GoogleProvider(_SocialProvider):
    """Sign in with Google."""

    scopes: Sequence[str] = ("openid", "email", "profile")
    """Google OAuth scopes; email is needed for the pool's required email attribute."""

    provider_type: ClassVar[str] = "Google"
    attribute_mapping: ClassVar[dict[str, str]] = _VERIFIED_EMAIL_MAPPING
    aws_filled_keys: ClassVar[tuple[str, ...]] = (*_OAUTH_ENDPOINT_KEYS, "oidc_issuer")
    email_scopes: ClassVar[tuple[str, ...]] = ("email",)


@dataclass(frozen=True, kw_only=True)
class FacebookProvider(_SocialProvider):
    """Sign in with Facebook (no email_verified claim: such emails stay unverified)."""

    scopes: Sequence[str] = ("public_profile", "email")
    """Facebook permissions; email is needed for the pool's required email attribute."""
    api_version: str = "v17.0"
    """Graph API version Cognito calls, e.g. v17.0."""

    provider_type: ClassVar[str] = "Facebook"
    attribute_mapping: ClassVar[dict[str, str]] = {"email": "email", "username": "id"}
    email_scopes: ClassVar[tuple[str, ...]] = ("email",)

    def validate(self, field: str) -> None:
        super().validate(field)
        if not re.fullmatch(r"v\d+\.\d+", self.api_version):
            raise _fail(f"{field}.api_version", f"{self.api_version!r} must look like v17.0")

    def details(self) -> dict[str, pulumi.Input[str]]:
        # Facebook expects comma-separated permissions, unlike the space-separated OAuth scopes.
        return {
            **super().details(),
            "authorize_scopes": ",".join(self.scopes),
            "api_version": self.api_version,
        }


@dataclass(frozen=True, kw_only=True)
class AmazonProvider(_SocialProvider):
    """Login with Amazon (no email_verified claim: such emails stay unverified)."""

    scopes: Sequence[str] = ("profile",)
    """Login with Amazon scopes; ``profile`` is the one that releases the email address."""

    provider_type: ClassVar[str] = "LoginWithAmazon"
    attribute_mapping: ClassVar[dict[str, str]] = {"email": "email", "username": "user_id"}
    email_scopes: ClassVar[tuple[str, ...]] = ("profile",)


@dataclass(frozen=True, kw_only=True)
class AppleProvider:
    """Sign in with Apple, authenticated by a private key instead of a client secret."""

    services_id: str
    """Apple Services ID, which Cognito uses as the OAuth client id."""
    team_id: str
    """Apple developer team id (10 characters)."""
    key_id: str
    """Id of the Sign in with Apple private key (10 characters)."""
    private_key: pulumi.Input[str]
    """The .p8 private key contents; pass a secret Output."""
    scopes: Sequence[str] = ("email", "name")
    """Apple scopes; email is needed for the pool's required email attribute."""

    provider_type: ClassVar[str] = "SignInWithApple"
    attribute_mapping: ClassVar[dict[str, str]] = _VERIFIED_EMAIL_MAPPING
    # Apple's private_key is write-only: AWS never returns it, so without ignoring it every preview
    # would show an update. The cost: a rotated key is applied only when the provider is replaced.
    aws_filled_keys: ClassVar[tuple[str, ...]] = (
        "authorize_url",
        "token_url",
        "oidc_issuer",
        "token_request_method",
        "attributes_url_add_attributes",
        "private_key",
    )

    @property
    def provider_name(self) -> str:
        return self.provider_type

    def validate(self, field: str) -> None:
        _require_text(f"{field}.services_id", self.services_id)
        for key in ("team_id", "key_id"):
            value = getattr(self, key)
            if not isinstance(value, str) or not re.fullmatch(r"[A-Z0-9]{10}", value):
                raise _fail(f"{field}.{key}", f"{value!r} must be Apple's 10-character id (A-Z, 0-9)")
        _require_secret(f"{field}.private_key", self.private_key)
        _require_scopes(f"{field}.scopes", self.scopes, ("email",), _EMAIL_WHY)

    def details(self) -> dict[str, pulumi.Input[str]]:
        return {
            "client_id": self.services_id,
            "team_id": self.team_id,
            "key_id": self.key_id,
            "private_key": pulumi.Output.secret(self.private_key),
            "authorize_scopes": " ".join(self.scopes),
        }


@dataclass(frozen=True, kw_only=True)
class SamlProvider:
    """A SAML 2.0 identity provider, from its metadata URL or its metadata document."""

    name: str
    """Provider name on the hosted sign-in page; the frontend passes it as ``{custom: name}``."""
    metadata_url: str | None = None
    """https URL Cognito fetches the IdP metadata from (preferred: certificates rotate by themselves)."""
    metadata_file: pulumi.Input[str] | None = None
    """The metadata XML itself, when the IdP publishes no URL. Exactly one of the two is required."""
    sign_out: bool = False
    """Also sign the user out of the IdP (SAML single logout) when they sign out of the app."""

    provider_type: ClassVar[str] = "SAML"
    attribute_mapping: ClassVar[dict[str, str]] = {"email": SAML_EMAIL_CLAIM}

    @property
    def provider_name(self) -> str:
        return self.name

    @property
    def aws_filled_keys(self) -> tuple[str, ...]:
        derived = ("ActiveEncryptionCertificate", "SSORedirectBindingURI", "SLORedirectBindingURI")
        # With a URL, Cognito downloads the document and stores it as MetadataFile as well.
        return (*derived, "MetadataFile") if self.metadata_url else derived

    def validate(self, field: str) -> None:
        _validate_custom_name(f"{field}.name", self.name)
        if (self.metadata_url is None) == (self.metadata_file is None):
            raise _fail(f"{field}.metadata_url", "set exactly one of metadata_url and metadata_file")
        if self.metadata_url is not None:
            _require_https(f"{field}.metadata_url", self.metadata_url)
        elif isinstance(self.metadata_file, str) and "EntityDescriptor" not in self.metadata_file:
            raise _fail(f"{field}.metadata_file", "is not SAML metadata (no EntityDescriptor element)")

    def details(self) -> dict[str, pulumi.Input[str]]:
        source = (
            {"MetadataURL": self.metadata_url}
            if self.metadata_url is not None
            else {"MetadataFile": self.metadata_file}
        )
        return {**source, "IDPSignout": "true" if self.sign_out else "false"}


FederatedProvider = (
    OidcProvider | GoogleProvider | FacebookProvider | AmazonProvider | AppleProvider | SamlProvider
)


def validate_providers(field: str, providers: Sequence[FederatedProvider]) -> None:
    """Checks each provider and that names are unique (Cognito compares them case-insensitively)."""
    seen: dict[str, int] = {}
    for index, provider in enumerate(providers):
        where = f"{field}[{index}]"
        if not isinstance(provider, FederatedProvider):
            kinds = ", ".join(kind.__name__ for kind in get_args(FederatedProvider))
            raise _fail(where, f"{type(provider).__name__} is not one of {kinds}")
        provider.validate(where)
        key = provider.provider_name.lower()
        if key in seen:
            raise _fail(
                where,
                f"provider name {provider.provider_name!r} is already used by {field}[{seen[key]}]",
            )
        seen[key] = index


def ignore_changes_for(provider: FederatedProvider) -> list[str]:
    """Property paths of keys AWS fills in by itself, so they do not show as a diff on every preview.

    Pulumi property paths address map keys as ``providerDetails["key"]``. The top-level name must be
    the engine's camelCase one: the Python SDK translates only whole property names, not paths.
    """
    return [f'providerDetails["{key}"]' for key in provider.aws_filled_keys]


def declare_identity_providers(
    name: str,
    user_pool_id: pulumi.Input[str],
    providers: Sequence[FederatedProvider],
    parent: pulumi.Resource,
) -> list[aws.cognito.IdentityProvider]:
    """One ``aws.cognito.IdentityProvider`` per spec, named ``<name>-idp-<provider name>``."""
    return [
        aws.cognito.IdentityProvider(
            f"{name}-idp-{provider.provider_name}",
            user_pool_id=user_pool_id,
            provider_name=provider.provider_name,
            provider_type=provider.provider_type,
            provider_details=provider.details(),
            attribute_mapping=dict(provider.attribute_mapping),
            opts=pulumi.ResourceOptions(parent=parent, ignore_changes=ignore_changes_for(provider)),
        )
        for provider in providers
    ]
