"""Federated sign-in: one checking model per kind of identity provider, and their declaration.

Cognito's ``provider_details`` is a free-form string map whose keys differ per provider type, and a wrong
key only fails at deploy time (or silently does nothing). Each model here knows its type's keys, its
attribute mapping and the keys AWS writes back on its own, so mistakes are reported with the arg's name
before anything is declared.

Email mapping: the user pool requires ``email``, so every provider maps it. ``email_verified`` is mapped
only where the provider sends it (OIDC, Google, Apple); Facebook and Login with Amazon have no such claim,
so their users' email stays unverified in Cognito. SAML maps the standard email claim URI.
"""

import re
import unicodedata
from collections.abc import Sequence
from typing import Annotated, ClassVar

import pulumi
import pulumi_aws as aws
from pydantic import AfterValidator, StrictBool, StrictStr

from ..constraints import HttpsUrl, Text
from ..validation import ArgsModel, Deferred, Problem
from .args import AttributesRequestMethod

SAML_EMAIL_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
RESERVED_PROVIDER_NAMES = ("Cognito", "Google", "Facebook", "LoginWithAmazon", "SignInWithApple")
"""Cognito names these itself; an OIDC or SAML provider may not take them (compared case-insensitively)."""
_VERIFIED_EMAIL_MAPPING = {"email": "email", "email_verified": "email_verified", "username": "sub"}
_OAUTH_ENDPOINT_KEYS = ("attributes_url", "attributes_url_add_attributes", "authorize_url", "token_request_method",
                        "token_url")  # fmt: skip
"""Keys Cognito adds to provider_details when it describes a provider (endpoint discovery, defaults)."""
_EMAIL_WHY = "the user pool requires email, so the provider must be allowed to release it"


def _is_space_or_underscore(character: str) -> bool:
    return character == "_" or unicodedata.category(character).startswith("Z")


def _provider_name(name: str) -> str:
    """Cognito's ProviderNameTypeV2: 3 to 32 characters (its pattern needs three), no spaces or underscores
    (an underscore is allowed in second place), and not a name Cognito keeps for itself."""
    if not 3 <= len(name) <= 32:
        raise ValueError(f"{name!r} must be 3 to 32 characters long")
    visible = ("L", "M", "S", "N", "P")
    if (
        _is_space_or_underscore(name[0])
        or not unicodedata.category(name[1]).startswith(visible)
        or any(_is_space_or_underscore(character) for character in name[2:])
    ):
        raise ValueError(f"{name!r} may contain letters, digits and punctuation but no spaces or underscores")
    if name.lower() in (reserved.lower() for reserved in RESERVED_PROVIDER_NAMES):
        raise ValueError(f"{name!r} is reserved by Cognito; choose another name")
    return name


ProviderName = Annotated[StrictStr, AfterValidator(_provider_name)]
Secret = Deferred[Text]
"""A secret: checked only for being non-empty when given as plain text, never shown in a message."""


def _apple_id(value: str) -> str:
    if not re.fullmatch(r"[A-Z0-9]{10}", value):
        raise ValueError("must be Apple's 10-character id (A-Z, 0-9)")
    return value


def _scope_problems(scopes: Sequence[str], needed: Sequence[str], why: str) -> list[Problem]:
    missing = [scope for scope in needed if scope not in scopes]
    return [Problem("scopes", f"{list(scopes)} must include {missing}: {why}")] if missing else []


class _Provider(ArgsModel):
    provider_type: ClassVar[str]
    attribute_mapping: ClassVar[dict[str, str]]
    aws_filled_keys: ClassVar[tuple[str, ...]] = _OAUTH_ENDPOINT_KEYS

    @property
    def provider_name(self) -> str:
        """The name Cognito knows the provider by; social providers are named after their type."""
        return self.provider_type

    def details(self) -> dict[str, pulumi.Input[str]]:
        raise NotImplementedError


class OidcProviderModel(_Provider):
    name: ProviderName
    issuer_url: HttpsUrl
    client_id: Text
    client_secret: Secret
    scopes: tuple[Text, ...] = ("openid", "email", "profile")
    attributes_request_method: AttributesRequestMethod = AttributesRequestMethod.GET

    provider_type: ClassVar[str] = "OIDC"
    attribute_mapping: ClassVar[dict[str, str]] = _VERIFIED_EMAIL_MAPPING
    aws_filled_keys: ClassVar[tuple[str, ...]] = (*_OAUTH_ENDPOINT_KEYS, "jwks_uri")

    @property
    def provider_name(self) -> str:
        return self.name

    def cross_problems(self) -> list[Problem]:
        return _scope_problems(self.scopes, ("openid", "email"), "openid makes it OIDC; " + _EMAIL_WHY)

    def details(self) -> dict[str, pulumi.Input[str]]:
        return {
            "client_id": self.client_id,
            "client_secret": pulumi.Output.secret(self.client_secret),
            "attributes_request_method": self.attributes_request_method.value,
            "oidc_issuer": self.issuer_url,
            "authorize_scopes": " ".join(self.scopes),
        }


class GoogleProviderModel(_Provider):
    client_id: Text
    client_secret: Secret
    scopes: tuple[Text, ...] = ("openid", "email", "profile")

    provider_type: ClassVar[str] = "Google"
    attribute_mapping: ClassVar[dict[str, str]] = _VERIFIED_EMAIL_MAPPING
    aws_filled_keys: ClassVar[tuple[str, ...]] = (*_OAUTH_ENDPOINT_KEYS, "oidc_issuer")

    def cross_problems(self) -> list[Problem]:
        return _scope_problems(self.scopes, ("email",), _EMAIL_WHY)

    def details(self) -> dict[str, pulumi.Input[str]]:
        return {
            "client_id": self.client_id,
            "client_secret": pulumi.Output.secret(self.client_secret),
            "authorize_scopes": " ".join(self.scopes),
        }


class AmazonProviderModel(GoogleProviderModel):
    scopes: tuple[Text, ...] = ("profile",)

    provider_type: ClassVar[str] = "LoginWithAmazon"
    attribute_mapping: ClassVar[dict[str, str]] = {"email": "email", "username": "user_id"}
    aws_filled_keys: ClassVar[tuple[str, ...]] = _OAUTH_ENDPOINT_KEYS

    def cross_problems(self) -> list[Problem]:
        return _scope_problems(self.scopes, ("profile",), _EMAIL_WHY)


class FacebookProviderModel(_Provider):
    client_id: Text
    client_secret: Secret
    scopes: tuple[Text, ...] = ("public_profile", "email")
    api_version: Annotated[StrictStr, AfterValidator(lambda value: _version(value))] = "v17.0"

    provider_type: ClassVar[str] = "Facebook"
    attribute_mapping: ClassVar[dict[str, str]] = {"email": "email", "username": "id"}

    def cross_problems(self) -> list[Problem]:
        return _scope_problems(self.scopes, ("email",), _EMAIL_WHY)

    def details(self) -> dict[str, pulumi.Input[str]]:
        # Facebook expects comma-separated permissions, unlike the space-separated OAuth scopes.
        return {
            "client_id": self.client_id,
            "client_secret": pulumi.Output.secret(self.client_secret),
            "authorize_scopes": ",".join(self.scopes),
            "api_version": self.api_version,
        }


def _version(value: str) -> str:
    if not re.fullmatch(r"v\d+\.\d+", value):
        raise ValueError(f"{value!r} must look like v17.0")
    return value


class AppleProviderModel(_Provider):
    services_id: Text
    team_id: Annotated[StrictStr, AfterValidator(_apple_id)]
    key_id: Annotated[StrictStr, AfterValidator(_apple_id)]
    private_key: Secret
    scopes: tuple[Text, ...] = ("email", "name")

    provider_type: ClassVar[str] = "SignInWithApple"
    attribute_mapping: ClassVar[dict[str, str]] = _VERIFIED_EMAIL_MAPPING
    # Apple's private_key is write-only: AWS never returns it, so without ignoring it every preview would
    # show an update. The cost: a rotated key is applied only when the provider is replaced.
    aws_filled_keys: ClassVar[tuple[str, ...]] = (
        "authorize_url", "token_url", "oidc_issuer", "token_request_method", "attributes_url_add_attributes",
        "private_key",
    )  # fmt: skip

    def cross_problems(self) -> list[Problem]:
        return _scope_problems(self.scopes, ("email",), _EMAIL_WHY)

    def details(self) -> dict[str, pulumi.Input[str]]:
        return {
            "client_id": self.services_id,
            "team_id": self.team_id,
            "key_id": self.key_id,
            "private_key": pulumi.Output.secret(self.private_key),
            "authorize_scopes": " ".join(self.scopes),
        }


class SamlProviderModel(_Provider):
    name: ProviderName
    metadata_url: HttpsUrl | None = None
    metadata_file: Deferred[Text] | None = None
    sign_out: StrictBool = False

    provider_type: ClassVar[str] = "SAML"
    attribute_mapping: ClassVar[dict[str, str]] = {"email": SAML_EMAIL_CLAIM}

    @property
    def provider_name(self) -> str:
        return self.name

    @property
    def filled_keys(self) -> tuple[str, ...]:
        derived = ("ActiveEncryptionCertificate", "SSORedirectBindingURI", "SLORedirectBindingURI")
        # With a URL, Cognito downloads the document and stores it as MetadataFile as well.
        return (*derived, "MetadataFile") if self.metadata_url else derived

    def cross_problems(self) -> list[Problem]:
        if (self.metadata_url is None) == (self.metadata_file is None):
            return [Problem("metadata_url", "set exactly one of metadata_url and metadata_file")]
        if isinstance(self.metadata_file, str) and "EntityDescriptor" not in self.metadata_file:
            return [Problem("metadata_file", "is not SAML metadata (no EntityDescriptor element)")]
        return []

    def details(self) -> dict[str, pulumi.Input[str]]:
        source = (
            {"MetadataURL": self.metadata_url} if self.metadata_url else {"MetadataFile": self.metadata_file}
        )
        return {**source, "IDPSignout": "true" if self.sign_out else "false"}


def ignore_changes_for(provider: _Provider) -> list[str]:
    """Property paths of keys AWS fills in by itself, so they do not show as a diff on every preview.

    Pulumi property paths address map keys as ``providerDetails["key"]``; the top-level name must be the
    engine's camelCase one, since the Python SDK translates only whole property names, not paths.
    """
    keys = provider.filled_keys if isinstance(provider, SamlProviderModel) else provider.aws_filled_keys
    return [f'providerDetails["{key}"]' for key in keys]


def declare_identity_providers(
    name: str, user_pool_id: pulumi.Input[str], providers: Sequence[_Provider], parent: pulumi.Resource
) -> dict[str, aws.cognito.IdentityProvider]:
    """One ``aws.cognito.IdentityProvider`` per provider, named ``<name>-idp-<provider name>``."""
    return {
        provider.provider_name: aws.cognito.IdentityProvider(
            f"{name}-idp-{provider.provider_name}",
            user_pool_id=user_pool_id,
            provider_name=provider.provider_name,
            provider_type=provider.provider_type,
            provider_details=provider.details(),
            attribute_mapping=dict(provider.attribute_mapping),
            opts=pulumi.ResourceOptions(parent=parent, ignore_changes=ignore_changes_for(provider)),
        )
        for provider in providers
    }
