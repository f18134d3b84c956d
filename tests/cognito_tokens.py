"""Real Cognito tokens from moto, and ``ctx.identity`` built from them exactly as AppSync does.

Resolver authorization tests are only worth something if the identity they feed in is the one
AppSync would build, so identities here come from tokens moto's Cognito really issued, verified
against the pool's JWKS before any claim is trusted. Use inside ``moto.mock_aws()`` (the JWKS
request goes to moto too) or pass ``jwks_url`` for a ``moto_server``.

Facts relied on (Amazon Cognito Developer Guide, "Understanding the ID token", "Understanding the access
token" and "Adding user pool sign-in through a third party"; moto's cognitoidp implementation):
* With email as the username attribute, the Cognito username is a generated id, not the email (moto uses
  the sub itself, so for these users ``username == sub``).
* Without username attributes the username is what the user signed up with (``alice-name``): ``username != sub``.
* A user who signs in through a third-party IdP gets the username ``<ProviderName>_<subject at the IdP>``
  (``OIDC-Provider_abc123``) and is added to the group ``<user pool id>_<ProviderName>``.
* moto writes the sign-in username into the ID token's ``email`` claim unless the app client's
  ReadAttributes lists email, so the client is created with ``["email", "email_verified"]``.
* ID tokens carry ``cognito:username`` and ``email``; access tokens carry ``username`` and no email.
  moto's ID tokens hold iss, sub, aud, token_use, iat, auth_time, exp, jti, origin_jti, cognito:username,
  the client's readable attributes (``email_verified`` as the string "true", where Cognito writes a
  boolean) and ``cognito:groups``; its access tokens hold client_id, username, scope, origin_jti and
  ``cognito:groups``.

``identity_kinds`` gives every way a person reaches AppSync in these tests (three accounts, two tokens each),
so an owner rule can be checked against identities whose username is, and is not, the sub.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import requests
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from sandbox.cognito import user_pools_identity

DEFAULT_PASSWORD = "Correct-Horse-9-Battery"
TEST_SOURCE_IP = "203.0.113.10"
"""An address from TEST-NET-3 (RFC 5737), reserved for documentation and tests."""
OIDC_PROVIDER = "OIDC-Provider"
"""The OIDC provider name both stacks configure (``authOidcProviders``)."""
ACCOUNTS = ("email", "username", "federated")
"""A person's accounts in ``identity_kinds``: email-username pool user, plain-username pool user, federated user."""
TOKENS = ("id", "access")
"""The token a caller presents: Amplify's client sends the access token by default; the ID token carries email."""
IDENTITY_KINDS = tuple(f"{account}-{token}" for account in ACCOUNTS for token in TOKENS)
"""``email-id``, ``email-access``, ``username-id``, ``username-access``, ``federated-id``, ``federated-access``."""


class UntrustedTokenError(ValueError):
    """The token's signature, issuer, expiry, use or audience does not fit this pool and client."""


@dataclass(frozen=True)
class SignedInUser:
    """A user of the test pool, signed in with USER_PASSWORD_AUTH."""

    email: str
    username: str
    """The Cognito username: generated (the sub, in moto) in an email-username pool; the chosen name in a
    plain-username pool; ``<ProviderName>_<subject>`` for a federated user."""
    sub: str
    id_token: str
    access_token: str
    provider: str | None = None
    """The third-party IdP a federated user came through; None for a user of the pool's own directory."""

    def token(self, kind: str) -> str:
        """The ``id`` or ``access`` token."""
        if kind not in TOKENS:
            raise ValueError(f"token kind must be one of {TOKENS}, got {kind!r}")
        return self.id_token if kind == "id" else self.access_token


class CognitoTestPool:
    """A moto user pool with one public app client, and a verifier for its tokens.

    By default email is the username attribute, as in both stacks; ``email_is_username=False`` makes a pool
    whose users sign in with a username of their own, where usernames differ from subs and federated-shaped
    users can exist (moto refuses a username that is not an email in an email-username pool).
    """

    def __init__(
        self,
        client: Any,
        *,
        pool_name: str = "resolver-tests",
        jwks_url: str | None = None,
        email_is_username: bool = True,
    ) -> None:
        self._client = client
        self.email_is_username = email_is_username
        # A mapped IdP attribute must be mutable; email stays required only where it is the username.
        email = {
            "Name": "email",
            "AttributeDataType": "String",
            "Required": email_is_username,
            "Mutable": True,
        }
        pool = client.create_user_pool(
            PoolName=pool_name,
            **({"UsernameAttributes": ["email"]} if email_is_username else {}),
            AutoVerifiedAttributes=["email"],
            Schema=[email],
        )["UserPool"]
        self.pool_id: str = pool["Id"]
        region = self.pool_id.split("_", 1)[0]
        self.issuer = f"https://cognito-idp.{region}.amazonaws.com/{self.pool_id}"
        self.client_id: str = client.create_user_pool_client(
            UserPoolId=self.pool_id,
            ClientName=f"{pool_name}-web",
            GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            ReadAttributes=["email", "email_verified"],
        )["UserPoolClient"]["ClientId"]
        self._jwks_url = jwks_url or f"{self.issuer}/.well-known/jwks.json"
        self._keys: KeySet | None = None
        self._providers: set[str] = set()

    def create_user(
        self,
        email: str,
        password: str = DEFAULT_PASSWORD,
        *,
        username: str | None = None,
        email_verified: bool = True,
    ) -> SignedInUser:
        """Creates a confirmed user (with a verified email unless ``email_verified`` is false) and signs them in.

        An email-username pool signs the user in by ``email`` (pass no ``username``); a plain-username pool
        needs the ``username`` the user signs in with.
        """
        if self.email_is_username == (username is not None):
            needed = "no username (email is the username)" if self.email_is_username else "a username"
            raise ValueError(f"pool {self.pool_id} needs {needed}; got username={username!r}")
        return self._create_and_sign_in(
            username or email, email, password, groups=(), provider=None, email_verified=email_verified
        )

    def create_federated_user(
        self, subject: str, email: str, *, provider: str = OIDC_PROVIDER, password: str = DEFAULT_PASSWORD
    ) -> SignedInUser:
        """A user shaped as Cognito creates one on a first sign-in through ``provider``, with moto-issued tokens.

        moto cannot federate (no IdP round trip through the managed login's ``/oauth2/idpresponse``), so this
        registers ``provider`` as an OIDC IdP of the pool, creates the user Cognito would create (username
        ``<provider>_<subject>``, the mapped email, membership of the group ``<pool id>_<provider>``) and signs
        them in with a password, which a real federated user has none of. The tokens are then what Cognito
        issues a federated user except for one claim: real ID tokens carry ``identities`` (providerName,
        userId, providerType, issuer, primary, dateCreated), and moto puts into ID tokens only the app
        client's readable attributes and ``custom:`` attributes, so it is absent here. Nothing under test reads it.
        """
        if self.email_is_username:
            raise ValueError(
                f"pool {self.pool_id}: moto accepts only emails as usernames where email is the username "
                "attribute; create the pool with email_is_username=False for federated-shaped users"
            )
        group = f"{self.pool_id}_{provider}"
        if provider not in self._providers:
            self._client.create_identity_provider(
                UserPoolId=self.pool_id,
                ProviderName=provider,
                ProviderType="OIDC",
                ProviderDetails={
                    "client_id": "test-client",
                    "client_secret": "test-secret",
                    "attributes_request_method": "GET",
                    "oidc_issuer": "https://idp.example.com",
                    "authorize_scopes": "openid email",
                },
                AttributeMapping={"email": "email", "email_verified": "email_verified", "username": "sub"},
            )
            self._client.create_group(UserPoolId=self.pool_id, GroupName=group)
            self._providers.add(provider)
        return self._create_and_sign_in(
            f"{provider}_{subject}", email, password, groups=(group,), provider=provider
        )

    def _create_and_sign_in(
        self,
        sign_in: str,
        email: str,
        password: str,
        *,
        groups: Iterable[str],
        provider: str | None,
        email_verified: bool = True,
    ) -> SignedInUser:
        verified = "true" if email_verified else "false"
        attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": verified}]
        created = self._client.admin_create_user(
            UserPoolId=self.pool_id, Username=sign_in, UserAttributes=attributes, MessageAction="SUPPRESS"
        )["User"]
        self._client.admin_set_user_password(
            UserPoolId=self.pool_id, Username=sign_in, Password=password, Permanent=True
        )
        for group in groups:  # before sign-in, so the tokens carry cognito:groups
            self._client.admin_add_user_to_group(UserPoolId=self.pool_id, Username=sign_in, GroupName=group)
        tokens = self._client.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": sign_in, "PASSWORD": password},
        )["AuthenticationResult"]
        sub = next(item["Value"] for item in created["Attributes"] if item["Name"] == "sub")
        return SignedInUser(
            email, created["Username"], sub, tokens["IdToken"], tokens["AccessToken"], provider=provider
        )

    def verified_claims(self, token: str) -> dict[str, Any]:
        """Claims of a token this pool issued to its client; raises UntrustedTokenError otherwise."""
        if self._keys is None:
            response = requests.get(self._jwks_url, timeout=5)
            response.raise_for_status()
            self._keys = KeySet.import_key_set(response.json())
        try:
            claims = dict(jwt.decode(token, self._keys, algorithms=["RS256"]).claims)
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                token_use={"essential": True, "values": ["id", "access"]},
            ).validate(claims)
        except (JoseError, ValueError) as failure:
            raise UntrustedTokenError(f"token rejected: {failure!r}") from failure
        audience = claims.get("aud") if claims["token_use"] == "id" else claims.get("client_id")
        if audience != self.client_id:
            raise UntrustedTokenError(f"token was issued to client {audience!r}, not {self.client_id!r}")
        return claims

    def identity_from_token(self, token: str, *, source_ip: str = TEST_SOURCE_IP) -> dict[str, Any]:
        """``ctx.identity`` for a Cognito user pools caller presenting this token, built as the sandbox builds
        it (``sandbox.cognito.user_pools_identity``, the shape of AppSync's resolver context reference)."""
        return user_pools_identity(self.verified_claims(token), source_ip)


@dataclass(frozen=True)
class Caller:
    """One way a person calls AppSync: one of their accounts, presenting one of its tokens."""

    person: str
    """Who it is, e.g. ``A``; each person has one account of every kind in ``ACCOUNTS``."""
    kind: str
    """``<account>-<token>``, one of ``IDENTITY_KINDS``."""
    user: SignedInUser
    identity: dict[str, Any]
    """``ctx.identity`` built from the verified token, as AppSync builds it."""

    @property
    def account(self) -> str:
        return self.kind.split("-", 1)[0]

    @property
    def token(self) -> str:
        return self.kind.split("-", 1)[1]

    @property
    def sub(self) -> str:
        return self.user.sub

    def __str__(self) -> str:
        return f"{self.person}:{self.kind}"


@dataclass(frozen=True)
class IdentityKinds:
    """Every person's every account and token (see ``identity_kinds``)."""

    email_pool: CognitoTestPool
    """Email is the username attribute, as in both stacks."""
    username_pool: CognitoTestPool
    """Plain usernames, and the federated users of ``OIDC_PROVIDER``."""
    callers: dict[tuple[str, str], Caller]

    def __call__(self, person: str, kind: str) -> Caller:
        return self.callers[(person, kind)]

    def of(self, person: str) -> list[Caller]:
        """``person``'s callers in ``IDENTITY_KINDS`` order."""
        return [self.callers[(person, kind)] for kind in IDENTITY_KINDS]


def identity_kinds(client: Any, people: Iterable[str] = ("A", "B")) -> IdentityKinds:
    """For each person, three accounts, each calling with its ID token and with its access token.

    ``email``: a user of an email-username pool (``username == sub``), the stacks' own users; ``username``:
    a user of a plain-username pool (``<person>-name``: ``username != sub``); ``federated``: in that pool, a user
    as Cognito creates one for a sign-in through ``OIDC-Provider`` (``OIDC-Provider_<subject>``: ``username !=
    sub``; see ``CognitoTestPool.create_federated_user`` for what moto cannot reproduce). Every account of a
    person is a separate Cognito user with its own sub; both tokens of one account share it. Call inside
    ``moto.mock_aws()``. Tokens are verified against their pool's JWKS before any identity is built.
    """
    email_pool = CognitoTestPool(client, pool_name="identity-kinds-email")
    username_pool = CognitoTestPool(client, pool_name="identity-kinds-username", email_is_username=False)
    callers: dict[tuple[str, str], Caller] = {}
    for person in people:
        tag = person.lower()
        accounts = {
            "email": (email_pool, email_pool.create_user(f"{tag}@example.com")),
            "username": (
                username_pool,
                username_pool.create_user(f"{tag}.name@example.com", username=f"{tag}-name"),
            ),
            "federated": (
                username_pool,
                username_pool.create_federated_user(f"idp-subject-{tag}", f"{tag}.federated@example.com"),
            ),
        }
        for account, (pool, user) in accounts.items():
            for token in TOKENS:
                kind = f"{account}-{token}"
                callers[(person, kind)] = Caller(
                    person, kind, user, pool.identity_from_token(user.token(token))
                )
    return IdentityKinds(email_pool, username_pool, callers)
