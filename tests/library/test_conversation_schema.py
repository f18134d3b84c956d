"""The conversation route's SDL: naming, composition into a deployable AppSync schema, auth modes."""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    ObjectTypeDefinitionNode,
    extend_schema,
    parse,
)

from genai_backend_components.client_config import ConversationRouteOutputs, build_model_introspection
from genai_backend_components.conversation import (
    RouteNames,
    compose_conversation_schema,
    conversation_schema_sdl,
)
from genai_backend_components.graphql import build_appsync_schema
from tests.conversation_fakes import BASE_SCHEMA_SDL

BASE = BASE_SCHEMA_SDL
SUBSCRIPTION_BASE = """
schema { query: Query mutation: Mutation subscription: Subscription }
type Query { ping: String }
type Mutation { touch: String }
type Subscription { onTouch: String @aws_subscribe(mutations: ["touch"]) }
"""


@pytest.mark.parametrize(
    ("route", "suffix"),
    [("chat", "Chat"), ("pirateChat", "PirateChat"), ("Support2", "Support2"), ("a", "A")],
)
def test_route_names_follow_amplifys_first_letter_upper_case(route: str, suffix: str) -> None:
    names = RouteNames.of(route)
    assert names.suffix == suffix
    assert names.list_conversations == f"listConversation{suffix}s"
    assert names.stream_input_type == f"CreateConversationMessage{suffix}AssistantStreamingInput"


@pytest.mark.parametrize("route", ["", "1chat", "chat-room", "chat_room", "a" * 41, "chät"])
def test_bad_route_names_are_refused_with_the_rule(route: str) -> None:
    with pytest.raises(ValueError, match=r"route: .* \^\[a-zA-Z\]\[a-zA-Z0-9\]\{0,39\}\$"):
        RouteNames.of(route)


def test_fragment_extends_a_base_schema_with_every_route_field() -> None:
    base = build_appsync_schema(SUBSCRIPTION_BASE)
    extended = extend_schema(base, parse(conversation_schema_sdl("chat")))
    names = RouteNames.of("chat")
    query, mutation, subscription = (
        extended.get_type(root) for root in ("Query", "Mutation", "Subscription")
    )
    assert isinstance(query, GraphQLObjectType) and isinstance(mutation, GraphQLObjectType)
    assert isinstance(subscription, GraphQLObjectType)
    assert {names.get_conversation, names.list_conversations, names.list_messages} <= set(query.fields)
    assert {names.send_message, names.assistant_response, names.assistant_response_stream} <= set(
        mutation.fields
    )
    assert names.assistant_response_subscription in subscription.fields


def test_composed_schema_is_deployable_and_keeps_the_base() -> None:
    composed = compose_conversation_schema(BASE, ["chat", "support"])
    schema = build_appsync_schema(composed)
    assert "extend " not in composed  # AppSync rejects type extensions
    assert schema.subscription_type is not None and schema.subscription_type.name == "Subscription"
    assert composed.count("type AmplifyAIContentBlock ") == 1  # shared types once for two routes
    query = schema.get_type("Query")
    assert isinstance(query, GraphQLObjectType)
    assert {"getNote", "listNotes", "getConversationChat", "getConversationSupport"} <= set(query.fields)
    mutation = schema.get_type("Mutation")
    assert isinstance(mutation, GraphQLObjectType) and {"saveNote", "sendMessageChat"} <= set(mutation.fields)
    assert "getNote(id: ID!): Note @aws_cognito_user_pools @aws_iam" in composed
    # The base's schema block had no subscription root; composing added it.
    assert "subscription: Subscription" not in BASE and "subscription: Subscription" in composed
    with_subscription = build_appsync_schema(compose_conversation_schema(SUBSCRIPTION_BASE, ["chat"]))
    subscription = with_subscription.get_type("Subscription")
    assert isinstance(subscription, GraphQLObjectType)
    assert set(subscription.fields) == {"onTouch", "onCreateAssistantResponseChat"}


@pytest.mark.parametrize(
    ("base", "routes", "message"),
    [
        (
            BASE + "\ntype AmplifyAIContentBlock { text: String }\n",
            ["chat"],
            "already declares AmplifyAIContentBlock",
        ),
        (BASE, ["chat", "Chat"], "name the same route twice"),
        (BASE, [], "non-empty list"),
        ("type Query {", ["chat"], "base_sdl: not valid GraphQL"),
    ],
)
def test_composition_refuses_clashes(base: str, routes: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compose_conversation_schema(base, routes)


def _directives(schema_sdl: str) -> dict[str, set[str]]:
    """Object type name -> its auth directives, and "Root.field" -> the field's auth directives."""
    found: dict[str, set[str]] = {}
    for node in parse(schema_sdl).definitions:
        if isinstance(node, ObjectTypeDefinitionNode):
            found[node.name.value] = {directive.name.value for directive in node.directives}
            for field in node.fields:
                found[f"{node.name.value}.{field.name.value}"] = {d.name.value for d in field.directives}
    return found


def _reachable_objects(schema: GraphQLSchema, type_: object, seen: set[str]) -> set[str]:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    if isinstance(type_, GraphQLObjectType) and type_.name not in seen:
        seen.add(type_.name)
        for field in type_.fields.values():
            _reachable_objects(schema, field.type, seen)
    return seen


def test_every_type_a_field_returns_allows_that_fields_auth_mode() -> None:
    composed = compose_conversation_schema(BASE, ["chat"])
    schema = build_appsync_schema(composed)
    directives = _directives(composed)
    names = RouteNames.of("chat")
    iam_fields = {f"Mutation.{names.assistant_response}", f"Mutation.{names.assistant_response_stream}"}
    route_fields = [
        *(f"Query.{field}" for field in (names.get_conversation, names.list_conversations, names.list_messages)),
        *(f"Mutation.{field}" for field in (names.create_conversation, names.update_conversation,
                                            names.delete_conversation, names.send_message)),
        *iam_fields,
        f"Subscription.{names.assistant_response_subscription}",
    ]  # fmt: skip
    base_fields = {key for key in _directives(BASE) if "." in key}
    added = {
        key for key in directives if "." in key and key.split(".")[0] in ("Query", "Mutation", "Subscription")
    }
    assert added - base_fields == set(route_fields)  # every field the route adds is checked below
    for key in route_fields:
        mode = "aws_iam" if key in iam_fields else "aws_cognito_user_pools"
        assert directives[key] & {"aws_iam", "aws_cognito_user_pools"} == {mode}, key
        root, field_name = key.split(".")
        root_type = schema.get_type(root)
        assert isinstance(root_type, GraphQLObjectType)
        for type_name in _reachable_objects(schema, root_type.fields[field_name].type, set()):
            assert mode in directives[type_name], (
                f"{type_name} is returned by {key} but does not allow {mode}"
            )


def test_model_introspection_accepts_the_composed_schema() -> None:
    introspection = build_model_introspection(
        compose_conversation_schema(BASE, ["chat"]),
        conversation_routes=(ConversationRouteOutputs(name="chat"),),
    )
    route = introspection["conversations"]["chat"]
    assert route["conversation"] == {"modelName": "ConversationChat"}
    assert route["message"]["send"]["name"] == "sendMessageChat"
    assert route["message"]["subscribe"]["type"] == {"nonModel": "AmplifyAIConversationMessageStreamPart"}
