"""The identity fixtures the owner matrices run with (tests/cognito_tokens.py): real moto-issued tokens,
verified against their pool's JWKS, shaped as Cognito shapes them for each kind of user."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from tests.cognito_tokens import (
    IDENTITY_KINDS,
    OIDC_PROVIDER,
    CognitoTestPool,
    IdentityKinds,
    UntrustedTokenError,
    identity_kinds,
)

REGION = "us-east-1"


@pytest.fixture(scope="module")
def people() -> Iterator[IdentityKinds]:
    with mock_aws():
        yield identity_kinds(boto3.client("cognito-idp", region_name=REGION))


def test_every_kind_is_a_verified_token_of_its_account(people: IdentityKinds) -> None:
    for person in ("A", "B"):
        callers = people.of(person)
        assert [caller.kind for caller in callers] == list(IDENTITY_KINDS)
        for caller in callers:
            pool = people.email_pool if caller.account == "email" else people.username_pool
            identity, claims = caller.identity, caller.identity["claims"]
            assert claims["token_use"] == caller.token
            assert identity["sub"] == caller.user.sub and identity["issuer"] == pool.issuer
            assert identity["username"] == caller.user.username
            # The email claim only in ID tokens, as Cognito issues them.
            assert claims.get("email") == (caller.user.email if caller.token == "id" else None)
        # Both tokens of one account are one owner; every account is another.
        subs = [caller.sub for caller in callers]
        assert subs[0::2] == subs[1::2] and len(set(subs)) == 3


def test_usernames_are_the_sub_only_in_the_email_username_pool(people: IdentityKinds) -> None:
    a = {caller.kind: caller for caller in people.of("A")}
    assert a["email-id"].identity["username"] == a["email-id"].sub
    assert a["email-access"].identity["username"] == a["email-access"].sub
    assert a["username-id"].identity["username"] == a["username-access"].identity["username"] == "a-name"
    assert a["username-id"].sub != "a-name"


def test_federated_users_look_as_cognito_creates_them(people: IdentityKinds) -> None:
    for caller in people.of("B")[-2:]:
        assert caller.account == "federated" and caller.user.provider == OIDC_PROVIDER
        assert caller.identity["username"] == f"{OIDC_PROVIDER}_idp-subject-b"
        # Cognito adds a federated user to the group "<user pool id>_<provider name>".
        assert caller.identity["groups"] == [f"{people.username_pool.pool_id}_{OIDC_PROVIDER}"]
    native = people("B", "username-access")
    assert native.user.provider is None and native.identity["groups"] is None


def test_a_token_of_one_pool_is_refused_by_the_other(people: IdentityKinds) -> None:
    with pytest.raises(UntrustedTokenError, match="iss"):
        people.email_pool.identity_from_token(people("A", "federated-id").user.id_token)
    with pytest.raises(UntrustedTokenError, match="iss"):
        people.username_pool.identity_from_token(people("A", "email-access").user.access_token)


def test_pools_refuse_users_of_the_wrong_shape() -> None:
    with mock_aws():
        client = boto3.client("cognito-idp", region_name=REGION)
        email_pool = CognitoTestPool(client, pool_name="email")
        username_pool = CognitoTestPool(client, pool_name="names", email_is_username=False)
        with pytest.raises(ValueError, match="no username"):
            email_pool.create_user("c@example.com", username="c-name")
        with pytest.raises(ValueError, match="needs a username"):
            username_pool.create_user("c@example.com")
        with pytest.raises(ValueError, match="email_is_username=False"):
            email_pool.create_federated_user("subject", "c@example.com")
