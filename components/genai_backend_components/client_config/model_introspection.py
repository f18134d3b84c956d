"""Build `data.model_introspection` of amplify_outputs.json from the AppSync schema SDL.

Amplify's data client (`generateClient()` from `aws-amplify/data`) writes every GraphQL document it sends
from this structure alone: `client.queries.X` takes its arguments and return type from `queries[X]`,
expands custom types through `nonModels` into selection sets, and builds the AI routes from
`generations` and `conversations`. The shape therefore mirrors what Amplify's own generator emits for
custom types and operations, restricted to the public `ModelIntrospectionSchema` type of @aws-amplify/core:
- object types become `nonModels` (root types and conversation models do not);
- a field is `{name, isArray, type, isRequired, attributes}`; for a list, `isRequired` describes the
  elements and `isArrayNullable` the list itself (the client rebuilds `[T!]` vs `[T]!` from the pair);
- an operation has no `arguments` key when it takes none (the client then sends no variables block);
- generation routes are Query fields listed only under `generations`, as Amplify's generator does;
- a conversation route names its two models, its send mutation and its assistant-response subscription;
  the client derives the model operations from the model names (`getConversationChat`,
  `listConversationChats`, `createConversationChat`, `listConversationMessageChats`, ...).

The conversation routes' naming rules, schema checks and entries live in
``.conversations``; this module translates the schema's types and operations.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)

from ..graphql import build_appsync_schema
from .conversations import (
    ConversationRouteOutputs,
    check_conversation_routes,
    conversation_entry,
    conversation_model,
)

APPSYNC_SCALARS = ("AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp", "AWSEmail", "AWSJSON", "AWSURL")
APPSYNC_SCALARS += ("AWSPhone", "AWSIPAddress")
# Every scalar Amplify's client knows (its `ScalarType`); an operation using another one is unusable.
AMPLIFY_SCALARS = frozenset(("ID", "String", "Int", "Float", "Boolean", *APPSYNC_SCALARS))
ROOT_KEYS = {"Query": "queries", "Mutation": "mutations", "Subscription": "subscriptions"}


def parse_appsync_schema(schema_sdl: str) -> GraphQLSchema:
    """Parses AppSync SDL (with its implicit scalars and directives), raising ValueError on bad input."""
    return build_appsync_schema(schema_sdl, owner="data.schema_sdl")


def build_model_introspection(
    schema_sdl: str,
    *,
    generation_routes: tuple[str, ...] = (),
    conversation_routes: tuple[ConversationRouteOutputs, ...] = (),
) -> dict[str, Any]:
    """Returns the `model_introspection` document for the schema, every mapping sorted by name.

    The program builds the client config twice (a check before any resource, then with real ids), so the
    translation is cached; each caller gets its own copy to change as it likes.
    """
    return copy.deepcopy(_introspection(schema_sdl, tuple(generation_routes), tuple(conversation_routes)))


@functools.lru_cache(maxsize=8)
def _introspection(
    schema_sdl: str,
    generation_routes: tuple[str, ...],
    conversation_routes: tuple[ConversationRouteOutputs, ...],
) -> dict[str, Any]:
    return _Translator(parse_appsync_schema(schema_sdl), conversation_routes).document(generation_routes)


class _Translator:
    """Holds the parsed schema and the conversation model names that every type reference depends on."""

    def __init__(self, schema: GraphQLSchema, routes: tuple[ConversationRouteOutputs, ...]) -> None:
        self.schema = schema
        self.routes = tuple(sorted(routes, key=lambda route: route.name))
        self.roots = {
            "Query": schema.query_type,
            "Mutation": schema.mutation_type,
            "Subscription": schema.subscription_type,
        }
        self.model_names = {
            name for route in routes for name in (route.conversation_model, route.message_model)
        }

    def document(self, generation_routes: tuple[str, ...]) -> dict[str, Any]:
        self._check_routes(generation_routes)
        root_names = {root.name for root in self.roots.values() if root is not None}
        objects = self._user_types(GraphQLObjectType)
        non_models = {
            name: {"name": name, "fields": self._fields(type_)}
            for name, type_ in objects.items()
            if name not in root_names and name not in self.model_names
        }
        _reject_cycles(non_models)
        enums = {
            name: {"name": name, "values": list(type_.values)}
            for name, type_ in self._user_types(GraphQLEnumType).items()
        }
        document: dict[str, Any] = {"version": 1, "models": {}, "nonModels": non_models, "enums": enums}
        route_owned = {
            field
            for route in self.routes
            for fields in (*route.client_operations().values(), route.handler_operations())
            for field in fields
        }
        for root_name, key in ROOT_KEYS.items():
            root = self.roots[root_name]
            operations = {
                name: self._operation(root_name, name, field)
                for name, field in sorted(root.fields.items() if root else ())
                if name not in route_owned and name not in generation_routes
            }
            if operations:
                document[key] = operations
        if generation_routes:
            query_fields = self.roots["Query"].fields  # type: ignore[union-attr]  # checked above
            document["generations"] = {
                name: self._operation("Query", name, query_fields[name]) for name in sorted(generation_routes)
            }
        if self.routes:
            document["conversations"] = {
                route.name: self._conversation(route, objects) for route in self.routes
            }
        return document

    def _user_types(self, kind: type) -> dict[str, Any]:
        return {
            name: type_
            for name, type_ in sorted(self.schema.type_map.items())
            if isinstance(type_, kind) and not name.startswith("__")
        }

    def _check_routes(self, generation_routes: tuple[str, ...]) -> None:
        """Rejects routes the schema cannot serve, so a broken frontend is caught before deployment."""
        query_fields = self.roots["Query"].fields if self.roots["Query"] else {}
        for name in generation_routes:
            if name not in query_fields:
                raise ValueError(
                    f"data.generation_routes: '{name}' must be a field of type Query in the schema"
                )
        if len(set(generation_routes)) != len(generation_routes):
            raise ValueError("data.generation_routes: each route may be listed once")
        check_conversation_routes(self.schema, self.roots, self.routes)

    def _operation(self, root_name: str, name: str, field: GraphQLField) -> dict[str, Any]:
        shape = self._type_shape(field.type, f"{root_name}.{name}")
        shape.pop("isArrayNullable", None)  # not part of an operation in ModelIntrospectionSchema
        operation: dict[str, Any] = {"name": name, **shape}
        if field.args:
            operation["arguments"] = {
                arg_name: {"name": arg_name, **self._type_shape(arg.type, f"{root_name}.{name}({arg_name})")}
                for arg_name, arg in field.args.items()
            }
        return operation

    def _fields(self, type_: GraphQLObjectType) -> dict[str, dict[str, Any]]:
        return {
            name: {"name": name, **self._type_shape(field.type, f"{type_.name}.{name}"), "attributes": []}
            for name, field in type_.fields.items()
        }

    def _type_shape(self, type_: Any, where: str) -> dict[str, Any]:
        """Translates a GraphQL type reference into Amplify's isArray/isRequired/isArrayNullable triple."""
        outer_required = isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if outer_required else type_
        if not isinstance(inner, GraphQLList):
            return {"isArray": False, "type": self._type_ref(inner, where), "isRequired": outer_required}
        element = inner.of_type
        element_required = isinstance(element, GraphQLNonNull)
        element = element.of_type if element_required else element
        if isinstance(element, GraphQLList):
            raise ValueError(
                f"data.schema_sdl: {where} is a nested list, which Amplify's data client cannot describe"
            )
        return {
            "isArray": True,
            "type": self._type_ref(element, where),
            "isRequired": element_required,
            "isArrayNullable": not outer_required,
        }

    def _type_ref(self, named: Any, where: str) -> str | dict[str, str]:
        if isinstance(named, GraphQLScalarType):
            if named.name not in AMPLIFY_SCALARS:
                allowed = ", ".join(sorted(AMPLIFY_SCALARS))
                raise ValueError(f"data.schema_sdl: {where} uses scalar {named.name}; allowed: {allowed}")
            return named.name
        if isinstance(named, GraphQLEnumType):
            return {"enum": named.name}
        if isinstance(named, GraphQLInputObjectType):
            return {"input": named.name}
        if isinstance(named, GraphQLObjectType):
            return {"model": named.name} if named.name in self.model_names else {"nonModel": named.name}
        raise ValueError(
            f"data.schema_sdl: {where} has the interface or union type {named.name}; "
            "Amplify's data client can only select object, enum and scalar types"
        )

    def _conversation(
        self, route: ConversationRouteOutputs, objects: dict[str, GraphQLObjectType]
    ) -> dict[str, Any]:
        """The route entry the client reads: the two models, plus the send and subscribe operations."""
        send = self.roots["Mutation"].fields[route.send_field]  # type: ignore[union-attr]
        subscribe = self.roots["Subscription"].fields[route.subscribe_field]  # type: ignore[union-attr]
        return conversation_entry(
            route,
            models={
                name: conversation_model(name, self._fields(objects[name]))
                for name in (route.conversation_model, route.message_model)
            },
            send=self._operation("Mutation", route.send_field, send),
            subscribe=self._operation("Subscription", route.subscribe_field, subscribe),
        )


def _reject_cycles(non_models: dict[str, dict[str, Any]]) -> None:
    """The client expands custom types recursively into a default selection set, so a custom type that
    reaches itself would make it recurse forever: reject that while it is still a schema problem."""

    acyclic: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            cycle = " -> ".join((*path[path.index(name) :], name))
            raise ValueError(
                f"data.schema_sdl: custom types refer to each other in a cycle ({cycle}); "
                "Amplify's data client cannot build a selection set for them"
            )
        if name in acyclic:
            return
        for field in non_models[name]["fields"].values():
            if isinstance(field["type"], dict) and "nonModel" in field["type"]:
                visit(field["type"]["nonModel"], (*path, name))
        acyclic.add(name)

    for name in non_models:
        visit(name, ())
