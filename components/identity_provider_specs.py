"""Federated sign-in for a Cognito user pool: one typed spec per kind of identity provider.

Cognito's ``provider_details`` is a free-form string map whose keys differ per provider type, and a
wrong key only fails at deploy time (or worse, silently does nothing). Each spec here knows its
type's keys, its attribute mapping and the keys AWS writes back on its own, so callers fill in typed
fields and mistakes are reported with the field's name before anything is declared.

Email mapping: the user pool requires ``email``, so every provider maps it. ``email_verified`` is
mapped only where the provider sends it (OIDC, Google, Apple); Facebook and Login with Amazon have
no such claim, so their users' email stays unverified in Cognito. SAML maps the standard email
claim URI; a SAML user's username is the assertion's NameID, so no username mapping is sent.

The specs are plain data; ``components.identity_providers`` turns a list of them into resources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import pulumi

from components.identity_provider_rules import (
    field_error,
    require_https,
    require_scopes,
    require_secret,
    require_text,
    validate_custom_name,
)

SAML_EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
ATTRIBUTE_REQUEST_METHODS = ("GET", "POST")
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
        validate_custom_name(f"{field}.name", self.name)
        require_https(f"{field}.issuer_url", self.issuer_url)
        require_text(f"{field}.client_id", self.client_id)
        require_secret(f"{field}.client_secret", self.client_secret)
        require_scopes(
            f"{field}.scopes", self.scopes, ("openid", "email"), "openid makes it OIDC; " + _EMAIL_WHY
        )
        if self.attributes_request_method not in ATTRIBUTE_REQUEST_METHODS:
            raise field_error(
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
        require_text(f"{field}.client_id", self.client_id)
        require_secret(f"{field}.client_secret", self.client_secret)
        require_scopes(f"{field}.scopes", self.scopes, self.email_scopes, _EMAIL_WHY)

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
            raise field_error(f"{field}.api_version", f"{self.api_version!r} must look like v17.0")

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
        require_text(f"{field}.services_id", self.services_id)
        for key in ("team_id", "key_id"):
            value = getattr(self, key)
            if not isinstance(value, str) or not re.fullmatch(r"[A-Z0-9]{10}", value):
                raise field_error(f"{field}.{key}", f"{value!r} must be Apple's 10-character id (A-Z, 0-9)")
        require_secret(f"{field}.private_key", self.private_key)
        require_scopes(f"{field}.scopes", self.scopes, ("email",), _EMAIL_WHY)

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
        validate_custom_name(f"{field}.name", self.name)
        if (self.metadata_url is None) == (self.metadata_file is None):
            raise field_error(f"{field}.metadata_url", "set exactly one of metadata_url and metadata_file")
        if self.metadata_url is not None:
            require_https(f"{field}.metadata_url", self.metadata_url)
        elif isinstance(self.metadata_file, str) and "EntityDescriptor" not in self.metadata_file:
            raise field_error(f"{field}.metadata_file", "is not SAML metadata (no EntityDescriptor element)")

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
