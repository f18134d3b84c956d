"""Cognito sign-in for a web app: user pool, web client, managed login, federation, identity pool."""

import re
from typing import Any

import pulumi
import pulumi_aws as aws

from ..package import component_options, component_type
from ..validation import check_args
from .args import AuthArgs
from .checks import OAUTH_SCOPES, AuthModel, HostedDomainModel
from .client_facts import AuthClientFacts, client_facts
from .identity_providers import declare_identity_providers

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


def _user_pool_inputs(spec: AuthModel) -> dict[str, Any]:
    policy = spec.password_policy
    sender = spec.email_sender
    inputs: dict[str, Any] = {
        "user_pool_tier": spec.user_pool_tier.value,
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
        "admin_create_user_config": {"allow_admin_create_user_only": not spec.allow_self_sign_up},
        "mfa_configuration": MFA_CONFIGURATION[spec.mfa.value],
        "deletion_protection": "ACTIVE" if spec.protect_data else "INACTIVE",
        "tags": spec.tags,
    }
    if spec.user_pool_tier.value != "LITE":
        # A sign-in policy needs ESSENTIALS or higher; LITE pools (password only) sign in as they always did.
        inputs["sign_in_policy"] = {
            "allowed_first_auth_factors": [factor.value for factor in spec.first_auth_factors]
        }
    if spec.mfa.value != "OFF":
        inputs["software_token_mfa_configuration"] = {"enabled": True}
    if spec.passkeys is not None:
        inputs["web_authn_configuration"] = {
            "relying_party_id": spec.passkeys.relying_party_id,
            "user_verification": spec.passkeys.user_verification.value,
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
    """A Cognito user pool with one public web client (PKCE, no secret), managed login, federation, groups
    and an optional identity pool, ready for Amplify JS."""

    user_pool: aws.cognito.UserPool
    """The user pool (email is the username)."""
    client: aws.cognito.UserPoolClient
    """The public web client."""
    domain: aws.cognito.UserPoolDomain | None
    """The managed login domain; only with hosted_domain."""
    branding: aws.cognito.ManagedLoginBranding | None
    """Managed login v2 style of the web client; only with hosted_domain."""
    identity_providers: dict[str, aws.cognito.IdentityProvider]
    """Federated providers by their Cognito name."""
    groups: dict[str, aws.cognito.UserGroup]
    """User groups by name."""
    identity_pool: aws.cognito.IdentityPool | None
    """The identity pool; only with identity_pool."""
    authenticated_role: aws.iam.Role | None
    """Role signed-in identity-pool users assume; it has no permissions until the caller adds some."""
    user_pool_id: pulumi.Output[str]
    """User pool id."""
    user_pool_arn: pulumi.Output[str]
    """User pool ARN."""
    client_id: pulumi.Output[str]
    """Web client id."""
    managed_login_host: pulumi.Output[str] | None
    """Managed login host (``<prefix>.auth.<region>.amazoncognito.com`` or the custom domain), once it exists."""
    issuer_url: pulumi.Output[str]
    """Token issuer (``iss`` claim), for verifying tokens outside AppSync."""
    jwks_url: pulumi.Output[str]
    """Where the pool publishes its token signing keys."""
    provider_names: list[str]
    """Cognito names of the federated providers."""
    identity_pool_id: pulumi.Output[str] | None
    """Identity pool id; only with identity_pool."""
    authenticated_role_arn: pulumi.Output[str] | None
    """ARN of authenticated_role."""

    def __init__(self, name: str, args: AuthArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        spec = check_args(AuthModel, "AuthArgs", args)
        super().__init__(component_type("Auth"), name, None, component_options("Auth", opts))
        self._facts = client_facts(spec)
        protect = spec.protect_data or None
        # None rather than False when unprotected, so options given to the component still apply.
        pool = aws.cognito.UserPool(
            f"{name}-user-pool",
            **_user_pool_inputs(spec),
            opts=pulumi.ResourceOptions(parent=self, protect=protect, retain_on_delete=protect),
        )
        providers = declare_identity_providers(name, pool.id, spec.identity_providers, parent=self)
        domain = self._declare_domain(name, pool, spec.hosted_domain)
        client = aws.cognito.UserPoolClient(
            f"{name}-web-client",
            user_pool_id=pool.id,
            generate_secret=False,
            explicit_auth_flows=explicit_auth_flows(spec.user_pool_tier.value),
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            read_attributes=list(READ_ATTRIBUTES),
            access_token_validity=spec.token_validity.access_token_minutes,
            id_token_validity=spec.token_validity.id_token_minutes,
            refresh_token_validity=spec.token_validity.refresh_token_days,
            token_validity_units=TOKEN_VALIDITY_UNITS,
            supported_identity_providers=["COGNITO", *providers],
            **self._oauth_inputs(spec),
            # Provider names are plain strings, so nothing else tells the engine to create them first.
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(providers.values())),
        )
        self.branding = None
        if domain is not None:
            # Managed login v2 pages stay inactive for a client until it has a branding style.
            self.branding = aws.cognito.ManagedLoginBranding(
                f"{name}-web-client-branding",
                user_pool_id=pool.id,
                client_id=client.id,
                use_cognito_provided_values=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[domain]),
            )
        self.groups = {
            group.name: aws.cognito.UserGroup(
                f"{name}-group-{group.name}",
                user_pool_id=pool.id,
                name=group.name,
                precedence=group.precedence,
                description=group.description or None,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for group in spec.groups
        }
        self._declare_identity_pool(name, pool, client, spec)

        self.user_pool = pool
        self.client = client
        self.domain = domain
        self.identity_providers = providers
        self.user_pool_id = pool.id
        self.user_pool_arn = pool.arn
        self.client_id = client.id
        host = spec.managed_login_host
        # Derived from the domain resource so that consumers wait until the domain exists.
        self.managed_login_host = None if domain is None else domain.domain.apply(lambda _: str(host))
        self.issuer_url = pulumi.Output.concat(
            "https://cognito-idp.", spec.region, ".amazonaws.com/", pool.id
        )
        self.jwks_url = self.issuer_url.apply(lambda issuer: f"{issuer}/.well-known/jwks.json")
        self.provider_names = list(providers)
        outputs = {
            "user_pool": self.user_pool,
            "client": self.client,
            "domain": self.domain,
            "branding": self.branding,
            "identity_providers": self.identity_providers,
            "groups": self.groups,
            "identity_pool": self.identity_pool,
            "authenticated_role": self.authenticated_role,
            "user_pool_id": self.user_pool_id,
            "user_pool_arn": self.user_pool_arn,
            "client_id": self.client_id,
            "managed_login_host": self.managed_login_host,
            "issuer_url": self.issuer_url,
            "jwks_url": self.jwks_url,
            "provider_names": self.provider_names,
            "identity_pool_id": self.identity_pool_id,
            "authenticated_role_arn": self.authenticated_role_arn,
        }
        self.register_outputs({key: value for key, value in outputs.items() if value is not None})

    @property
    def client_facts(self) -> AuthClientFacts:
        """What a frontend configuration needs besides ids (Python only; see ``client_config``)."""
        return self._facts

    @staticmethod
    def _oauth_inputs(spec: AuthModel) -> dict[str, object]:
        """Authorization code with PKCE and no secret: the flow AWS recommends for browser apps."""
        if spec.hosted_domain is None:
            return {}
        return {
            "allowed_oauth_flows_user_pool_client": True,
            "allowed_oauth_flows": list(OAUTH_FLOWS),
            "allowed_oauth_scopes": list(OAUTH_SCOPES),
            "callback_urls": list(spec.callback_urls),
            "logout_urls": list(spec.logout_urls),
        }

    def _declare_domain(
        self, name: str, pool: aws.cognito.UserPool, hosted: HostedDomainModel | None
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
        self, name: str, pool: aws.cognito.UserPool, client: aws.cognito.UserPoolClient, spec: AuthModel
    ) -> None:
        """Identity pool and its roles, only when asked: Amplify always creates one with guests allowed."""
        self.identity_pool = None
        self.authenticated_role = None
        self.identity_pool_id = None
        self.authenticated_role_arn = None
        if not spec.identity_pool:
            return
        identity_pool = aws.cognito.IdentityPool(
            f"{name}-identity-pool",
            identity_pool_name=re.sub(r"[^\w+=,.@ -]", "_", f"{name} identities"),
            allow_unauthenticated_identities=spec.guest_access,
            allow_classic_flow=False,
            cognito_identity_providers=[
                # Server-side check: tokens revoked by a global sign-out no longer get credentials.
                {"client_id": client.id, "provider_name": pool.endpoint, "server_side_token_check": True}
            ],
            tags=spec.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        authenticated = self._identity_role(name, identity_pool, "authenticated", spec)
        roles: dict[str, pulumi.Input[str]] = {"authenticated": authenticated.arn}
        if spec.guest_access:
            roles["unauthenticated"] = self._identity_role(name, identity_pool, "unauthenticated", spec).arn
        aws.cognito.IdentityPoolRoleAttachment(
            f"{name}-identity-roles",
            identity_pool_id=identity_pool.id,
            roles=roles,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.identity_pool = identity_pool
        self.authenticated_role = authenticated
        self.identity_pool_id = identity_pool.id
        self.authenticated_role_arn = authenticated.arn

    def _identity_role(
        self, name: str, identity_pool: aws.cognito.IdentityPool, kind: str, spec: AuthModel
    ) -> aws.iam.Role:
        """A role with a trust policy and no permissions: what it may do is the caller's decision."""
        return aws.iam.Role(
            f"{name}-{kind}-role",
            assume_role_policy=_identity_trust_policy(identity_pool.id, kind),
            tags=spec.tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
