"""The test-only IAM evaluator follows AWS's rules; the Bedrock policy tests are only as good as it is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policy_evaluator import arn_match, is_allowed, resource_match, wildcard_match

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders"
OTHER_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Invoices"
PROFILE = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0"
MODEL = "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def deny(action: Any, resource: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("Orders*", "Orders", True),
        ("Orders*", "OrdersArchive", True),
        ("Order?", "Orders", True),
        ("Order?", "Order", False),
        ("Order?", "Orderss", False),
        ("a.b", "axb", False),  # a regex metacharacter in a pattern is a literal
        ("v1:0", "v1:0", True),
        ("orders", "Orders", False),
    ],
)
def test_wildcards_match_whole_values(pattern: str, value: str, expected: bool) -> None:
    assert wildcard_match(pattern, value) is expected


def test_an_empty_policy_denies_implicitly() -> None:
    assert not is_allowed(policy(), "dynamodb:GetItem", TABLE, {})


def test_an_exact_allow_covers_only_that_action_and_resource() -> None:
    document = policy(allow("dynamodb:GetItem", TABLE))
    assert is_allowed(document, "dynamodb:GetItem", TABLE, {})
    assert not is_allowed(document, "dynamodb:PutItem", TABLE, {})
    assert not is_allowed(document, "dynamodb:GetItem", OTHER_TABLE, {})


def test_actions_match_case_insensitively_but_resources_do_not() -> None:
    document = policy(allow("DynamoDB:getitem", TABLE))
    assert is_allowed(document, "dynamodb:GetItem", TABLE, {})
    assert not is_allowed(document, "dynamodb:GetItem", TABLE.replace("Orders", "orders"), {})


def test_action_wildcards_widen_the_grant() -> None:
    document = policy(allow(["bedrock:InvokeModel*"], [MODEL]))
    assert is_allowed(document, "bedrock:InvokeModel", MODEL, {})
    assert is_allowed(document, "bedrock:InvokeModelWithResponseStream", MODEL, {})
    assert not is_allowed(document, "bedrock:GetInferenceProfile", MODEL, {})


def test_arn_like_wildcards_stay_inside_one_arn_part() -> None:
    assert arn_match("arn:aws:bedrock:*::foundation-model/*", MODEL)
    assert arn_match("arn:aws:bedrock:us-????-2::foundation-model/amazon.*", MODEL)
    assert arn_match("arn:aws:bedrock:*:*:inference-profile/*", PROFILE)
    # With five parts, the region wildcard would have to swallow the account: no match.
    assert not arn_match("arn:aws:bedrock:*:inference-profile/*", PROFILE)
    assert not arn_match("arn:aws:bedrock:*", PROFILE)


def test_resource_wildcards_end_a_shortened_arn_or_stay_in_their_part() -> None:
    assert resource_match("arn:aws:bedrock:*", PROFILE)
    assert resource_match("arn:aws:bedrock:us-east-1:123456789012:*", PROFILE)
    assert not resource_match("arn:aws:bedrock:*:inference-profile/*", PROFILE)
    assert not resource_match("arn:aws:bedrock:us-east-1", PROFILE)
    assert not resource_match("arn:aws:s3:*", PROFILE)
    assert resource_match("*", PROFILE)
    # The resource part keeps its own colons ("...-v1:0").
    assert resource_match("arn:aws:bedrock:*:*:inference-profile/us.amazon.nova-lite-v1:0", PROFILE)


def test_explicit_deny_beats_any_allow() -> None:
    document = policy(allow("dynamodb:*", "*"), deny("dynamodb:DeleteItem", TABLE))
    assert is_allowed(document, "dynamodb:PutItem", TABLE, {})
    assert not is_allowed(document, "dynamodb:DeleteItem", TABLE, {})
    assert is_allowed(document, "dynamodb:DeleteItem", OTHER_TABLE, {})


def test_not_action_and_not_resource_invert_the_match() -> None:
    document = policy(
        {"Effect": "Allow", "NotAction": "dynamodb:DeleteItem", "Resource": TABLE},
        {"Effect": "Allow", "Action": "dynamodb:Query", "NotResource": TABLE},
    )
    assert is_allowed(document, "dynamodb:PutItem", TABLE, {})
    assert not is_allowed(document, "dynamodb:DeleteItem", TABLE, {})
    assert is_allowed(document, "dynamodb:Query", OTHER_TABLE, {})
    assert not is_allowed(document, "dynamodb:Scan", OTHER_TABLE, {})


def test_a_single_statement_object_is_accepted() -> None:
    document = {"Version": "2012-10-17", "Statement": allow("dynamodb:GetItem", TABLE)}
    assert is_allowed(document, "dynamodb:GetItem", TABLE, {})


def test_string_equals_requires_the_key_and_the_exact_value() -> None:
    document = policy(
        allow("bedrock:InvokeModel", MODEL, {"StringEquals": {"bedrock:InferenceProfileArn": PROFILE}})
    )
    assert is_allowed(document, "bedrock:InvokeModel", MODEL, {"bedrock:InferenceProfileArn": PROFILE})
    assert not is_allowed(document, "bedrock:InvokeModel", MODEL, {})
    other_profile = PROFILE.replace("/us.", "/eu.")
    assert not is_allowed(
        document, "bedrock:InvokeModel", MODEL, {"bedrock:InferenceProfileArn": other_profile}
    )
    assert not is_allowed(
        document, "bedrock:InvokeModel", MODEL, {"bedrock:InferenceProfileArn": PROFILE.upper()}
    )


def test_condition_key_names_are_case_insensitive() -> None:
    document = policy(
        allow("bedrock:InvokeModel", MODEL, {"StringEquals": {"aws:RequestedRegion": "us-west-2"}})
    )
    assert is_allowed(document, "bedrock:InvokeModel", MODEL, {"AWS:requestedregion": "us-west-2"})


def test_condition_keys_are_anded_and_listed_values_ored() -> None:
    condition = {
        "StringEquals": {
            "bedrock:InferenceProfileArn": PROFILE,
            "aws:RequestedRegion": ["us-east-1", "us-west-2"],
        }
    }
    document = policy(allow("bedrock:InvokeModel", MODEL, condition))
    both = {"bedrock:InferenceProfileArn": PROFILE, "aws:RequestedRegion": "us-west-2"}
    assert is_allowed(document, "bedrock:InvokeModel", MODEL, both)
    assert is_allowed(document, "bedrock:InvokeModel", MODEL, {**both, "aws:RequestedRegion": "us-east-1"})
    assert not is_allowed(
        document, "bedrock:InvokeModel", MODEL, {**both, "aws:RequestedRegion": "eu-west-1"}
    )
    assert not is_allowed(document, "bedrock:InvokeModel", MODEL, {"bedrock:InferenceProfileArn": PROFILE})


def test_every_operator_in_a_block_must_hold() -> None:
    condition = {
        "StringEquals": {"aws:RequestedRegion": "us-west-2"},
        "ArnEquals": {"bedrock:InferenceProfileArn": PROFILE},
    }
    document = policy(allow("bedrock:InvokeModel", MODEL, condition))
    assert is_allowed(
        document,
        "bedrock:InvokeModel",
        MODEL,
        {"aws:RequestedRegion": "us-west-2", "bedrock:InferenceProfileArn": PROFILE},
    )
    assert not is_allowed(
        document,
        "bedrock:InvokeModel",
        MODEL,
        {"aws:RequestedRegion": "us-west-2", "bedrock:InferenceProfileArn": MODEL},
    )


def test_string_like_and_arn_like_accept_wildcards() -> None:
    profiles_in_account = "arn:aws:bedrock:*:123456789012:inference-profile/us.*"
    arn_like = policy(
        allow("bedrock:InvokeModel", MODEL, {"ArnLike": {"bedrock:InferenceProfileArn": profiles_in_account}})
    )
    assert is_allowed(arn_like, "bedrock:InvokeModel", MODEL, {"bedrock:InferenceProfileArn": PROFILE})
    foreign = PROFILE.replace("123456789012", "210987654321")
    assert not is_allowed(arn_like, "bedrock:InvokeModel", MODEL, {"bedrock:InferenceProfileArn": foreign})
    assert not is_allowed(
        arn_like, "bedrock:InvokeModel", MODEL, {"bedrock:InferenceProfileArn": "not-an-arn"}
    )

    string_like = policy(allow("s3:GetObject", "*", {"StringLike": {"aws:userid": "AROA*:alice"}}))
    assert is_allowed(string_like, "s3:GetObject", "arn:aws:s3:::bucket/key", {"aws:userid": "AROAXYZ:alice"})
    assert not is_allowed(
        string_like, "s3:GetObject", "arn:aws:s3:::bucket/key", {"aws:userid": "AROAXYZ:bob"}
    )


def test_a_deny_whose_condition_fails_does_not_apply() -> None:
    document = policy(
        allow("bedrock:InvokeModel", MODEL),
        {
            "Effect": "Deny",
            "Action": "bedrock:InvokeModel",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        },
    )
    assert is_allowed(document, "bedrock:InvokeModel", MODEL, {"aws:RequestedRegion": "us-west-2"})
    assert not is_allowed(document, "bedrock:InvokeModel", MODEL, {"aws:RequestedRegion": "eu-west-1"})


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (policy(allow("s3:GetObject", "*", {"NumericLessThan": {"s3:max-keys": "10"}})), "NumericLessThan"),
        (policy({"Effect": "Maybe", "Action": "s3:GetObject", "Resource": "*"}), "Effect"),
        (policy({"Effect": "Allow", "Resource": "*"}), "Action"),
        (
            policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "NotResource": "x"}),
            "Resource",
        ),
    ],
)
def test_what_it_cannot_judge_raises_instead_of_guessing(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        is_allowed(document, "s3:GetObject", "arn:aws:s3:::bucket/key", {"s3:max-keys": "5"})
