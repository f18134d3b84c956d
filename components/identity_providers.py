"""Declares a user pool's federated identity providers from their typed specs.

The specs (``components.identity_provider_specs``) each check themselves; what only the whole list can
check lives here: that names are unique the way Cognito compares them. Declaring also has to tell
Pulumi which ``provider_details`` keys AWS writes back on its own, or every preview would show a diff.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

import pulumi
import pulumi_aws as aws

from components.identity_provider_rules import field_error
from components.identity_provider_specs import FederatedProvider


def validate_providers(field: str, providers: Sequence[FederatedProvider]) -> None:
    """Checks each provider and that names are unique (Cognito compares them case-insensitively)."""
    seen: dict[str, int] = {}
    for index, provider in enumerate(providers):
        where = f"{field}[{index}]"
        if not isinstance(provider, FederatedProvider):
            kinds = ", ".join(kind.__name__ for kind in get_args(FederatedProvider))
            raise field_error(where, f"{type(provider).__name__} is not one of {kinds}")
        provider.validate(where)
        key = provider.provider_name.lower()
        if key in seen:
            raise field_error(
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
