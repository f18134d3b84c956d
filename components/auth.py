"""Cognito sign-in for a web app: user pool, web client, managed login, federation, identity pool.

Compared with Amplify's defineAuth (see the shared amplify-reference), the choices Amplify hides are
arguments here: self sign-up (off by default), guest access (off, and no identity pool unless asked),
the feature plan (explicit, so the sign-in policy never depends on a service default), the domain
prefix or custom domain, token lifetimes, and data protection for production pools.
"""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws

from components.auth_args import (
    OAUTH_SCOPES,
    AuthArgs,
    AuthClientFacts,
    HostedDomain,
    Passkeys,
    PasswordPolicy,
    SesEmailSender,
    TokenValidity,
    UserGroup,
    client_facts,
)
from components.auth_rules import validate_auth_args
from components.identity_providers import declare_identity_providers

__all__ = [
    "Auth",
    "AuthArgs",
    "AuthClientFacts",
    "HostedDomain",
    "Passkeys",
    "PasswordPolicy",
    "SesEmailSender",
    "TokenValidity",
    "UserGroup",
]

EMAIL_RECOVERY = "verified_email"
MFA_CONFIGURATION = {"OFF": "OFF", "OPTIONAL": "OPTIONAL", "REQUIRED": "ON"}
OAUTH_FLOWS = ("code",)
TOKEN_VALIDITY_UNITS = {"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"}
READ_ATTRIBUTES = ("email", "email_verified")
IDENTITY_AUDIENCE_KEY = "cognito-identity.amazonaws.com:aud"
IDENTITY_AMR_KEY = "cognito-identity.amazonaws.com:amr"


def explicit_auth_flows(tier: str) -> list[str]:
    """USER_AUTH (choice-based: password, SRP, email OTP, passkey) needs ESSENTIALS or higher; SRP stays
    for Amplify's default signIn, refresh keeps sessions alive. Plain-password flows stay off."""
    flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    return flows if tier == "LITE" else ["ALLOW_USER_AUTH", *flows]


def _user_pool_inputs(args: AuthArgs) -> dict[str, object]:
    policy = args.password_policy
    sender = args.email_sender
    inputs: dict[str, object] = {
        "user_pool_tier": args.user_pool_tier,
        "username_attributes": ["email"],
        "username_configuration": {"case_sensitive": False},
        "auto_verified_attributes": ["email"],
        # Keep the verified address until a new one is confirmed, so a typo cannot lock a user out.
        "user_attribute_update_settings": {"attributes_require_verification_before_updates": ["email"]},
        "schemas": [
            {
                "name": "email",
                "attribute_data_type": "String",
                "required": True,
                "mutable": True,  # federated sign-in rewrites mapped attributes on every login
                "string_attribute_constraints": {"min_length": "0", "max_length": "2048"},
            }
        ],
        "account_recovery_setting": {"recovery_mechanisms": [{"name": EMAIL_RECOVERY, "priority": 1}]},
        "password_policy": {
            "minimum_length": policy.minimum_length,
            "require_lowercase": policy.require_lowercase,
            "require_uppercase": policy.require_uppercase,
            "require_numbers": policy.require_numbers,
            "require_symbols": policy.require_symbols,
            "temporary_password_validity_days": policy.temporary_password_validity_days,
        },
        "admin_create_user_config": {"allow_admin_create_user_only": not args.allow_self_sign_up},
        "mfa_configuration": MFA_CONFIGURATION[args.mfa],
        "deletion_protection": "ACTIVE" if args.protect_data else "INACTIVE",
    }
    if args.user_pool_tier != "LITE":
        # A sign-in policy needs ESSENTIALS or higher; LITE pools (password only) sign in as they always did.
        inputs["sign_in_policy"] = {"allowed_first_auth_factors": list(args.first_auth_factors)}
    if args.mfa != "OFF":
        inputs["software_token_mfa_configuration"] = {"enabled": True}
    if args.passkeys is not None:
        inputs["web_authn_configuration"] = {
            "relying_party_id": args.passkeys.relying_party_id,
            "user_verification": args.passkeys.user_verification,
        }
    if sender is not None:
        email: dict[str, pulumi.Input[str] | None] = {
            "email_sending_account": "DEVELOPER",
            "source_arn": sender.source_arn,
            "from_email_address": sender.from_email_address,
            "reply_to_email_address": sender.reply_to_email_address,
            "configuration_set": sender.configuration_set,
        }
        inputs["email_configuration"] = {key: value for key, value in email.items() if value is not None}
    return inputs


def _identity_trust_policy(identity_pool_id: pulumi.Input[str], amr: str) -> pulumi.Output[str]:
    """Only identities of this pool, and only of the given kind (authenticated or not), may assume it."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {IDENTITY_AUDIENCE_KEY: identity_pool_id},
                        "ForAnyValue:StringLike": {IDENTITY_AMR_KEY: amr},
                    },
                }
            ],
        }
    )


class Auth(pulumi.ComponentResource):
    """A Cognito user pool with one public web client, ready for Amplify JS."""

    user_pool_id: pulumi.Output[str]
    user_pool_arn: pulumi.Output[str]
    client_id: pulumi.Output[str]
    domain: pulumi.Output[str] | None
    """Managed login host (prefix or custom domain); None without a hosted domain."""
    issuer_url: pulumi.Output[str]
    """Token issuer (``iss`` claim), for verifying tokens outside AppSync."""
    jwks_url: pulumi.Output[str]
    provider_names: list[str]
    identity_pool_id: pulumi.Output[str] | None
    authenticated_role_arn: pulumi.Output[str] | None
    """Role signed-in identity-pool users assume; it has no permissions until the caller adds some."""
    client_facts: AuthClientFacts

    def __init__(self, name: str, args: AuthArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_auth_args(args)
        super().__init__("genai:index:Auth", name, None, opts)
        self.client_facts = client_facts(args)
        pool = aws.cognito.UserPool(
            f"{name}-user-pool",
            **_user_pool_inputs(args),
            # None rather than False when unprotected, so options given to the component still apply.
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect_data or None, retain_on_delete=args.protect_data or None
            ),
        )
        providers = declare_identity_providers(name, pool.id, args.identity_providers, parent=self)
        domain = self._declare_domain(name, pool, args.hosted_domain)
        client = aws.cognito.UserPoolClient(
            f"{name}-web-client",
            user_pool_id=pool.id,
            generate_secret=False,
            explicit_auth_flows=explicit_auth_flows(args.user_pool_tier),
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            read_attributes=list(READ_ATTRIBUTES),
            access_token_validity=args.token_validity.access_token_minutes,
            id_token_validity=args.token_validity.id_token_minutes,
            refresh_token_validity=args.token_validity.refresh_token_days,
            token_validity_units=TOKEN_VALIDITY_UNITS,
            supported_identity_providers=["COGNITO", *(p.provider_name for p in args.identity_providers)],
            **self._oauth_inputs(args),
            # Provider names are plain strings, so nothing else tells the engine to create them first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(providers)),
        )
        if domain is not None:
            # Managed login v2 pages stay inactive for a client until it has a branding style.
            aws.cognito.ManagedLoginBranding(
                f"{name}-web-client-branding",
                user_pool_id=pool.id,
                client_id=client.id,
                use_cognito_provided_values=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[domain]),
            )
        for group in args.groups:
            aws.cognito.UserGroup(
                f"{name}-group-{group.name}",
                user_pool_id=pool.id,
                name=group.name,
                precedence=group.precedence,
                description=group.description or None,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self._declare_identity_pool(name, pool, client, args)

        self.user_pool_id = pool.id
        self.user_pool_arn = pool.arn
        self.client_id = client.id
        host = self.client_facts.oauth_domain
        # Derived from the domain resource so that consumers wait until the domain exists.
        self.domain = None if domain is None else domain.domain.apply(lambda _: str(host))
        self.issuer_url = pulumi.Output.concat(
            "https://cognito-idp.", args.region, ".amazonaws.com/", pool.id
        )
        self.jwks_url = self.issuer_url.apply(lambda issuer: f"{issuer}/.well-known/jwks.json")
        self.provider_names = [provider.provider_name for provider in args.identity_providers]
        outputs = {
            "user_pool_id": self.user_pool_id,
            "user_pool_arn": self.user_pool_arn,
            "client_id": self.client_id,
            "domain": self.domain,
            "issuer_url": self.issuer_url,
            "jwks_url": self.jwks_url,
            "provider_names": self.provider_names,
            "identity_pool_id": self.identity_pool_id,
            "authenticated_role_arn": self.authenticated_role_arn,
        }
        self.register_outputs({key: value for key, value in outputs.items() if value is not None})

    @staticmethod
    def _oauth_inputs(args: AuthArgs) -> dict[str, object]:
        """Authorization code with PKCE and no secret: the flow AWS recommends for browser apps."""
        if args.hosted_domain is None:
            return {}
        return {
            "allowed_oauth_flows_user_pool_client": True,
            "allowed_oauth_flows": list(OAUTH_FLOWS),
            "allowed_oauth_scopes": list(OAUTH_SCOPES),
            "callback_urls": list(args.callback_urls),
            "logout_urls": list(args.logout_urls),
        }

    def _declare_domain(
        self, name: str, pool: aws.cognito.UserPool, hosted: HostedDomain | None
    ) -> aws.cognito.UserPoolDomain | None:
        if hosted is None:
            return None
        return aws.cognito.UserPoolDomain(
            f"{name}-domain",
            user_pool_id=pool.id,
            domain=hosted.custom_domain or hosted.prefix,
            certificate_arn=hosted.certificate_arn,
            managed_login_version=2,
            # A domain name belongs to one pool at a time: when the pool is replaced, the old domain must be
            # deleted before the new one can claim the same prefix.
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )

    def _declare_identity_pool(
        self, name: str, pool: aws.cognito.UserPool, client: aws.cognito.UserPoolClient, args: AuthArgs
    ) -> None:
        """Identity pool and its roles, only when asked: Amplify always creates one with guests allowed."""
        self.identity_pool_id = None
        self.authenticated_role_arn = None
        if not args.identity_pool:
            return
        identity_pool = aws.cognito.IdentityPool(
            f"{name}-identity-pool",
            identity_pool_name=re.sub(r"[^\w+=,.@ -]", "_", f"{name} identities"),
            allow_unauthenticated_identities=args.guest_access,
            allow_classic_flow=False,
            cognito_identity_providers=[
                # Server-side check: tokens revoked by a global sign-out no longer get credentials.
                {"client_id": client.id, "provider_name": pool.endpoint, "server_side_token_check": True}
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        authenticated = self._identity_role(name, identity_pool, "authenticated")
        roles: dict[str, pulumi.Input[str]] = {"authenticated": authenticated.arn}
        if args.guest_access:
            roles["unauthenticated"] = self._identity_role(name, identity_pool, "unauthenticated").arn
        aws.cognito.IdentityPoolRoleAttachment(
            f"{name}-identity-roles",
            identity_pool_id=identity_pool.id,
            roles=roles,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.identity_pool_id = identity_pool.id
        self.authenticated_role_arn = authenticated.arn

    def _identity_role(self, name: str, identity_pool: aws.cognito.IdentityPool, kind: str) -> aws.iam.Role:
        """A role with a trust policy and no permissions: what it may do is the caller's decision."""
        return aws.iam.Role(
            f"{name}-{kind}-role",
            assume_role_policy=_identity_trust_policy(identity_pool.id, kind),
            opts=pulumi.ResourceOptions(parent=self),
        )
