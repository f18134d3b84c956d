"""A generation route's answer schema, derived from any GraphQL return type, and the time budget of its answer."""

from __future__ import annotations

import pytest

from genai_backend_components.bedrock import (
    MODEL_BUDGET_SECONDS,
    model_speed,
    time_budget_problem,
    tokens_that_fit,
)
from genai_backend_components.generation import UnsupportedReturnTypeError, answer_schema, json_schema
from genai_backend_components.graphql import build_appsync_schema

TYPES = """
enum Tier { GOLD SILVER }
type Club @aws_cognito_user_pools { name: String! founded: Int tier: Tier! tags: [String!]! extra: AWSJSON }
type Query {
  club: Club
  clubs: [Club!]!
  count: Int!
  ratio: Float
  names: [String]
  tier: Tier
  ok: Boolean!
  data: AWSJSON
}
"""
SCHEMA = build_appsync_schema(TYPES)


def field_type(name: str):  # type: ignore[no-untyped-def]
    return SCHEMA.query_type.fields[name].type  # type: ignore[union-attr]


def test_scalars_map_to_json_types_and_nullability_admits_null() -> None:
    assert json_schema(field_type("count")) == {"type": "integer"}
    assert json_schema(field_type("ratio")) == {"type": ["number", "null"]}
    assert json_schema(field_type("ok")) == {"type": "boolean"}
    assert json_schema(field_type("data")) == {"description": "Any JSON value."}


def test_lists_keep_the_nullability_of_the_list_and_of_its_items() -> None:
    assert json_schema(field_type("names")) == {
        "type": ["array", "null"],
        "items": {"type": ["string", "null"]},
    }


def test_enums_list_their_values_and_admit_null_when_nullable() -> None:
    assert json_schema(field_type("tier")) == {"type": ["string", "null"], "enum": ["GOLD", "SILVER", None]}


def test_object_types_require_exactly_their_non_null_fields_and_nothing_else() -> None:
    schema = json_schema(field_type("clubs"))
    assert schema["type"] == "array"
    club = schema["items"]
    assert club["type"] == "object" and club["additionalProperties"] is False
    assert club["required"] == ["name", "tier", "tags"]
    assert club["properties"]["founded"] == {"type": ["integer", "null"]}
    assert club["properties"]["tier"] == {"type": "string", "enum": ["GOLD", "SILVER"]}
    assert club["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}


def test_the_answer_is_wrapped_in_value_because_a_tool_input_must_be_an_object() -> None:
    wrapped = answer_schema(field_type("count"))
    assert wrapped == {
        "type": "object",
        "properties": {"value": {"type": "integer"}},
        "required": ["value"],
        "additionalProperties": False,
    }


def test_self_containing_types_and_unions_are_refused() -> None:
    schema = build_appsync_schema(
        "type Node { next: Node }\ntype A { a: String }\ntype B { b: String }\nunion AB = A | B\n"
        "type Query { node: Node either: AB }"
    )
    with pytest.raises(UnsupportedReturnTypeError, match="Node contains itself"):
        json_schema(schema.query_type.fields["node"].type)  # type: ignore[union-attr]
    with pytest.raises(UnsupportedReturnTypeError, match="interface or union"):
        json_schema(schema.query_type.fields["either"].type)  # type: ignore[union-attr]


def test_time_budget_refuses_what_cannot_finish_within_appsync_limit_and_says_what_fits() -> None:
    sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0"
    # The case: 1,500 tokens of a Sonnet model at ~65 tokens/s is ~23 s of AppSync's 30 s.
    problem = time_budget_problem(sonnet, 1500)
    assert problem is not None
    assert "1,500 output tokens take about 24 s at 65 tokens/s" in problem
    assert "at most 1,200 fits" in problem
    assert time_budget_problem(sonnet, 1000) is None
    assert time_budget_problem(sonnet, 1500, tokens_per_second=120) is None


@pytest.mark.parametrize(
    ("model_id", "family"),
    [
        ("anthropic.claude-haiku-4-5-20251001-v1:0", "Anthropic Claude Haiku"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "Anthropic Claude Sonnet"),
        ("anthropic.claude-opus-4-1-20250805-v1:0", "Anthropic Claude Opus"),
        ("amazon.nova-micro-v1:0", "Amazon Nova Micro"),
        ("meta.llama3-1-70b-instruct-v1:0", "Meta Llama"),
        ("example.new-model-v1:0", "a model family without an estimate"),
    ],
)
def test_every_family_gets_an_estimate_and_unknown_ones_the_slowest(model_id: str, family: str) -> None:
    speed = model_speed(model_id)
    assert speed.family == family
    fits = tokens_that_fit(speed)
    assert speed.first_token_seconds + fits / speed.tokens_per_second <= MODEL_BUDGET_SECONDS
    assert time_budget_problem(model_id, fits) is None
    assert time_budget_problem(model_id, fits + 50) is not None
