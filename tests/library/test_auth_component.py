"""The Auth component under Pulumi mocks: what the engine receives for each option, and what it refuses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format

from genai_backend_components.auth import (
    Auth,
    AuthArgs,
    HostedDomain,
    Passkeys,
    PasswordPolicy,
    SesEmailSender,
    TokenValidity,
    UserGroup,
)
from genai_backend_components.auth import (
    SAML_EMAIL_CLAIM,
    AmazonProvider,
    AppleProvider,
    FacebookProvider,
    GoogleProvider,
    OidcProvider,
    SamlProvider,
)
from tests.support import TEST_REGION, evaluate_component
from tools.evaluate import Evaluation

SES_ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com"
CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"
APP_URL = "https://app.example.com/"
LOCAL_URL = "http://localhost:5173/"
SAML_METADATA = '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>'
_SECRET_SIGNATURE = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")


@dataclass
class Registration:
    """What the engine got besides inputs: the resource options the recording evaluation drops."""

    protect: bool
    retain_on_delete: bool
    ignore_changes: list[str]
    inputs: dict[str, Any]
    """Raw inputs; secret values show as "secret:<value>" so tests can see both facts."""


Evaluated = tuple[Evaluation, dict[str, Registration]]


def _reveal(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(_SECRET_SIGNATURE[0]) == _SECRET_SIGNATURE[1]:
            return f"secret:{_reveal(value['value'])}"
        return {key: _reveal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_reveal(item) for item in value]
    return value


def evaluate_with_options(build: Callable[[], Any]) -> Evaluated:
    """Evaluates ``build`` while listening on the mock monitor for each registration request."""
    registrations: dict[str, Registration] = {}

    def listened_build() -> None:
        monitor = pulumi.runtime.settings.get_monitor()
        register = monitor.RegisterResource

        def listen(request: Any) -> Any:
            registrations[request.name] = Registration(
                protect=request.protect,
                retain_on_delete=request.retainOnDelete,
                ignore_changes=list(request.ignoreChanges),
                inputs=_reveal(json_format.MessageToDict(request.object)),
            )
            return register(request)

        monitor.RegisterResource = listen
        build()

    return evaluate_component(listened_build), registrations


def _auth(args: AuthArgs, exports: bool = False, built: list[Auth] | None = None) -> Callable[[], None]:
    def build() -> None:
        auth = Auth("auth", args)
        if built is not None:
            built.append(auth)
        if exports:
            pulumi.export("domain", auth.domain)
            pulumi.export("issuer", auth.issuer_url)
            pulumi.export("jwks", auth.jwks_url)
            pulumi.export("identityPoolId", auth.identity_pool_id)
            pulumi.export("clientId", auth.client_id)
            pulumi.export("userPoolId", auth.user_pool_id)

    return build


ALL_PROVIDERS = (
    OidcProvider(
        name="Okta",
        issuer_url="https://example.okta.com",
        client_id="okta-client",
        client_secret=pulumi.Output.secret("okta-secret"),
        attributes_request_method="POST",
    ),
    GoogleProvider(client_id="google-client", client_secret="google-secret"),
    FacebookProvider(client_id="facebook-app", client_secret="facebook-secret"),
    AmazonProvider(client_id="amazon-client", client_secret="amazon-secret"),
    AppleProvider(services_id="com.example.web", team_id="TEAM123456", key_id="KEY1234567", private_key="p8"),
    SamlProvider(name="CorpSaml", metadata_url="https://idp.example.com/metadata"),
    SamlProvider(name="FileSaml", metadata_file=SAML_METADATA, sign_out=True),
)
MINIMAL = AuthArgs(region=TEST_REGION)
FULL = AuthArgs(
    region=TEST_REGION,
    first_auth_factors=("PASSWORD", "EMAIL_OTP", "WEB_AUTHN"),
    preferred_challenge="EMAIL_OTP",
    passkeys=Passkeys(relying_party_id="app.example.com", user_verification="required"),
    email_sender=SesEmailSender(source_arn=SES_ARN, from_email_address="App <no-reply@example.com>"),
    password_policy=PasswordPolicy(minimum_length=16, require_symbols=False),
    allow_self_sign_up=True,
    protect_data=True,
    identity_providers=ALL_PROVIDERS,
    hosted_domain=HostedDomain(prefix="genai-login"),
    callback_urls=(LOCAL_URL, APP_URL),
    logout_urls=(APP_URL,),
    token_validity=TokenValidity(access_token_minutes=15, id_token_minutes=30, refresh_token_days=7),
    groups=(
        UserGroup(name="admins", precedence=0, description="Operators"),
        UserGroup(name="users", precedence=10),
    ),
    identity_pool=True,
)


@pytest.fixture(scope="module")
def minimal() -> Evaluated:
    return evaluate_with_options(_auth(MINIMAL, exports=True))


@pytest.fixture(scope="module")
def full() -> Evaluated:
    return evaluate_with_options(_auth(FULL, exports=True))


def test_minimal_pool_is_email_only_admin_created_and_unprotected(minimal: Evaluated) -> None:
    evaluation, registrations = minimal
    pool = evaluation.named("auth-user-pool").inputs
    assert pool["usernameAttributes"] == ["email"]
    assert pool["usernameConfiguration"] == {"caseSensitive": False}
    assert pool["autoVerifiedAttributes"] == ["email"]
    assert pool["accountRecoverySetting"] == {
        "recoveryMechanisms": [{"name": "verified_email", "priority": 1}]
    }
    [email] = pool["schemas"]
    assert (email["name"], email["required"], email["mutable"]) == ("email", True, True)
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": True}
    assert pool["mfaConfiguration"] == "OFF"
    assert pool["userPoolTier"] == "ESSENTIALS"
    assert pool["signInPolicy"] == {"allowedFirstAuthFactors": ["PASSWORD"]}
    assert pool["passwordPolicy"] == {
        "minimumLength": 12,
        "requireLowercase": True,
        "requireUppercase": True,
        "requireNumbers": True,
        "requireSymbols": True,
        "temporaryPasswordValidityDays": 3,
    }
    assert "webAuthnConfiguration" not in pool and "emailConfiguration" not in pool
    assert pool["deletionProtection"] == "INACTIVE"
    assert (registrations["auth-user-pool"].protect, registrations["auth-user-pool"].retain_on_delete) == (
        False,
        False,
    )
    declared = {record.type.split(":")[-1] for record in evaluation.resources}
    assert declared == {"Auth", "UserPool", "UserPoolClient"}
    assert evaluation.outputs["domain"] is None and evaluation.outputs["identityPoolId"] is None


def test_minimal_client_has_no_oauth_and_uses_choice_based_sign_in(minimal: Evaluated) -> None:
    client = minimal[0].named("auth-web-client").inputs
    assert client["explicitAuthFlows"] == [
        "ALLOW_USER_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    assert client["supportedIdentityProviders"] == ["COGNITO"]
    assert not any(key.startswith("allowedOauth") or key in ("callbackUrls", "logoutUrls") for key in client)
    assert (client["accessTokenValidity"], client["idTokenValidity"], client["refreshTokenValidity"]) == (
        60,
        60,
        30,
    )


def test_full_pool_turns_on_self_sign_up_passwordless_passkeys_ses_and_protection(full: Evaluated) -> None:
    evaluation, registrations = full
    pool = evaluation.named("auth-user-pool").inputs
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": False}
    assert pool["signInPolicy"] == {"allowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}
    assert pool["webAuthnConfiguration"] == {
        "relyingPartyId": "app.example.com",
        "userVerification": "required",
    }
    assert pool["emailConfiguration"] == {
        "emailSendingAccount": "DEVELOPER",
        "sourceArn": SES_ARN,
        "fromEmailAddress": "App <no-reply@example.com>",
    }
    assert pool["passwordPolicy"]["minimumLength"] == 16 and pool["passwordPolicy"]["requireSymbols"] is False
    assert pool["deletionProtection"] == "ACTIVE"
    assert (registrations["auth-user-pool"].protect, registrations["auth-user-pool"].retain_on_delete) == (
        True,
        True,
    )


def test_each_provider_type_gets_its_details_mapping_and_secret(full: Evaluated) -> None:
    evaluation, registrations = full
    details = {
        name[len("auth-idp-") :]: reg.inputs["providerDetails"]
        for name, reg in registrations.items()
        if name.startswith("auth-idp-")
    }
    assert details == {
        "Okta": {
            "client_id": "okta-client",
            "client_secret": "secret:okta-secret",
            "attributes_request_method": "POST",
            "oidc_issuer": "https://example.okta.com",
            "authorize_scopes": "openid email profile",
        },
        "Google": {
            "client_id": "google-client",
            "client_secret": "secret:google-secret",
            "authorize_scopes": "openid email profile",
        },
        "Facebook": {
            "client_id": "facebook-app",
            "client_secret": "secret:facebook-secret",
            "authorize_scopes": "public_profile,email",
            "api_version": "v17.0",
        },
        "LoginWithAmazon": {
            "client_id": "amazon-client",
            "client_secret": "secret:amazon-secret",
            "authorize_scopes": "profile",
        },
        "SignInWithApple": {
            "client_id": "com.example.web",
            "team_id": "TEAM123456",
            "key_id": "KEY1234567",
            "private_key": "secret:p8",
            "authorize_scopes": "email name",
        },
        "CorpSaml": {"MetadataURL": "https://idp.example.com/metadata", "IDPSignout": "false"},
        "FileSaml": {"MetadataFile": SAML_METADATA, "IDPSignout": "true"},
    }
    recorded = {
        record.inputs["providerName"]: record.inputs
        for record in evaluation.of_type("aws:cognito/identityProvider:IdentityProvider")
    }
    assert {name: inputs["providerType"] for name, inputs in recorded.items()} == {
        "Okta": "OIDC",
        "Google": "Google",
        "Facebook": "Facebook",
        "LoginWithAmazon": "LoginWithAmazon",
        "SignInWithApple": "SignInWithApple",
        "CorpSaml": "SAML",
        "FileSaml": "SAML",
    }
    # Anything holding a credential is stored encrypted; SAML metadata is public.
    for name in ("Okta", "Google", "Facebook", "LoginWithAmazon", "SignInWithApple"):
        assert recorded[name]["providerDetails"] == "[secret]"
    verified = {"email": "email", "email_verified": "email_verified", "username": "sub"}
    assert recorded["Okta"]["attributeMapping"] == verified
    assert recorded["Google"]["attributeMapping"] == verified
    assert recorded["SignInWithApple"]["attributeMapping"] == verified
    assert recorded["Facebook"]["attributeMapping"] == {"email": "email", "username": "id"}
    assert recorded["LoginWithAmazon"]["attributeMapping"] == {"email": "email", "username": "user_id"}
    assert recorded["CorpSaml"]["attributeMapping"] == {"email": SAML_EMAIL_CLAIM}


def test_keys_aws_fills_in_are_ignored_but_configured_keys_never_are(full: Evaluated) -> None:
    _, registrations = full
    ignored = {
        name[len("auth-idp-") :]: reg.ignore_changes
        for name, reg in registrations.items()
        if name.startswith("auth-idp-")
    }
    assert 'providerDetails["authorize_url"]' in ignored["Okta"]
    assert 'providerDetails["jwks_uri"]' in ignored["Okta"]
    assert {'providerDetails["oidc_issuer"]', 'providerDetails["token_url"]'} <= set(ignored["Google"])
    assert 'providerDetails["ActiveEncryptionCertificate"]' in ignored["CorpSaml"]
    assert 'providerDetails["MetadataFile"]' in ignored["CorpSaml"]
    assert 'providerDetails["MetadataFile"]' not in ignored["FileSaml"]
    for provider, paths in ignored.items():
        configured = registrations[f"auth-idp-{provider}"].inputs["providerDetails"]
        # Pulumi property-path syntax for a map key: the engine's camelCase name, then ["key"].
        keys = {re.fullmatch(r'providerDetails\["(\w+)"\]', path).group(1) for path in paths}  # type: ignore[union-attr]
        # A configured key under ignore_changes would hide real edits; Apple's key is write-only (documented).
        assert keys & set(configured) <= ({"private_key"} if provider == "SignInWithApple" else set())


def test_client_uses_code_flow_with_exact_scopes_urls_providers_and_waits_for_them(full: Evaluated) -> None:
    evaluation, _ = full
    client = evaluation.named("auth-web-client")
    inputs = client.inputs
    assert inputs["generateSecret"] is False
    assert inputs["allowedOauthFlowsUserPoolClient"] is True
    assert inputs["allowedOauthFlows"] == ["code"]
    assert inputs["allowedOauthScopes"] == ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
    assert inputs["callbackUrls"] == [LOCAL_URL, APP_URL] and inputs["logoutUrls"] == [APP_URL]
    names = [provider.provider_name for provider in ALL_PROVIDERS]
    assert inputs["supportedIdentityProviders"] == ["COGNITO", *names]
    assert {f"auth-idp-{name}" for name in names} <= set(client.dependencies)
    assert inputs["preventUserExistenceErrors"] == "ENABLED" and inputs["enableTokenRevocation"] is True
    assert {"email", "email_verified"} <= set(inputs["readAttributes"])
    assert (inputs["accessTokenValidity"], inputs["idTokenValidity"], inputs["refreshTokenValidity"]) == (
        15,
        30,
        7,
    )
    assert inputs["tokenValidityUnits"] == {
        "accessToken": "minutes",
        "idToken": "minutes",
        "refreshToken": "days",
    }


def test_prefix_domain_uses_managed_login_with_branding_for_the_client(full: Evaluated) -> None:
    evaluation, _ = full
    domain = evaluation.named("auth-domain").inputs
    assert domain == {"domain": "genai-login", "managedLoginVersion": 2, "userPoolId": domain["userPoolId"]}
    assert evaluation.outputs["domain"] == f"genai-login.auth.{TEST_REGION}.amazoncognito.com"
    [branding] = evaluation.of_type("aws:cognito/managedLoginBranding:ManagedLoginBranding")
    assert branding.inputs["useCognitoProvidedValues"] is True
    assert branding.inputs["clientId"] == evaluation.outputs["clientId"]
    assert "auth-domain" in branding.dependencies


def test_custom_domain_sends_certificate_and_reports_its_host() -> None:
    args = replace(
        FULL, hosted_domain=HostedDomain(custom_domain="login.example.com", certificate_arn=CERTIFICATE_ARN)
    )
    evaluation = evaluate_component(_auth(args, exports=True))
    domain = evaluation.named("auth-domain").inputs
    assert (domain["domain"], domain["certificateArn"], domain["managedLoginVersion"]) == (
        "login.example.com",
        CERTIFICATE_ARN,
        2,
    )
    assert evaluation.outputs["domain"] == "login.example.com"


def test_groups_are_created_with_precedence_and_description(full: Evaluated) -> None:
    groups = {
        record.inputs["name"]: record.inputs for record in full[0].of_type("aws:cognito/userGroup:UserGroup")
    }
    assert groups["admins"]["precedence"] == 0 and groups["admins"]["description"] == "Operators"
    assert groups["users"]["precedence"] == 10 and "description" not in groups["users"]


def _trust(evaluation: Evaluation, role: str) -> dict[str, Any]:
    [statement] = json.loads(evaluation.named(role).inputs["assumeRolePolicy"])["Statement"]
    return statement


def test_identity_pool_without_guests_has_one_permissionless_authenticated_role(full: Evaluated) -> None:
    evaluation, _ = full
    pool = evaluation.named("auth-identity-pool").inputs
    assert pool["allowUnauthenticatedIdentities"] is False
    [provider] = pool["cognitoIdentityProviders"]
    assert provider["clientId"] == evaluation.outputs["clientId"]
    assert provider["providerName"] == evaluation.outputs["issuer"].removeprefix("https://")
    assert [record.name for record in evaluation.of_type("aws:iam/role:Role")] == ["auth-authenticated-role"]
    statement = _trust(evaluation, "auth-authenticated-role")
    assert statement["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": evaluation.outputs["identityPoolId"]},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
    }
    role = evaluation.named("auth-authenticated-role").inputs
    assert not {"inlinePolicies", "managedPolicyArns"} & set(role)
    assert not [
        record
        for record in evaluation.resources
        if record.type.startswith("aws:iam/") and "olicy" in record.type
    ]
    attachment = evaluation.named("auth-identity-roles").inputs
    assert set(attachment["roles"]) == {"authenticated"}


def test_guest_access_adds_an_unauthenticated_role() -> None:
    evaluation = evaluate_component(_auth(replace(FULL, guest_access=True), exports=True))
    assert evaluation.named("auth-identity-pool").inputs["allowUnauthenticatedIdentities"] is True
    statement = _trust(evaluation, "auth-unauthenticated-role")
    assert statement["Condition"]["ForAnyValue:StringLike"] == {
        "cognito-identity.amazonaws.com:amr": "unauthenticated"
    }
    roles = evaluation.named("auth-identity-roles").inputs["roles"]
    assert set(roles) == {"authenticated", "unauthenticated"}
    assert roles["unauthenticated"].startswith("arn:aws:iam::123456789012:role/auth-unauthenticated-role-")


def test_lite_tier_drops_essentials_features_and_mfa_adds_totp() -> None:
    args = AuthArgs(region=TEST_REGION, user_pool_tier="LITE", mfa="REQUIRED")
    evaluation = evaluate_component(_auth(args))
    pool = evaluation.named("auth-user-pool").inputs
    assert pool["userPoolTier"] == "LITE" and "signInPolicy" not in pool
    assert pool["mfaConfiguration"] == "ON" and pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert "ALLOW_USER_AUTH" not in evaluation.named("auth-web-client").inputs["explicitAuthFlows"]


def test_client_facts_are_plain_values_that_match_what_was_declared() -> None:
    built: list[Auth] = []
    evaluation = evaluate_component(_auth(FULL, exports=True, built=built))
    facts = built[0].client_facts
    client = evaluation.named("auth-web-client").inputs
    assert facts.oauth_domain == evaluation.outputs["domain"]
    assert list(facts.oauth_scopes) == client["allowedOauthScopes"]
    assert (
        list(facts.callback_urls) == client["callbackUrls"]
        and list(facts.logout_urls) == client["logoutUrls"]
    )
    assert list(facts.provider_names) == client["supportedIdentityProviders"][1:]
    assert (
        list(facts.first_auth_factors)
        == evaluation.named("auth-user-pool").inputs["signInPolicy"]["allowedFirstAuthFactors"]
    )
    assert (
        facts.email_otp_enabled
        and facts.passkeys == FULL.passkeys
        and facts.preferred_challenge == "EMAIL_OTP"
    )
    assert facts.password_policy.minimum_length == 16
    assert [(group.name, group.precedence) for group in facts.groups] == [("admins", 0), ("users", 10)]
    assert (facts.identity_pool, facts.guest_access, facts.mfa, facts.mfa_methods) == (True, False, "OFF", ())


def _with(**changes: Any) -> AuthArgs:
    return replace(FULL, **changes)


BAD_INPUTS = {
    "email OTP without SES": (_with(email_sender=None), "AuthArgs.email_sender"),
    "plain http callback": (_with(callback_urls=("http://app.example.com/",)), "AuthArgs.callback_urls[0]"),
    "provider without client id": (
        _with(identity_providers=(GoogleProvider(client_id="", client_secret="s"),)),
        "AuthArgs.identity_providers[0].client_id",
    ),
    "duplicate provider names": (
        _with(identity_providers=(ALL_PROVIDERS[0], replace(ALL_PROVIDERS[0], name="okta"))),
        "AuthArgs.identity_providers[1]",
    ),
    "domain prefix with a reserved word": (
        _with(hosted_domain=HostedDomain(prefix="my-cognito")),
        "AuthArgs.hosted_domain.prefix",
    ),
    "domain prefix with uppercase": (
        _with(hosted_domain=HostedDomain(prefix="MyApp")),
        "AuthArgs.hosted_domain.prefix",
    ),
    "LITE with passwordless": (_with(user_pool_tier="LITE"), "AuthArgs.user_pool_tier"),
    "MFA required with passwordless": (_with(mfa="REQUIRED"), "AuthArgs.mfa"),
    "passkey factor without relying party": (_with(passkeys=None), "AuthArgs.passkeys"),
    "certificate outside us-east-1": (
        _with(
            hosted_domain=HostedDomain(
                custom_domain="login.example.com",
                certificate_arn=CERTIFICATE_ARN.replace("us-east-1", "eu-west-1"),
            )
        ),
        "AuthArgs.hosted_domain.certificate_arn",
    ),
    "OIDC without openid scope": (
        _with(identity_providers=(replace(ALL_PROVIDERS[0], scopes=("email", "profile")),)),
        "AuthArgs.identity_providers[0].scopes",
    ),
    "OIDC issuer over http": (
        _with(identity_providers=(replace(ALL_PROVIDERS[0], issuer_url="http://example.okta.com"),)),
        "AuthArgs.identity_providers[0].issuer_url",
    ),
    "provider named Cognito": (
        _with(identity_providers=(replace(ALL_PROVIDERS[0], name="Cognito"),)),
        "AuthArgs.identity_providers[0].name",
    ),
    "short password": (
        _with(password_policy=PasswordPolicy(minimum_length=7)),
        "AuthArgs.password_policy.minimum_length",
    ),
    "factor outside the supported set": (
        _with(first_auth_factors=("PASSWORD", "SMS_OTP")),
        "AuthArgs.first_auth_factors",
    ),
    "no factor at all": (_with(first_auth_factors=()), "AuthArgs.first_auth_factors"),
    "guest access without identity pool": (
        _with(identity_pool=False, guest_access=True),
        "AuthArgs.guest_access",
    ),
    "domain without callback URLs": (_with(callback_urls=()), "AuthArgs.callback_urls"),
    "access token beyond a day": (
        _with(token_validity=TokenValidity(access_token_minutes=1441)),
        "AuthArgs.token_validity.access_token_minutes",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_rejected_by_field_before_anything_is_declared(case: str) -> None:
    args, field = BAD_INPUTS[case]
    errors: list[str] = []

    def build() -> None:
        try:
            Auth("auth", args)
        except ValueError as error:
            errors.append(str(error))

    evaluation = evaluate_component(build)
    assert evaluation.resources == []
    assert len(errors) == 1 and errors[0].startswith(f"{field}:"), errors
