"""Translates validated auth settings into the Auth component's typed args.

Secrets leave the settings as ``SecretStr`` and enter the component only as Pulumi secret Outputs,
so they are encrypted in state and masked in every preview.
"""

from __future__ import annotations

import pulumi
from pydantic import SecretStr

from components.auth import (
    AuthArgs,
    HostedDomain,
    Passkeys,
    PasswordPolicy,
    SesEmailSender,
    TokenValidity,
    UserGroup,
)
from components.identity_provider_specs import (
    AmazonProvider,
    AppleProvider,
    FacebookProvider,
    FederatedProvider,
    GoogleProvider,
    OidcProvider,
    SamlProvider,
)
from components.settings_model import AuthSettings


def _secret(value: SecretStr) -> pulumi.Output[str]:
    return pulumi.Output.secret(value.get_secret_value())


def identity_providers(auth: AuthSettings) -> list[FederatedProvider]:
    providers: list[FederatedProvider] = [
        OidcProvider(
            name=provider.name,
            issuer_url=provider.issuer,
            client_id=provider.client_id,
            client_secret=_secret(provider.client_secret),
            scopes=provider.scopes,
            attributes_request_method=provider.attributes_request_method,
        )
        for provider in auth.oidc_providers
    ]
    providers += [
        SamlProvider(name=provider.name, metadata_url=provider.metadata_url)
        for provider in auth.saml_providers
    ]
    if auth.google:
        providers.append(
            GoogleProvider(client_id=auth.google.client_id, client_secret=_secret(auth.google.client_secret))
        )
    if auth.facebook:
        providers.append(
            FacebookProvider(
                client_id=auth.facebook.client_id, client_secret=_secret(auth.facebook.client_secret)
            )
        )
    if auth.amazon:
        providers.append(
            AmazonProvider(client_id=auth.amazon.client_id, client_secret=_secret(auth.amazon.client_secret))
        )
    if auth.apple:
        providers.append(
            AppleProvider(
                services_id=auth.apple.services_id,
                team_id=auth.apple.team_id,
                key_id=auth.apple.key_id,
                private_key=_secret(auth.apple.private_key),
            )
        )
    return providers


def auth_args(auth: AuthSettings, *, region: str, protect_data: bool) -> AuthArgs:
    domain = (
        HostedDomain(custom_domain=auth.custom_domain, certificate_arn=auth.certificate_arn)
        if auth.custom_domain
        else HostedDomain(prefix=auth.domain_prefix)
    )
    passkeys = None
    if "WEB_AUTHN" in auth.first_factors:
        passkeys = Passkeys(
            relying_party_id=auth.passkey_relying_party_id, user_verification=auth.passkey_user_verification
        )
    email_sender = None
    if auth.ses_identity_arn:
        email_sender = SesEmailSender(source_arn=auth.ses_identity_arn, from_email_address=auth.from_email)
    return AuthArgs(
        region=region,
        first_auth_factors=auth.first_factors,
        preferred_challenge=auth.preferred_challenge or None,
        passkeys=passkeys,
        email_sender=email_sender,
        password_policy=PasswordPolicy(minimum_length=auth.password_min_length),
        user_pool_tier=auth.user_pool_tier,
        allow_self_sign_up=auth.self_sign_up,
        protect_data=protect_data,
        identity_providers=identity_providers(auth),
        hosted_domain=domain,
        callback_urls=auth.callback_urls,
        logout_urls=auth.logout_urls,
        token_validity=TokenValidity(
            access_token_minutes=auth.access_token_minutes,
            id_token_minutes=auth.access_token_minutes,
            refresh_token_days=auth.refresh_token_days,
        ),
        groups=[UserGroup(name=name, precedence=index) for index, name in enumerate(auth.groups)],
        identity_pool=auth.identity_pool,
        guest_access=auth.guest_access,
    )
