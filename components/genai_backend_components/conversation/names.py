"""Every GraphQL name of one conversation route, derived from the route name by Amplify's rules.

Kept apart from the protocol's SDL (``.schema``) because three readers need
the names and not the SDL: the route's component (resolver wiring, handler environment), its
argument checks, and the client configuration's model introspection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROUTE_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9]{0,39}$")
"""A route name becomes part of GraphQL type names, so it is a GraphQL name of letters and digits."""


def route_type_suffix(route: str) -> str:
    """``chat`` -> ``Chat``: Amplify upper-cases the first letter of the route name (toUpper)."""
    if not isinstance(route, str) or not ROUTE_NAME.fullmatch(route):
        raise ValueError(
            f"route: {route!r} is not allowed; use 1-40 letters and digits starting with a letter "
            "(pattern ^[a-zA-Z][a-zA-Z0-9]{0,39}$), e.g. 'chat'"
        )
    return route[0].upper() + route[1:]


@dataclass(frozen=True)
class RouteNames:
    """Every schema name of one route, derived once so the schema, resolvers and handler agree."""

    route: str
    suffix: str

    @staticmethod
    def of(route: str) -> RouteNames:
        return RouteNames(route, route_type_suffix(route))

    conversation_type = property(lambda self: f"Conversation{self.suffix}")
    message_type = property(lambda self: f"ConversationMessage{self.suffix}")
    get_conversation = property(lambda self: f"getConversation{self.suffix}")
    list_conversations = property(lambda self: f"listConversation{self.suffix}s")
    list_messages = property(lambda self: f"listConversationMessage{self.suffix}s")
    create_conversation = property(lambda self: f"createConversation{self.suffix}")
    update_conversation = property(lambda self: f"updateConversation{self.suffix}")
    delete_conversation = property(lambda self: f"deleteConversation{self.suffix}")
    send_message = property(lambda self: f"sendMessage{self.suffix}")
    assistant_response = property(lambda self: f"createAssistantResponse{self.suffix}")
    assistant_response_stream = property(lambda self: f"createAssistantResponseStream{self.suffix}")
    assistant_response_subscription = property(lambda self: f"onCreateAssistantResponse{self.suffix}")
    response_input_type = property(lambda self: f"CreateConversationMessage{self.suffix}AssistantInput")
    stream_input_type = property(
        lambda self: f"CreateConversationMessage{self.suffix}AssistantStreamingInput"
    )

    @property
    def data_sources(self) -> dict[str, str]:
        """AppSync data source names by role; the suffix keeps several routes on one API apart."""
        return {
            "conversations": f"Conversation{self.suffix}Table",
            "messages": f"ConversationMessage{self.suffix}Table",
            "handler": f"Conversation{self.suffix}Handler",
            "none": f"Conversation{self.suffix}None",
        }
