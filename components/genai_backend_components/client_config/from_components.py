"""Builds amplify_outputs.json from the deployed components, as a single secret-free Output.

The plain facts (factors, URLs, password policy) come from the same args the Auth component used to
declare its resources, so the frontend config cannot drift from what is deployed; only ids and URLs
wait for the cloud.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pulumi

from ..auth import Auth, AuthClientFacts
from .conversations import ConversationRouteOutputs
from .document import build_client_config
from .inputs import (
    AuthOutputs,
    DataOutputs,
    OAuthOutputs,
    PasswordPolicy,
    UserGroup,
    WebAuthnOutputs,
)

_MFA_NAMES = {"OFF": "NONE", "OPTIONAL": "OPTIONAL", "REQUIRED": "REQUIRED"}


def auth_outputs(
    facts: AuthClientFacts, user_pool_id: str, client_id: str, identity_pool_id: str | None
) -> AuthOutputs:
    policy = facts.password_policy
    oauth = None
    if facts.oauth_domain:
        oauth = OAuthOutputs(
            domain=facts.oauth_domain,
            scopes=facts.oauth_scopes,
            redirect_sign_in_uris=facts.callback_urls,
            redirect_sign_out_uris=facts.logout_urls,
            identity_providers=facts.provider_names,
        )
    return AuthOutputs(
        region=facts.region,
        user_pool_id=user_pool_id,
        user_pool_client_id=client_id,
        identity_pool_id=identity_pool_id,
        password_policy=PasswordPolicy(
            min_length=policy.minimum_length,
            require_numbers=policy.require_numbers,
            require_lowercase=policy.require_lowercase,
            require_uppercase=policy.require_uppercase,
            require_symbols=policy.require_symbols,
        ),
        username_attributes=facts.username_attributes,
        mfa_configuration=_MFA_NAMES[facts.mfa],
        mfa_methods=facts.mfa_methods,
        oauth=oauth,
        first_factors=facts.first_auth_factors,
        preferred_challenge=facts.preferred_challenge,
        web_authn=(
            WebAuthnOutputs(
                relying_party_id=facts.passkeys.relying_party_id,
                user_verification=facts.passkeys.user_verification,
            )
            if facts.passkeys
            else None
        ),
        unauthenticated_identities_enabled=facts.guest_access,
        groups=tuple(UserGroup(name=group.name, precedence=group.precedence) for group in facts.groups),
    )


def data_outputs(
    *,
    region: str,
    schema_sdl: str,
    additional_authorization_types: Sequence[str],
    generation_routes: Sequence[str],
    conversation_routes: Sequence[str],
) -> DataOutputs:
    """The data section's plain values; the URL is filled in once the API exists."""
    return DataOutputs(
        region=region,
        url="https://api.invalid/graphql",
        schema_sdl=schema_sdl,
        authorization_types=tuple(additional_authorization_types),
        generation_routes=tuple(generation_routes),
        conversation_routes=tuple(ConversationRouteOutputs(name=route) for route in conversation_routes),
    )


def check_client_config(facts: AuthClientFacts, data: DataOutputs) -> None:
    """Builds the document once with placeholder ids, so a bad combination fails before any resource."""
    identity_pool_id = "placeholder:identity-pool" if facts.identity_pool else None
    build_client_config(auth_outputs(facts, "placeholder_pool", "placeholder-client", identity_pool_id), data)


def amplify_outputs(
    auth: Auth, data: DataOutputs, graphql_url: pulumi.Input[str]
) -> pulumi.Output[dict[str, Any]]:
    """The whole document, once the pool, client, identity pool and API have ids."""

    def render(values: list[Any]) -> dict[str, Any]:
        user_pool_id, client_id, identity_pool_id, url = values
        document_auth = auth_outputs(auth.client_facts, user_pool_id, client_id, identity_pool_id)
        return build_client_config(document_auth, replace(data, url=url))

    return pulumi.Output.all(auth.user_pool_id, auth.client_id, auth.identity_pool_id, graphql_url).apply(
        render
    )
