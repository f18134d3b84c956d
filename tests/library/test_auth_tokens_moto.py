"""The pool and client the Auth component declares, rebuilt in moto's Cognito, issue the tokens we rely on.

The settings are not retyped here: the component is evaluated under mocks and its wire inputs are
translated to CreateUserPool / CreateUserPoolClient requests (botocore validates them against AWS's
model on the way). What this proves:
- the ID token carries ``email`` (and ``email_verified``, a read attribute) and the access token does
  not: resolvers that see access tokens (what Amplify JS sends) must key users by ``sub``, never email;
  (moto quirk: it puts the real address in the ID token only for attributes the client may read, and
  the component's client lists email and email_verified, as the real one must for the frontend);
- both tokens are RS256-signed by the issuer the component reports, and share the user's ``sub``;
- the password policy the component derives is enforced (a strong 11-character password is refused).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import pulumi
import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet
from moto import mock_aws

from genai_backend_components.auth import Auth, AuthArgs, HostedDomain
from tests.library.test_auth_component import APP_URL, LOCAL_URL
from tests.support import TEST_REGION, evaluate_component

MODEL = boto3.session.Session().client("cognito-idp", region_name=TEST_REGION).meta.service_model
EMAIL = "Ada.Lovelace@example.com"
PASSWORD = "correct-Horse-7-battery"
# A dev-like stack: self sign-up, managed login with a prefix domain, password sign-in.
ARGS = AuthArgs(
    region=TEST_REGION,
    protect_data=False,
    allow_self_sign_up=True,
    hosted_domain=HostedDomain(prefix="genai-dev-login"),
    callback_urls=(LOCAL_URL, APP_URL),
    logout_urls=(LOCAL_URL, APP_URL),
)

# Where pulumi-aws names differ from (or nest differently than) the API's request members.
POOL_PATHS = {
    "schemas": ("Schema",),
    "passwordPolicy": ("Policies", "PasswordPolicy"),
    "signInPolicy": ("Policies", "SignInPolicy"),
}
CLIENT_PATHS = {
    "callbackUrls": ("CallbackURLs",),
    "logoutUrls": ("LogoutURLs",),
    "allowedOauthFlows": ("AllowedOAuthFlows",),
    "allowedOauthScopes": ("AllowedOAuthScopes",),
    "allowedOauthFlowsUserPoolClient": ("AllowedOAuthFlowsUserPoolClient",),
}
SPELLED_DIFFERENTLY = {
    "attributesRequireVerificationBeforeUpdates": "AttributesRequireVerificationBeforeUpdate"
}
# Inputs that are not part of the create call: the pool id is the create call's own argument.
NOT_IN_REQUEST = {"userPoolId"}


def _pascal(name: str) -> str:
    return SPELLED_DIFFERENTLY.get(name, name[0].upper() + name[1:])


def _pascal_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_pascal(key): _pascal_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_pascal_keys(item) for item in value]
    return value


def to_request(
    inputs: Mapping[str, Any], operation: str, paths: Mapping[str, tuple[str, ...]]
) -> dict[str, Any]:
    """Engine inputs -> API request; fails on any input that has no place in the request."""
    members = MODEL.operation_model(operation).input_shape.members
    request: dict[str, Any] = {}
    for key, value in inputs.items():
        if key in NOT_IN_REQUEST:
            continue
        path = paths.get(key, (_pascal(key),))
        assert path[0] in members, f"input {key!r} has no place in {operation}; extend the translation"
        target = request
        for part in path[:-1]:
            target = target.setdefault(part, {})
        target[path[-1]] = _pascal_keys(value)
    return request


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _declare() -> None:
    auth = Auth("auth", ARGS)
    pulumi.export("issuer", auth.issuer_url)
    pulumi.export("userPoolId", auth.user_pool_id)


@pytest.fixture(scope="module")
def cognito() -> Iterator[dict[str, Any]]:
    evaluation = evaluate_component(_declare)
    pool_inputs = evaluation.named("auth-user-pool").inputs
    client_inputs = evaluation.named("auth-web-client").inputs
    with mock_aws():
        idp = boto3.client(
            "cognito-idp", region_name=TEST_REGION, aws_access_key_id="test", aws_secret_access_key="test"
        )
        pool_id = idp.create_user_pool(
            PoolName="auth-user-pool", **to_request(pool_inputs, "CreateUserPool", POOL_PATHS)
        )["UserPool"]["Id"]
        client_request = to_request(client_inputs, "CreateUserPoolClient", CLIENT_PATHS)
        # moto cannot run USER_AUTH (the choice-based flow the component enables), so this test alone adds
        # the plain password flow to sign in; the deployed client never has it.
        client_request["ExplicitAuthFlows"] = [
            *client_request["ExplicitAuthFlows"],
            "ALLOW_USER_PASSWORD_AUTH",
        ]
        client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", **client_request)[
            "UserPoolClient"
        ]["ClientId"]
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=EMAIL,
            UserAttributes=[{"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"}],
            MessageAction="SUPPRESS",
        )
        # The issuer the component exports, with moto's pool id in place of the mock one.
        issuer = evaluation.outputs["issuer"].replace(evaluation.outputs["userPoolId"], pool_id)
        yield {"idp": idp, "pool_id": pool_id, "client_id": client_id, "issuer": issuer}


def test_derived_password_policy_refuses_a_strong_but_short_password(cognito: dict[str, Any]) -> None:
    idp = cognito["idp"]
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.admin_set_user_password(
            UserPoolId=cognito["pool_id"], Username=EMAIL, Password="Aa1!Aa1!Aa1", Permanent=True
        )


def test_id_token_has_email_and_access_token_does_not(cognito: dict[str, Any]) -> None:
    idp, pool_id, client_id = cognito["idp"], cognito["pool_id"], cognito["client_id"]
    idp.admin_set_user_password(UserPoolId=pool_id, Username=EMAIL, Password=PASSWORD, Permanent=True)
    tokens = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]

    id_claims, access_claims = _claims(tokens["IdToken"]), _claims(tokens["AccessToken"])
    assert id_claims["token_use"] == "id" and access_claims["token_use"] == "access"
    assert id_claims["email"] == EMAIL and id_claims["email_verified"] == "true"
    assert "email" not in access_claims and "email_verified" not in access_claims
    assert id_claims["sub"] == access_claims["sub"]
    assert id_claims["aud"] == client_id and access_claims["client_id"] == client_id

    # Tokens name the issuer the component exports, and its JWKS (moto serves it) verifies both signatures.
    assert id_claims["iss"] == access_claims["iss"] == cognito["issuer"]
    keys = KeySet.import_key_set(requests.get(f"{cognito['issuer']}/.well-known/jwks.json", timeout=5).json())
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        assert jwt.decode(token, keys, algorithms=["RS256"]).claims["sub"] == id_claims["sub"]
