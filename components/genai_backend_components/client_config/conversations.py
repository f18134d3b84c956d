"""The conversation routes of `model_introspection`: their derived names, schema checks and entries.

Amplify's data client is told little about a conversation route: the two model names, the send mutation
and the assistant-response subscription. Every other operation it calls (`getConversationChat`,
`listConversationChats`, `createConversationChat`, `listConversationMessageChats`, ...) it derives from
the model names by Amplify's own naming rules. Those rules are spelled out here, next to the check that
the schema really has each derived field, so a route the API cannot serve fails before deployment
instead of in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema

from ..conversation.names import ROUTE_NAME


@dataclass(frozen=True, kw_only=True)
class ConversationRouteOutputs:
    """One `a.conversation`-style route; names default to the ones Amplify derives from the route name."""

    name: str
    """Route name as the frontend uses it, `client.conversations.<name>` (e.g. "chat")."""
    send_message_mutation: str | None = None
    """Mutation storing the user's message and starting the assistant turn; default `sendMessage<Route>`."""
    assistant_response_subscription: str | None = None
    """Subscription streaming the assistant's reply; default `onCreateAssistantResponse<Route>`."""

    @property
    def conversation_model(self) -> str:
        return f"Conversation{self._suffix}"

    @property
    def message_model(self) -> str:
        return f"ConversationMessage{self._suffix}"

    @property
    def send_field(self) -> str:
        return self.send_message_mutation or f"sendMessage{self._suffix}"

    @property
    def subscribe_field(self) -> str:
        return self.assistant_response_subscription or f"onCreateAssistantResponse{self._suffix}"

    @property
    def _suffix(self) -> str:
        return self.name[:1].upper() + self.name[1:]

    def client_operations(self) -> dict[str, tuple[str, ...]]:
        """Root fields the Amplify client calls for this route, by root type: the schema must have them."""
        conversation, message = self.conversation_model, self.message_model
        return {
            "Query": (
                f"get{conversation}",
                f"list{plural_name(conversation)}",
                f"list{plural_name(message)}",
            ),
            "Mutation": (
                f"create{conversation}",
                f"update{conversation}",
                f"delete{conversation}",
                self.send_field,
            ),
            "Subscription": (self.subscribe_field,),
        }

    def handler_operations(self) -> tuple[str, ...]:
        """Mutations only the route's handler calls (through IAM): kept out of the client's operations."""
        return (f"createAssistantResponse{self._suffix}", f"createAssistantResponseStream{self._suffix}")


def plural_name(type_name: str) -> str:
    """English plural as Amplify's client puts it in `list<Plural>` (ConversationChat -> ConversationChats)."""
    if re.search(r"(s|x|z|ch|sh)$", type_name):
        return f"{type_name}es"
    if re.search(r"[^aeiou]y$", type_name):
        return f"{type_name[:-1]}ies"
    return f"{type_name}s"


def check_conversation_routes(
    schema: GraphQLSchema,
    roots: Mapping[str, GraphQLObjectType | None],
    routes: tuple[ConversationRouteOutputs, ...],
) -> None:
    """Rejects routes the schema cannot serve, so a broken frontend is caught before deployment."""
    if len({route.name for route in routes}) != len(routes):
        raise ValueError("data.conversation_routes: route names must be unique")
    for route in routes:
        where = f"data.conversation_routes['{route.name}']"
        if not ROUTE_NAME.fullmatch(route.name):
            raise ValueError(
                f"{where}: name must be a GraphQL name of letters and digits, at most 40, such as 'chat'"
            )
        for model in (route.conversation_model, route.message_model):
            type_ = schema.type_map.get(model)
            id_field = type_.fields.get("id") if isinstance(type_, GraphQLObjectType) else None
            if id_field is None or str(id_field.type) != "ID!":
                raise ValueError(f"{where}: the schema needs an object type {model} with a field 'id: ID!'")
        for root_name, fields in route.client_operations().items():
            root = roots[root_name]
            for field in fields:
                if root is None or field not in root.fields:
                    raise ValueError(f"{where}: the schema needs the field {root_name}.{field}")
        send = roots["Mutation"].fields[route.send_field]  # type: ignore[union-attr]
        send_arguments = set(send.args)
        if (
            _named_type(send.type).name != route.message_model
            or not {"conversationId", "content"} <= send_arguments
        ):
            raise ValueError(
                f"{where}: Mutation.{route.send_field} must take conversationId and content "
                f"and return {route.message_model}"
            )
        if "conversationId" not in roots["Subscription"].fields[route.subscribe_field].args:  # type: ignore[union-attr]
            raise ValueError(f"{where}: Subscription.{route.subscribe_field} needs a conversationId argument")


def conversation_entry(
    route: ConversationRouteOutputs,
    models: dict[str, dict[str, Any]],
    send: dict[str, Any],
    subscribe: dict[str, Any],
) -> dict[str, Any]:
    """The route entry the client reads: the two models, plus the send and subscribe operations."""
    return {
        "name": route.name,
        "models": models,
        "nonModels": {},
        "enums": {},
        "conversation": {"modelName": route.conversation_model},
        "message": {"modelName": route.message_model, "send": send, "subscribe": subscribe},
    }


def conversation_model(name: str, fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A route's model as Amplify's generator describes an `a.model`: keyed by `id`, with its plural."""
    return {
        "name": name,
        "fields": fields,
        "syncable": True,
        "pluralName": plural_name(name),
        "attributes": [{"type": "model", "properties": {}}],
        "primaryKeyInfo": {
            "isCustomPrimaryKey": False,
            "primaryKeyFieldName": "id",
            "sortKeyFieldNames": [],
        },
    }


def _named_type(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_
