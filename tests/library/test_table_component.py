"""Table under mocks: keys, indexes, TTL, encryption, the protect_data switch, and grant statements."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pulumi
import pulumi_aws as aws
import pytest
from moto.iam.access_control import IAMPolicy, PermissionResult

from genai_backend_components import InvalidArgsError
from genai_backend_components.iam import policy_document, service_trust_policy
from genai_backend_components.table import (
    DYNAMODB_ITEM_ACTIONS,
    DYNAMODB_ITEM_READ_ACTIONS,
    GlobalSecondaryIndex,
    StreamViewType,
    Table,
    TableArgs,
)
from tests.support import evaluate_component
from tests.transforms import evaluate_with_engine_transforms, taggable, tagging_transform
from tools.evaluate import Evaluation

BY_SEASON = GlobalSecondaryIndex(name="bySeason", hash_key="season", range_key="id")
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _league_args(**overrides: Any) -> TableArgs:
    fields: dict[str, Any] = {
        "hash_key": "id",
        "attribute_types": {"season": "N", "id": "S"},
        "global_secondary_indexes": [BY_SEASON],
        "protect_data": False,
    }
    return TableArgs(**{**fields, **overrides})


def _evaluate(args: TableArgs) -> Evaluation:
    def program() -> None:
        table = Table("league", args)
        pulumi.export("arn", table.arn)
        pulumi.export("read", policy_document(table.read_statements("Read")))
        pulumi.export("readWrite", policy_document(table.read_write_statements("ReadWrite")))

    return evaluate_component(program)


def test_keys_index_and_billing_are_declared() -> None:
    inputs = _evaluate(_league_args()).named("league-table").inputs
    assert inputs["billingMode"] == "PAY_PER_REQUEST"
    assert inputs["hashKey"] == "id"
    assert "rangeKey" not in inputs
    # Only key attributes, deduplicated (id is a key twice), in a stable order.
    assert inputs["attributes"] == [{"name": "id", "type": "S"}, {"name": "season", "type": "N"}]
    assert inputs["globalSecondaryIndexes"] == [
        {
            "name": "bySeason",
            "keySchemas": [
                {"attributeName": "season", "keyType": "HASH"},
                {"attributeName": "id", "keyType": "RANGE"},
            ],
            "projectionType": "ALL",
        }
    ]
    assert "ttl" not in inputs


def test_follows_shape_with_range_key_ttl_and_include_projection() -> None:
    args = TableArgs(
        hash_key="owner",
        range_key="followId",
        attribute_types={"owner": "S", "followId": "S", "leagueId": "S"},
        global_secondary_indexes=[
            GlobalSecondaryIndex(
                name="byLeague", hash_key="leagueId", projection="INCLUDE", non_key_attributes=["email"]
            )
        ],
        ttl_attribute="expiresAt",
        protect_data=False,
    )
    inputs = _evaluate(args).named("league-table").inputs
    assert (inputs["hashKey"], inputs["rangeKey"]) == ("owner", "followId")
    assert [attribute["name"] for attribute in inputs["attributes"]] == ["followId", "leagueId", "owner"]
    (index,) = inputs["globalSecondaryIndexes"]
    assert (index["projectionType"], index["nonKeyAttributes"]) == ("INCLUDE", ["email"])
    assert inputs["ttl"] == {"attributeName": "expiresAt", "enabled": True}


def test_encryption_is_always_on_and_uses_the_given_key() -> None:
    assert _evaluate(_league_args()).named("league-table").inputs["serverSideEncryption"] == {"enabled": True}
    with_key = _evaluate(_league_args(kms_key_arn=KEY)).named("league-table").inputs
    assert with_key["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": KEY}


@pytest.mark.parametrize("protect_data", [True, False])
def test_protect_data_switches_recovery_deletion_protection_and_retention(protect_data: bool) -> None:
    table = _evaluate(_league_args(protect_data=protect_data)).named("league-table")
    assert table.inputs["pointInTimeRecovery"] == {"enabled": protect_data}
    assert table.inputs["deletionProtectionEnabled"] is protect_data
    assert (table.protect, table.retain_on_delete) == (protect_data, protect_data)


def _statements(evaluation: Evaluation, output: str) -> list[dict[str, Any]]:
    return json.loads(evaluation.outputs[output])["Statement"]


def test_read_statement_covers_table_and_indexes_without_scan_or_writes() -> None:
    evaluation = _evaluate(_league_args())
    arn = evaluation.outputs["arn"]
    (read,) = _statements(evaluation, "read")
    assert read["Resource"] == [arn, f"{arn}/index/*"]
    assert read["Action"] == [
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DescribeTable",
        "dynamodb:GetItem",
        "dynamodb:Query",
    ]
    policy = IAMPolicy(evaluation.outputs["read"])
    permitted = PermissionResult.PERMITTED
    assert policy.is_action_permitted("dynamodb:Query", f"{arn}/index/bySeason") == permitted
    assert policy.is_action_permitted("dynamodb:GetItem", arn) == permitted
    for denied in ("dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteTable"):
        assert policy.is_action_permitted(denied, arn) != permitted, denied
    assert policy.is_action_permitted("dynamodb:GetItem", arn + "-other") != permitted


def test_read_write_statement_adds_item_writes_only() -> None:
    evaluation = _evaluate(_league_args())
    (read,) = _statements(evaluation, "read")
    (read_write,) = _statements(evaluation, "readWrite")
    assert set(read_write["Action"]) - set(read["Action"]) == {
        "dynamodb:BatchWriteItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    }
    assert read_write["Resource"] == read["Resource"]
    for statement in (read, read_write):
        assert not any("*" in action for action in statement["Action"])


def test_table_grants_use_the_item_actions_data_sources_are_checked_against() -> None:
    """One definition: a Table grant and an AppSync data source never disagree on what is a read."""
    evaluation = _evaluate(_league_args())
    (read,) = _statements(evaluation, "read")
    (read_write,) = _statements(evaluation, "readWrite")
    assert set(read["Action"]) == {*DYNAMODB_ITEM_READ_ACTIONS, "dynamodb:DescribeTable"}
    assert set(read_write["Action"]) == {*DYNAMODB_ITEM_ACTIONS, "dynamodb:DescribeTable"}
    assert "dynamodb:ConditionCheckItem" in DYNAMODB_ITEM_READ_ACTIONS  # it only evaluates a condition


def test_customer_managed_key_adds_key_statements_on_that_key_only() -> None:
    evaluation = _evaluate(_league_args(kms_key_arn=KEY))
    _, read_key = _statements(evaluation, "read")
    _, write_key = _statements(evaluation, "readWrite")
    assert (read_key["Resource"], read_key["Action"]) == ([KEY], ["kms:Decrypt", "kms:DescribeKey"])
    assert write_key["Resource"] == [KEY]
    assert {"kms:Encrypt", "kms:GenerateDataKey*"} <= set(write_key["Action"])
    without_key = _evaluate(_league_args())
    assert len(_statements(without_key, "readWrite")) == 1


def test_grants_attach_inline_policies_to_the_given_role() -> None:
    def program() -> None:
        table = Table("league", _league_args())
        role = aws.iam.Role("reader", assume_role_policy=service_trust_policy("lambda.amazonaws.com"))
        table.grant_read(role, "handler")
        table.grant_read_write(role, "writer")

    evaluation = evaluate_component(program)
    role_name = evaluation.named("league-handler-read").inputs["role"]
    assert role_name.startswith("reader-")
    read_policy = json.loads(evaluation.named("league-handler-read").inputs["policy"])
    write_policy = json.loads(evaluation.named("league-writer-read-write").inputs["policy"])
    assert "dynamodb:PutItem" not in read_policy["Statement"][0]["Action"]
    assert "dynamodb:PutItem" in write_policy["Statement"][0]["Action"]
    assert evaluation.named("league-writer-read-write").inputs["role"] == role_name


def _season_index(**fields: Any) -> dict[str, Any]:
    return {
        "global_secondary_indexes": [
            GlobalSecondaryIndex(**{"name": "bySeason", "hash_key": "season", **fields})
        ]
    }


@pytest.mark.parametrize(
    ("overrides", "path", "words"),
    [
        (
            {"attribute_types": {"id": "S"}},
            "attribute_types",
            "missing a type (S, N or B) for key attribute(s) ['season']",
        ),
        (
            {"attribute_types": {"id": "S", "season": "N", "name": "S"}},
            "attribute_types",
            "['name'] are not keys",
        ),
        (
            {"attribute_types": {"id": "STRING", "season": "N"}},
            "attribute_types['id']",
            "'STRING' is not one of S, N, B",
        ),
        (  # a bad key is named by the key itself
            {"attribute_types": {"id": "S", "season": "N", "": "S"}},
            "attribute_types['']",
            "'' must be an attribute name of 1 to 255 characters",
        ),
        ({"range_key": "id"}, "range_key", "must differ from hash_key"),
        (
            {"global_secondary_indexes": [BY_SEASON, BY_SEASON]},
            "global_secondary_indexes[1].name",
            "used by another index",
        ),
        (_season_index(name="x"), "global_secondary_indexes[0].name", "3 to 255 characters"),
        (_season_index(range_key="season"), "global_secondary_indexes[0].range_key", "must differ"),
        (
            _season_index(projection="SOME"),
            "global_secondary_indexes[0].projection",
            "'SOME' is not one of ALL",
        ),
        (_season_index(projection="INCLUDE"), "global_secondary_indexes[0].non_key_attributes", "INCLUDE"),
        (
            _season_index(non_key_attributes=["a"]),
            "global_secondary_indexes[0].non_key_attributes",
            "INCLUDE",
        ),
        (
            _season_index(projection="INCLUDE", non_key_attributes=["id"]),
            "global_secondary_indexes[0].non_key_attributes",
            "['id'] are key attributes",
        ),
        ({"ttl_attribute": "id"}, "ttl_attribute", "'id' is a key attribute"),
        # Strict: "yes" used to reach AWS as the string "yes" instead of being refused here.
        ({"protect_data": "yes"}, "protect_data", "must be true or false (got 'yes')"),
        ({"protect_data": 1}, "protect_data", "must be true or false"),
        ({"kms_key_arn": "alias/mine"}, "kms_key_arn", "is not an ARN like arn:aws:kms:"),
        ({"stream_view_type": "ALL"}, "stream_view_type", "'ALL' is not one of KEYS_ONLY"),
        ({"ttl_atribute": "expiresAt"}, "ttl_atribute", "is not a known arg; did you mean 'ttl_attribute'?"),
        (_season_index(rangekey="id"), "global_secondary_indexes[0].rangekey", "did you mean 'range_key'?"),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_declared(
    overrides: dict[str, Any], path: str, words: str
) -> None:
    errors: list[InvalidArgsError] = []

    def program() -> None:
        try:
            Table("league", _league_args(**overrides))
        except InvalidArgsError as error:
            errors.append(error)

    assert evaluate_component(program).resources == []
    (error,) = errors
    assert [problem.path for problem in error.problems] == [path], error
    assert words in error.problems[0].message
    assert str(error).startswith("TableArgs has 1 invalid value:")


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidArgsError) as error:
        Table("league", _league_args(protect_data="yes", hash_key="", stream_view_type="ALL"))
    assert {problem.path for problem in error.value.problems} == {
        "protect_data",
        "hash_key",
        "stream_view_type",
    }
    assert str(error.value).startswith("TableArgs has 3 invalid values:")


def test_grant_helpers_validate_their_names() -> None:
    def program() -> None:
        table = Table("league", _league_args())
        with pytest.raises(ValueError, match=r"^sid:"):
            table.read_statements("not-a-sid")
        role = aws.iam.Role("r", assume_role_policy=service_trust_policy("lambda.amazonaws.com"))
        with pytest.raises(ValueError, match=r"^grantee:"):
            table.grant_read(role, "Bad Name")

    evaluate_component(program)


def test_stream_is_off_unless_a_view_is_chosen() -> None:
    dynamodb = botocore.session.get_session().get_service_model("dynamodb")
    assert {view.value for view in StreamViewType} == set(dynamodb.shape_for("StreamViewType").enum)

    def build(view: str | None) -> None:
        Table(
            "items",
            TableArgs(hash_key="id", attribute_types={"id": "S"}, protect_data=False, stream_view_type=view),
        )

    plain = evaluate_component(lambda: build(None)).named("items-table").inputs
    assert "streamEnabled" not in plain and "streamViewType" not in plain
    streamed = evaluate_component(lambda: build("KEYS_ONLY")).named("items-table").inputs
    assert (streamed["streamEnabled"], streamed["streamViewType"]) == (True, "KEYS_ONLY")
    with pytest.raises(InvalidArgsError) as error:
        build("ALL")
    assert [(problem.path, problem.message) for problem in error.value.problems] == [
        ("stream_view_type", "'ALL' is not one of KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES")
    ]


def test_tags_reach_every_taggable_child() -> None:
    tags = {"team": "data", "stage": "test"}
    evaluation = evaluate_component(lambda: Table("league", _league_args(tags=tags)))
    children = list(evaluation.children_of("league"))
    assert [record.name for record in children] == ["league-table"]
    for record in children:
        if taggable(record.type):
            assert record.inputs["tags"] == tags, record.name


def test_transforms_given_to_the_table_reach_its_children() -> None:
    transform, seen = tagging_transform("costCenter", "42")
    evaluation = evaluate_with_engine_transforms(
        lambda: Table(
            "league", _league_args(tags={"team": "data"}), pulumi.ResourceOptions(transforms=[transform])
        )
    )
    assert seen == {(record.type, record.name) for record in evaluation.resources}
    assert ("aws:dynamodb/table:Table", "league-table") in seen
    assert evaluation.named("league-table").inputs["tags"] == {"team": "data", "costCenter": "42"}
