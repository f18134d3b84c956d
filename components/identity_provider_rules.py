"""Cognito's rules for identity-provider fields and names, checked before anything is declared.

A bad provider name or URL is otherwise only reported by Cognito at deploy time, after other resources
of the stack may already have changed. Every spec in ``identity_provider_specs`` validates its fields
with these helpers, so all of them fail the same way: a ValueError that starts with the field's name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from urllib.parse import urlparse

import pulumi

# Cognito names these itself; an OIDC or SAML provider may not take them (compared case-insensitively).
RESERVED_PROVIDER_NAMES = ("Cognito", "Google", "Facebook", "LoginWithAmazon", "SignInWithApple")


def field_error(field: str, message: str) -> ValueError:
    return ValueError(f"{field}: {message}")


def require_text(field: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise field_error(field, "is required and must be a non-empty string")


def require_https(field: str, url: str) -> None:
    require_text(field, url)
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.hostname or parsed.fragment:
        raise field_error(field, f"{url!r} must be an https URL with a host and no #fragment")


def require_scopes(field: str, scopes: Sequence[str], needed: Sequence[str], why: str) -> None:
    missing = [scope for scope in needed if scope not in scopes]
    if missing:
        raise field_error(field, f"{list(scopes)} must include {missing}: {why}")


def require_secret(field: str, value: pulumi.Input[str]) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise field_error(field, "is required (pass it as a secret, e.g. config.require_secret(...))")


def _is_space_or_underscore(character: str) -> bool:
    return character == "_" or unicodedata.category(character).startswith("Z")


def validate_provider_name(field: str, name: str) -> None:
    """Mirrors Cognito's ProviderNameTypeV2 (3–32 characters by its pattern, no spaces or underscores
    except an underscore in second place) so a bad name fails here, not at deploy time."""
    require_text(field, name)
    if not 3 <= len(name) <= 32:
        raise field_error(field, f"{name!r} must be 3 to 32 characters long")
    visible = ("L", "M", "S", "N", "P")
    if (
        _is_space_or_underscore(name[0])
        or not unicodedata.category(name[1]).startswith(visible)
        or any(_is_space_or_underscore(character) for character in name[2:])
    ):
        raise field_error(
            field, f"{name!r} may contain letters, digits and punctuation but no spaces or underscores"
        )


def validate_custom_name(field: str, name: str) -> None:
    """OIDC and SAML providers name themselves, but not with a name Cognito keeps for its own."""
    validate_provider_name(field, name)
    if name.lower() in (reserved.lower() for reserved in RESERVED_PROVIDER_NAMES):
        raise field_error(field, f"{name!r} is reserved by Cognito; choose another name")
