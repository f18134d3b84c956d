"""Which packaged APPSYNC_JS file serves which field of a conversation route, on which data source."""

from pathlib import Path

from ..graphql import PipelineFunctionModel, ResolverModel
from .names import RouteNames

RESOLVER_DIRECTORY = Path(__file__).resolve().parent / "resolvers"
"""The route's APPSYNC_JS files, shipped inside the package."""
HANDLER_DIRECTORY = Path(__file__).resolve().parent / "conversation_handler"
"""The handler package (``handler.py``: a turn; ``cleanup.py``: a deleted conversation's messages)."""


def resolver_plan(names: RouteNames) -> tuple[dict[str, PipelineFunctionModel], dict[str, ResolverModel]]:
    """The route's whole GraphQL wiring: pipeline functions by name, and resolvers by ``Type.field``."""
    sources, prefix = names.data_sources, f"Conversation{names.suffix}"
    verify, touch, write = f"{prefix}VerifyOwner", f"{prefix}TouchConversation", f"{prefix}WriteMessage"
    invoke, query = f"{prefix}InvokeHandler", f"{prefix}QueryMessages"

    def step(source: str, file: str) -> PipelineFunctionModel:
        return PipelineFunctionModel(
            data_source=sources[source], code_path=str(RESOLVER_DIRECTORY / f"{file}.function.js")
        )

    functions = {
        verify: step("conversations", "verifyConversationOwner"),
        touch: step("conversations", "touchConversation"),
        write: step("messages", "writeMessage"),
        invoke: step("handler", "invokeHandler"),
        query: step("messages", "queryMessages"),
    }

    def unit(source: str, file: str) -> ResolverModel:
        return ResolverModel(code_path=str(RESOLVER_DIRECTORY / f"{file}.js"), data_source=sources[source])

    def pipeline(file: str, *steps: str) -> ResolverModel:
        return ResolverModel(code_path=str(RESOLVER_DIRECTORY / f"{file}.js"), pipeline=steps)

    resolvers = {
        f"Query.{names.get_conversation}": unit("conversations", "getConversation"),
        f"Query.{names.list_conversations}": unit("conversations", "listConversations"),
        f"Query.{names.list_messages}": pipeline("listMessages", verify, query),
        f"Mutation.{names.create_conversation}": unit("conversations", "createConversation"),
        f"Mutation.{names.update_conversation}": unit("conversations", "updateConversation"),
        f"Mutation.{names.delete_conversation}": unit("conversations", "deleteConversation"),
        f"Mutation.{names.send_message}": pipeline("sendMessage", touch, write, invoke),
        f"Mutation.{names.assistant_response}": pipeline("createAssistantResponse", touch, write),
        f"Mutation.{names.assistant_response_stream}": unit("none", "createAssistantResponseStream"),
        f"Subscription.{names.assistant_response_subscription}": pipeline(
            "onCreateAssistantResponse", verify
        ),
    }
    return functions, resolvers
