"""Routes merge their fields into the base schema's own root types; clashes are refused by name."""

import pytest
from graphql import parse

from genai_backend_components.graphql import add_to_schema, build_appsync_schema

BASE = "schema {\n  query: Query\n  mutation: Mutation\n}\n\ntype Query {\n  ping: String\n}\n\ntype Mutation {\n  poke: String\n}\n"


def test_fields_join_existing_roots_and_new_roots_are_named_in_the_schema_block() -> None:
    merged = add_to_schema(
        BASE,
        root_fields={
            "Query": "  pong: Pong",
            "Subscription": '  onPoke: String @aws_subscribe(mutations: ["poke"])',
        },
        types_sdl="\ntype Pong {\n  at: AWSDateTime\n}\n",
        owner="test",
    )
    schema = build_appsync_schema(merged)
    assert set(schema.query_type.fields) == {"ping", "pong"}  # type: ignore[union-attr]
    assert set(schema.subscription_type.fields) == {"onPoke"}  # type: ignore[union-attr]
    assert not any(node.kind.endswith("extension") for node in parse(merged).definitions)


@pytest.mark.parametrize(
    ("root_fields", "types_sdl", "message"),
    [
        ({"Query": "  ping: String"}, "", "test: the base schema already has Query.ping"),
        ({}, "type Query { other: String }", "test: the base schema already declares Query"),
        ({"Root": "  x: String"}, "", "root types must be among Query, Mutation, Subscription, not Root"),
        ({"Query": "  broken("}, "", "test: Query fields are not valid GraphQL"),
    ],
)
def test_clashes_and_bad_input_name_what_is_wrong(root_fields: dict, types_sdl: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        add_to_schema(BASE, root_fields=root_fields, types_sdl=types_sdl, owner="test")
