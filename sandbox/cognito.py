"""The user pool, its web client and groups from the stack's ``AuthArgs``, in moto's Cognito; users from a file.

The Auth component turns checked args into ``aws.cognito.UserPool`` inputs (``_user_pool_inputs``) and a
client; the same inputs are translated here into ``CreateUserPool`` / ``CreateUserPoolClient`` /
``CreateGroup`` calls, so the password policy, username attributes, sign-in policy, token lifetimes and
read attributes are the deployed ones. Left out, because moto has no use for them or no API: federated
identity providers, the managed-login domain and branding, passkey settings and the identity pool.

Tokens are verified the way AppSync does for the user-pools mode: RS256 signature against the pool's
JWKS (moto serves ``/<pool id>/.well-known/jwks.json``), issuer, expiry, ``token_use`` id or access, and the
audience (``aud`` / ``client_id``) of the pool's client.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from genai_backend_components.auth import AuthModel
from genai_backend_components.auth.component import (
    READ_ATTRIBUTES,
    TOKEN_VALIDITY_UNITS,
    Auth,
    _user_pool_inputs,
    explicit_auth_flows,
)

POOL_NAME = "sandbox"
_RENAMED = {
    "schemas": "Schema",
    "attributes_require_verification_before_updates": "AttributesRequireVerificationBeforeUpdate",
    "from_email_address": "From",
}
_UNSUPPORTED = ("web_authn_configuration", "software_token_mfa_configuration", "tags")
"""Pool inputs with no CreateUserPool counterpart in moto (set through other APIs in AWS, or not needed)."""
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class UsersFileError(ValueError):
    """The --users file is not a JSON list of {"email", "password", "groups"} the pool accepts."""


def _pascal(name: str) -> str:
    return _RENAMED.get(name) or "".join(part.capitalize() for part in name.split("_"))


def _api_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {_pascal(key): _api_value(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_api_value(item) for item in value]
    return value


def create_user_pool_request(spec: AuthModel) -> tuple[dict[str, Any], list[str]]:
    """``CreateUserPool`` parameters from the Auth component's own pool inputs; also what was left out."""
    inputs = _user_pool_inputs(spec)
    left_out = sorted(key for key in inputs if key in _UNSUPPORTED and inputs[key] is not None)
    request: dict[str, Any] = {"PoolName": POOL_NAME}
    policies: dict[str, Any] = {}
    for key, value in inputs.items():
        if key in _UNSUPPORTED or value is None:
            continue
        if key in ("password_policy", "sign_in_policy"):
            policies[_pascal(key)] = _api_value(value)
        else:
            request[_pascal(key)] = _api_value(value)
    if policies:
        request["Policies"] = policies
    return request, left_out


def create_client_request(spec: AuthModel, pool_id: str) -> dict[str, Any]:
    """``CreateUserPoolClient`` parameters of the Auth component's web client (no federated providers)."""
    validity = spec.token_validity
    oauth = {_pascal(key): value for key, value in Auth._oauth_inputs(spec).items()}
    if "CallbackUrls" in oauth:
        oauth["CallbackURLs"] = oauth.pop("CallbackUrls")
        oauth["LogoutURLs"] = oauth.pop("LogoutUrls")
        oauth["AllowedOAuthFlowsUserPoolClient"] = oauth.pop("AllowedOauthFlowsUserPoolClient")
        oauth["AllowedOAuthFlows"] = oauth.pop("AllowedOauthFlows")
        oauth["AllowedOAuthScopes"] = oauth.pop("AllowedOauthScopes")
    return {
        "UserPoolId": pool_id,
        "ClientName": f"{POOL_NAME}-web",
        "GenerateSecret": False,
        "ExplicitAuthFlows": explicit_auth_flows(spec.user_pool_tier.value),
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "ReadAttributes": list(READ_ATTRIBUTES),
        "AccessTokenValidity": validity.access_token_minutes,
        "IdTokenValidity": validity.id_token_minutes,
        "RefreshTokenValidity": validity.refresh_token_days,
        "TokenValidityUnits": {_pascal(key): unit for key, unit in TOKEN_VALIDITY_UNITS.items()},
        "SupportedIdentityProviders": ["COGNITO"],
        **oauth,
    }


@dataclass(frozen=True)
class SandboxUser:
    email: str
    password: str
    groups: tuple[str, ...]


def read_users(path: Path, known_groups: set[str]) -> list[SandboxUser]:
    """Users from a JSON list of ``{"email", "password", "groups"}``; every problem names its item and field."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsersFileError(f"--users: {path} does not exist") from None
    except json.JSONDecodeError as error:
        raise UsersFileError(f"--users: {path} is not JSON ({error.msg}, line {error.lineno})") from None
    if not isinstance(document, list):
        raise UsersFileError(f'--users: {path} must hold a JSON list of {{"email", "password", "groups"}}')
    users: list[SandboxUser] = []
    problems: list[str] = []
    seen: set[str] = set()
    for index, item in enumerate(document):
        where = f"{path}[{index}]"
        found: list[str] = []
        if not isinstance(item, dict):
            problems.append(f'{where}: must be an object {{"email", "password", "groups"}}')
            continue
        unknown = sorted(set(item) - {"email", "password", "groups"})
        if unknown:
            found.append(f"{where}: unknown field(s) {unknown}; allowed: email, password, groups")
        email, password, groups = item.get("email"), item.get("password"), item.get("groups", [])
        if not isinstance(email, str) or not EMAIL.match(email):
            found.append(f"{where}.email: must be an email address, got {email!r}")
        elif email.lower() in seen:
            found.append(f"{where}.email: {email} is listed twice")
        else:
            seen.add(email.lower())
        if not isinstance(password, str) or not password:
            found.append(f"{where}.password: must be a non-empty string")
        if not isinstance(groups, list) or not all(isinstance(group, str) for group in groups):
            found.append(f"{where}.groups: must be a list of group names")
        else:
            missing = sorted(set(groups) - known_groups)
            if missing:
                allowed = ", ".join(sorted(known_groups)) or "none (the stack declares no authGroups)"
                found.append(f"{where}.groups: {missing} are not groups of the pool; allowed: {allowed}")
        problems += found
        if not found:
            users.append(SandboxUser(email, password, tuple(groups)))
    if problems:
        raise UsersFileError("--users: invalid users file:\n  - " + "\n  - ".join(problems))
    return users


@dataclass
class SandboxPool:
    """The created pool: ids, the endpoint, and a verifier for the tokens it issues."""

    pool_id: str
    client_id: str
    endpoint: str
    region: str
    left_out: list[str]
    groups: list[str]
    _keys: KeySet | None = None

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        return f"{self.endpoint}/{self.pool_id}/.well-known/jwks.json"

    def load_keys(self) -> None:
        with urllib.request.urlopen(self.jwks_url, timeout=5) as response:
            self._keys = KeySet.import_key_set(json.loads(response.read()))

    def verified_claims(self, token: str) -> dict[str, Any]:
        """Claims of a valid token of this pool's client; raises ValueError otherwise."""
        if self._keys is None:
            self.load_keys()
        assert self._keys is not None
        try:
            claims = dict(jwt.decode(token, self._keys, algorithms=["RS256"]).claims)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                exp={"essential": True},
                token_use={"essential": True, "values": ["id", "access"]},
            ).validate(claims)
        except (JoseError, ValueError) as failure:
            raise ValueError(f"token rejected: {type(failure).__name__}") from failure
        audience = claims.get("aud") if claims["token_use"] == "id" else claims.get("client_id")
        if audience != self.client_id:
            raise ValueError("token was issued to another client")
        return claims

    def identity(self, token: str, source_ip: str) -> dict[str, Any]:
        """``ctx.identity`` of a user-pools caller presenting ``token``."""
        return user_pools_identity(self.verified_claims(token), source_ip)


def user_pools_identity(claims: Mapping[str, Any], source_ip: str) -> dict[str, Any]:
    """``ctx.identity`` as AppSync builds it for a Cognito user-pools caller from the verified token's claims.

    Shape from the AWS AppSync resolver context reference: {sub, issuer, username, claims, sourceIp,
    defaultAuthStrategy, groups}; username is ``cognito:username`` in ID tokens and ``username`` in access tokens.
    """
    username = claims["cognito:username"] if claims["token_use"] == "id" else claims["username"]
    return {
        "sub": claims["sub"],
        "issuer": claims["iss"],
        "username": username,
        "claims": dict(claims),
        "sourceIp": [source_ip],
        "defaultAuthStrategy": "ALLOW",
        "groups": claims.get("cognito:groups"),
    }


def create_pool(client: Any, spec: AuthModel, endpoint: str, users: list[SandboxUser]) -> SandboxPool:
    """Creates pool, client, groups and users in moto; returns the pool with its token verifier."""
    request, left_out = create_user_pool_request(spec)
    pool_id = client.create_user_pool(**request)["UserPool"]["Id"]
    client_id = client.create_user_pool_client(**create_client_request(spec, pool_id))["UserPoolClient"][
        "ClientId"
    ]
    for group in spec.groups:
        extra = {"Description": group.description} if group.description else {}
        client.create_group(UserPoolId=pool_id, GroupName=group.name, Precedence=group.precedence, **extra)
    for user in users:
        attributes = [{"Name": "email", "Value": user.email}, {"Name": "email_verified", "Value": "true"}]
        client.admin_create_user(
            UserPoolId=pool_id, Username=user.email, UserAttributes=attributes, MessageAction="SUPPRESS"
        )
        try:
            client.admin_set_user_password(
                UserPoolId=pool_id, Username=user.email, Password=user.password, Permanent=True
            )
        except client.exceptions.InvalidPasswordException:
            policy = spec.password_policy
            raise UsersFileError(
                f"--users: the password of {user.email} does not meet the stack's password policy (at least "
                f"{policy.minimum_length} characters; lowercase {policy.require_lowercase}, uppercase "
                f"{policy.require_uppercase}, numbers {policy.require_numbers}, symbols {policy.require_symbols})"
            ) from None
        for group in user.groups:
            client.admin_add_user_to_group(UserPoolId=pool_id, Username=user.email, GroupName=group)
    region = pool_id.split("_", 1)[0]
    pool = SandboxPool(pool_id, client_id, endpoint, region, left_out, [group.name for group in spec.groups])
    pool.load_keys()
    return pool
