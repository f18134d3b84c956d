"""Every enum-like value the Auth component sends is one Cognito's own API model (botocore) accepts.

Mocks accept any string, so a typo such as "ESSENTIAL" or "Preferred" would only fail at deploy time.
Values are read from what the component actually declared across configurations that together reach
every branch (protected or not, each tier family, each MFA mode, every provider type), plus the choice
lists the component's validation lets callers pick from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import botocore.session
import pytest

from genai_backend_components.auth import Auth, AuthArgs, FirstAuthFactor, UserPoolTier, UserVerification
from genai_backend_components.auth.component import MFA_CONFIGURATION
from tests.library.test_auth_component import FULL
from tests.support import TEST_REGION, evaluate_component
from tools.evaluate import ResourceRecord

MODEL = botocore.session.get_session().get_service_model("cognito-idp")
CONFIGURATIONS = {
    "full": FULL,
    "lite-optional-mfa": AuthArgs(
        region=TEST_REGION, protect_data=False, user_pool_tier="LITE", mfa="OPTIONAL"
    ),
    "plus-required-mfa": AuthArgs(
        region=TEST_REGION, protect_data=False, user_pool_tier="PLUS", mfa="REQUIRED"
    ),
}


@pytest.fixture(scope="module")
def declared() -> list[ResourceRecord]:
    records: list[ResourceRecord] = []
    for name, args in CONFIGURATIONS.items():
        records += evaluate_component(lambda args=args, name=name: Auth(name, args)).resources
    return records


def _inputs(records: list[ResourceRecord], kind: str) -> list[dict[str, Any]]:
    return [record.inputs for record in records if record.type == f"aws:cognito/{kind}"]


def _pools(records: list[ResourceRecord]) -> list[dict[str, Any]]:
    return _inputs(records, "userPool:UserPool")


def _clients(records: list[ResourceRecord]) -> list[dict[str, Any]]:
    return _inputs(records, "userPoolClient:UserPoolClient")


def _flat(groups: Iterable[Iterable[str]]) -> set[str]:
    return {value for group in groups for value in group}


SENT: dict[str, tuple[str, Callable[[list[ResourceRecord]], set[str]]]] = {
    "user pool tier": ("UserPoolTierType", lambda r: {p["userPoolTier"] for p in _pools(r)}),
    "first auth factors": (
        "AuthFactorType",
        lambda r: _flat(
            p["signInPolicy"]["allowedFirstAuthFactors"] for p in _pools(r) if "signInPolicy" in p
        ),
    ),
    "explicit auth flows": (
        "ExplicitAuthFlowsType",
        lambda r: _flat(c["explicitAuthFlows"] for c in _clients(r)),
    ),
    "oauth flows": ("OAuthFlowType", lambda r: _flat(c.get("allowedOauthFlows", []) for c in _clients(r))),
    "provider types": (
        "IdentityProviderTypeType",
        lambda r: {i["providerType"] for i in _inputs(r, "identityProvider:IdentityProvider")},
    ),
    "passkey user verification": (
        "UserVerificationType",
        lambda r: {
            p["webAuthnConfiguration"]["userVerification"] for p in _pools(r) if "webAuthnConfiguration" in p
        },
    ),
    "deletion protection": ("DeletionProtectionType", lambda r: {p["deletionProtection"] for p in _pools(r)}),
    "recovery mechanisms": (
        "RecoveryOptionNameType",
        lambda r: _flat(
            [m["name"] for m in p["accountRecoverySetting"]["recoveryMechanisms"]] for p in _pools(r)
        ),
    ),
    "token validity units": (
        "TimeUnitsType",
        lambda r: _flat(c["tokenValidityUnits"].values() for c in _clients(r)),
    ),
    "email sending account": (
        "EmailSendingAccountType",
        lambda r: {
            p["emailConfiguration"]["emailSendingAccount"] for p in _pools(r) if "emailConfiguration" in p
        },
    ),
    "user existence errors": (
        "PreventUserExistenceErrorTypes",
        lambda r: {c["preventUserExistenceErrors"] for c in _clients(r)},
    ),
    "mfa configuration": ("UserPoolMfaType", lambda r: {p["mfaConfiguration"] for p in _pools(r)}),
    "username attributes": (
        "UsernameAttributeType",
        lambda r: _flat(p["usernameAttributes"] for p in _pools(r)),
    ),
    "verified attributes": (
        "VerifiedAttributeType",
        lambda r: _flat(
            [
                *p["autoVerifiedAttributes"],
                *p["userAttributeUpdateSettings"]["attributesRequireVerificationBeforeUpdates"],
            ]
            for p in _pools(r)
        ),
    ),
    "schema data types": (
        "AttributeDataType",
        lambda r: _flat([s["attributeDataType"] for s in p["schemas"]] for p in _pools(r)),
    ),
}


@pytest.mark.parametrize("label", sorted(SENT))
def test_values_sent_are_in_the_cognito_enum(label: str, declared: list[ResourceRecord]) -> None:
    shape, collect = SENT[label]
    values = collect(declared)
    assert values, f"no configuration sent any {label}: the contract would pass vacuously"
    assert values <= set(MODEL.shape_for(shape).enum), (label, values)


def test_every_branch_value_was_reached(declared: list[ResourceRecord]) -> None:
    """Both deletion-protection states, all MFA modes and all six provider types appear above."""
    assert SENT["deletion protection"][1](declared) == {"ACTIVE", "INACTIVE"}
    assert SENT["mfa configuration"][1](declared) == set(MFA_CONFIGURATION.values())
    assert SENT["provider types"][1](declared) == set(MODEL.shape_for("IdentityProviderTypeType").enum)


def test_choices_callers_may_pick_are_in_the_cognito_enum() -> None:
    assert {tier.value for tier in UserPoolTier} <= set(MODEL.shape_for("UserPoolTierType").enum)
    assert {factor.value for factor in FirstAuthFactor} <= set(MODEL.shape_for("AuthFactorType").enum)
    assert {choice.value for choice in UserVerification} <= set(MODEL.shape_for("UserVerificationType").enum)
    assert set(MFA_CONFIGURATION.values()) <= set(MODEL.shape_for("UserPoolMfaType").enum)


def _pattern(shape: str) -> re.Pattern[str]:
    return re.compile(MODEL.shape_for(shape).metadata["pattern"].removeprefix("^").removesuffix("$"))


def test_numbers_domain_prefix_and_scopes_fit_the_model(declared: list[ResourceRecord]) -> None:
    for pool in _pools(declared):
        policy = pool["passwordPolicy"]
        length = MODEL.shape_for("PasswordPolicyMinLengthType").metadata
        days = MODEL.shape_for("TemporaryPasswordValidityDaysType").metadata
        assert length["min"] <= policy["minimumLength"] <= length["max"]
        assert days["min"] <= policy["temporaryPasswordValidityDays"] <= days["max"]
    prefixes = [domain["domain"] for domain in _inputs(declared, "userPoolDomain:UserPoolDomain")]
    assert prefixes and all(_pattern("DomainType").fullmatch(prefix) for prefix in prefixes)
    scopes = _flat(client.get("allowedOauthScopes", []) for client in _clients(declared))
    assert scopes and all(_pattern("ScopeType").fullmatch(scope) for scope in scopes)
