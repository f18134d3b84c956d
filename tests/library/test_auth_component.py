"""The Auth component under Pulumi mocks: what the engine receives for each option, and what it refuses."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from google.protobuf import json_format

from genai_backend_components.auth import (
    SAML_EMAIL_CLAIM,
    AppleProvider,
    Auth,
    AuthArgs,
    FacebookProvider,
    HostedDomain,
    OidcProvider,
    Passkeys,
    PasswordPolicy,
    SamlProvider,
    SesEmailSender,
    SocialProvider,
    TokenValidity,
    UserGroup,
)
from genai_backend_components.auth.client_facts import PasskeySettings
from genai_backend_components.validation import InvalidArgsError, Problem
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
    """What the engine got besides the recorded (masked) inputs: the ignored changes, and raw inputs."""

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
            pulumi.export("domain", auth.managed_login_host)
            pulumi.export("issuer", auth.issuer_url)
            pulumi.export("jwks", auth.jwks_url)
            pulumi.export("identityPoolId", auth.identity_pool_id)
            pulumi.export("clientId", auth.client_id)
            pulumi.export("userPoolId", auth.user_pool_id)

    return build


OKTA = OidcProvider(
    name="Okta",
    issuer_url="https://example.okta.com",
    client_id="okta-client",
    client_secret=pulumi.Output.secret("okta-secret"),
    attributes_request_method="POST",
)
CORP_SAML = SamlProvider(name="CorpSaml", metadata_url="https://idp.example.com/metadata")
FILE_SAML = SamlProvider(name="FileSaml", metadata_file=SAML_METADATA, sign_out=True)
GOOGLE = SocialProvider(client_id="google-client", client_secret="google-secret")
FACEBOOK = FacebookProvider(client_id="facebook-app", client_secret="facebook-secret")
AMAZON = SocialProvider(client_id="amazon-client", client_secret="amazon-secret")
APPLE = AppleProvider(
    services_id="com.example.web", team_id="TEAM123456", key_id="KEY1234567", private_key="p8"
)
PROVIDER_NAMES = ["Okta", "CorpSaml", "FileSaml", "Google", "Facebook", "LoginWithAmazon", "SignInWithApple"]
"""Every provider of FULL by its Cognito name, in the order the client lists them: OIDC, SAML, then social."""

MINIMAL = AuthArgs(region=TEST_REGION, protect_data=False)
FULL = AuthArgs(
    region=TEST_REGION,
    first_auth_factors=("PASSWORD", "EMAIL_OTP", "WEB_AUTHN"),
    preferred_challenge="EMAIL_OTP",
    passkeys=Passkeys(relying_party_id="app.example.com", user_verification="required"),
    email_sender=SesEmailSender(source_arn=SES_ARN, from_email_address="App <no-reply@example.com>"),
    password_policy=PasswordPolicy(minimum_length=16, require_symbols=False),
    allow_self_sign_up=True,
    protect_data=True,
    oidc_providers=(OKTA,),
    saml_providers=(CORP_SAML, FILE_SAML),
    google=GOOGLE,
    facebook=FACEBOOK,
    amazon=AMAZON,
    apple=APPLE,
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


def _with(**changes: Any) -> AuthArgs:
    """FULL with some args changed (args are plain mappings)."""
    return AuthArgs(**{**FULL, **changes})  # type: ignore[typeddict-item]


def _without(*names: str) -> AuthArgs:
    """FULL without some args, as a caller that never set them."""
    return AuthArgs(**{key: value for key, value in FULL.items() if key not in names})  # type: ignore[typeddict-item]


@pytest.fixture(scope="module")
def minimal() -> Evaluated:
    return evaluate_with_options(_auth(MINIMAL, exports=True))


@pytest.fixture(scope="module")
def full() -> Evaluated:
    return evaluate_with_options(_auth(FULL, exports=True))


def test_minimal_pool_is_email_only_admin_created_and_unprotected(minimal: Evaluated) -> None:
    evaluation, _ = minimal
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
    record = evaluation.named("auth-user-pool")
    assert (record.protect, record.retain_on_delete) == (False, False)
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
    evaluation, _ = full
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
    record = evaluation.named("auth-user-pool")
    assert (record.protect, record.retain_on_delete) == (True, True)


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
    assert inputs["supportedIdentityProviders"] == ["COGNITO", *PROVIDER_NAMES]
    assert {f"auth-idp-{name}" for name in PROVIDER_NAMES} <= set(client.dependencies)
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
    args = _with(
        hosted_domain=HostedDomain(custom_domain="login.example.com", certificate_arn=CERTIFICATE_ARN)
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
    evaluation = evaluate_component(_auth(_with(guest_access=True), exports=True))
    assert evaluation.named("auth-identity-pool").inputs["allowUnauthenticatedIdentities"] is True
    statement = _trust(evaluation, "auth-unauthenticated-role")
    assert statement["Condition"]["ForAnyValue:StringLike"] == {
        "cognito-identity.amazonaws.com:amr": "unauthenticated"
    }
    roles = evaluation.named("auth-identity-roles").inputs["roles"]
    assert set(roles) == {"authenticated", "unauthenticated"}
    assert roles["unauthenticated"].startswith("arn:aws:iam::123456789012:role/auth-unauthenticated-role-")


def test_lite_tier_drops_essentials_features_and_mfa_adds_totp() -> None:
    args = AuthArgs(region=TEST_REGION, protect_data=False, user_pool_tier="LITE", mfa="REQUIRED")
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
    assert facts.email_otp_enabled and facts.preferred_challenge == "EMAIL_OTP"
    assert facts.passkeys == PasskeySettings(relying_party_id="app.example.com", user_verification="required")
    assert facts.password_policy.minimum_length == 16
    assert [(group.name, group.precedence) for group in facts.groups] == [("admins", 0), ("users", 10)]
    assert (facts.identity_pool, facts.guest_access, facts.mfa, facts.mfa_methods) == (True, False, "OFF", ())


def test_children_are_attributes_by_name() -> None:
    built: list[Auth] = []
    evaluate_component(_auth(FULL, built=built))
    auth = built[0]
    assert isinstance(auth.user_pool, aws.cognito.UserPool)
    assert isinstance(auth.client, aws.cognito.UserPoolClient)
    assert isinstance(auth.domain, aws.cognito.UserPoolDomain)
    assert isinstance(auth.branding, aws.cognito.ManagedLoginBranding)
    assert list(auth.identity_providers) == PROVIDER_NAMES == auth.provider_names
    assert all(isinstance(idp, aws.cognito.IdentityProvider) for idp in auth.identity_providers.values())
    assert list(auth.groups) == ["admins", "users"]
    assert isinstance(auth.identity_pool, aws.cognito.IdentityPool)
    assert isinstance(auth.authenticated_role, aws.iam.Role)

    built.clear()
    evaluate_component(_auth(MINIMAL, built=built))
    minimal = built[0]
    assert (minimal.domain, minimal.branding, minimal.managed_login_host) == (None, None, None)
    assert (minimal.identity_pool, minimal.authenticated_role) == (None, None)
    assert (minimal.identity_providers, minimal.groups) == ({}, {})


def _refused(args: Any) -> tuple[Evaluation, InvalidArgsError]:
    """Builds Auth from ``args`` under mocks, expecting it to refuse them before declaring anything."""
    errors: list[InvalidArgsError] = []

    def build() -> None:
        with pytest.raises(InvalidArgsError) as raised:
            Auth("auth", args)
        errors.append(raised.value)

    evaluation = evaluate_component(build)
    assert len(errors) == 1, "Auth accepted the args"
    return evaluation, errors[0]


BAD_INPUTS: dict[str, tuple[Any, list[tuple[str, str]]]] = {
    # case: (args, [(path, words its message contains) for each problem reported, in order])
    "email OTP without SES": (_without("email_sender"), [("email_sender", "EMAIL_OTP")]),
    "plain http callback": (
        _with(callback_urls=("http://app.example.com/",)),
        [("callback_urls[0]", "must be https (http only for localhost)")],
    ),
    "provider without client id": (
        _with(google=SocialProvider(client_id="", client_secret="s")),
        [("google.client_id", "must not be empty")],
    ),
    "duplicate provider names": (
        _with(oidc_providers=(OKTA, {**OKTA, "name": "okta"})),
        [("oidc_providers[1].name", "'okta' is used by another provider")],
    ),
    "duplicate provider names across kinds": (
        _with(saml_providers=(CORP_SAML, {**FILE_SAML, "name": "OKTA"})),
        [("saml_providers[1].name", "'OKTA' is used by another provider")],
    ),
    "domain prefix with a reserved word": (
        _with(hosted_domain=HostedDomain(prefix="my-cognito")),
        [("hosted_domain.prefix", "must not contain ['cognito']")],
    ),
    "domain prefix with uppercase": (
        _with(hosted_domain=HostedDomain(prefix="MyApp")),
        [("hosted_domain.prefix", "lowercase")],
    ),
    "LITE with passwordless": (
        _with(user_pool_tier="LITE"),
        [("user_pool_tier", "LITE does not support passwordless factors")],
    ),
    "MFA required with passwordless": (
        _with(mfa="REQUIRED"),
        [("mfa", "REQUIRED cannot be combined with passwordless factors")],
    ),
    "passkey factor without relying party": (
        _without("passkeys"),
        [("passkeys", "must be set exactly when first_auth_factors includes WEB_AUTHN")],
    ),
    "certificate outside us-east-1": (
        _with(
            hosted_domain=HostedDomain(
                custom_domain="login.example.com",
                certificate_arn=CERTIFICATE_ARN.replace("us-east-1", "eu-west-1"),
            )
        ),
        [("hosted_domain.certificate_arn", "is in 'eu-west-1'; Cognito custom domains need a us-east-1")],
    ),
    "OIDC without openid scope": (
        _with(oidc_providers=({**OKTA, "scopes": ("email", "profile")},)),
        [("oidc_providers[0].scopes", "must include ['openid']")],
    ),
    "OIDC issuer over http": (
        _with(oidc_providers=({**OKTA, "issuer_url": "http://example.okta.com"},)),
        [("oidc_providers[0].issuer_url", "must be an https:// URL")],
    ),
    "provider named Cognito": (
        _with(oidc_providers=({**OKTA, "name": "Cognito"},)),
        [("oidc_providers[0].name", "'Cognito' is reserved by Cognito")],
    ),
    "short password": (
        _with(password_policy=PasswordPolicy(minimum_length=7)),
        [("password_policy.minimum_length", "7 is not a whole number from 8 to 99")],
    ),
    "factor outside the supported set": (
        _with(first_auth_factors=("PASSWORD", "SMS_OTP")),
        [("first_auth_factors[1]", "'SMS_OTP' is not one of PASSWORD, EMAIL_OTP, WEB_AUTHN")],
    ),
    "no factor at all": (
        _with(first_auth_factors=()),
        # A rule of one field is checked with the field, so it is reported even beside other bad fields.
        [("first_auth_factors", "must include PASSWORD")],
    ),
    "a factor twice": (
        _with(first_auth_factors=("PASSWORD", "PASSWORD")),
        [("first_auth_factors", "must list each factor once")],
    ),
    "guest access without identity pool": (
        _with(identity_pool=False, guest_access=True),
        [("guest_access", "needs identity_pool")],
    ),
    "domain without callback URLs": (
        _with(callback_urls=()),
        [("callback_urls", "needs at least one URL when hosted_domain is set")],
    ),
    "access token beyond a day": (
        _with(token_validity=TokenValidity(access_token_minutes=1441)),
        [("token_validity.access_token_minutes", "1441 is not a whole number from 5 to 1440")],
    ),
    # What the checking model adds over the first-failure checks it replaced.
    "unknown arg": (
        {**MINIMAL, "protect_dta": True},
        [("protect_dta", "is not a known arg; did you mean 'protect_data'?")],
    ),
    "protect_data as text": ({**MINIMAL, "protect_data": "yes"}, [("protect_data", "must be true or false")]),
    "protect_data missing": ({"region": TEST_REGION}, [("protect_data", "is required")]),
    "OIDC provider name too short": (
        _with(oidc_providers=({**OKTA, "name": "ab"},)),
        [("oidc_providers[0].name", "'ab' must be 3 to 32 characters long")],
    ),
    "OIDC scopes without email": (
        _with(oidc_providers=({**OKTA, "scopes": ("openid", "profile")},)),
        [("oidc_providers[0].scopes", "must include ['email']")],
    ),
    "OIDC issuer without a host": (
        _with(oidc_providers=({**OKTA, "issuer_url": "https://"},)),
        [("oidc_providers[0].issuer_url", "'https://' must be an https:// URL with a host")],
    ),
    "first factors without PASSWORD": (
        _with(first_auth_factors=("EMAIL_OTP", "WEB_AUTHN")),
        [("first_auth_factors", "must include PASSWORD")],
    ),
    "passkey relying party with a scheme": (
        _with(passkeys=Passkeys(relying_party_id="https://app.example.com")),
        [("passkeys.relying_party_id", "no scheme, port, path")],
    ),
    "from address without @": (
        _with(email_sender=SesEmailSender(source_arn=SES_ARN, from_email_address="App <no-reply>")),
        [("email_sender.from_email_address", "is not an email address")],
    ),
    "uppercase custom domain": (
        _with(hosted_domain=HostedDomain(custom_domain="Login.Example.com", certificate_arn=CERTIFICATE_ARN)),
        [("hosted_domain.custom_domain", "must be a lowercase host name")],
    ),
    "Apple team id not Apple's format": (
        _with(apple={**APPLE, "team_id": "abc"}),
        [("apple.team_id", "must be Apple's 10-character id")],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_rejected_by_path_before_anything_is_declared(case: str) -> None:
    args, expected = BAD_INPUTS[case]
    evaluation, error = _refused(args)
    assert evaluation.resources == [], "a refused Auth declared resources (not even the component may exist)"
    assert [problem.path for problem in error.problems] == [path for path, _ in expected], error.problems
    for problem, (_, words) in zip(error.problems, expected, strict=True):
        assert words in problem.message, problem
    assert str(error).startswith("AuthArgs has ")


def test_every_problem_is_reported_at_once() -> None:
    args = _with(
        password_policy=PasswordPolicy(minimum_length=7),
        token_validity=TokenValidity(access_token_minutes=1441),
    )
    evaluation, error = _refused(args)
    assert evaluation.resources == []
    assert error.problems == (
        Problem("password_policy.minimum_length", "7 is not a whole number from 8 to 99"),
        Problem("token_validity.access_token_minutes", "1441 is not a whole number from 5 to 1440"),
    )
    assert str(error).startswith("AuthArgs has 2 invalid values:\n  - password_policy.minimum_length: ")


def test_secrets_never_appear_in_problems() -> None:
    _, error = _refused(_with(apple={**APPLE, "team_id": "abc", "private_key": 42}))
    assert {problem.path for problem in error.problems} == {"apple.team_id", "apple.private_key"}
    assert "42" not in str(error)
