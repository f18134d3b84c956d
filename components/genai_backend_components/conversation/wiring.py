"""Which packaged APPSYNC_JS file serves which field of a conversation route, on which data source."""

import re
from pathlib import Path

from ..generation.settings_step import replace_string_constant
from ..graphql import PipelineFunctionModel, ResolverModel
from ..validation import Deferred
from .names import RouteNames

RESOLVER_DIRECTORY = Path(__file__).resolve().parent / "resolvers"
"""The route's APPSYNC_JS files, shipped inside the package."""
HANDLER_DIRECTORY = Path(__file__).resolve().parent / "conversation_handler"
"""The handler package (``handler.py``: a turn; ``cleanup.py``: a deleted conversation's messages)."""
HANDLER_PACKAGE = HANDLER_DIRECTORY.name
TOOL_SETTINGS_FILE = RESOLVER_DIRECTORY / "toolSettings.function.js"
"""The sendMessage step of a route without data tools; a route with some deploys generated code instead."""
HANDLER_CALLER_FILE = RESOLVER_DIRECTORY / "verifyHandlerCaller.function.js"
"""The template of the first step of both answer mutations; deployed with the handler role's prefix."""
HANDLER_CALLER_CONSTANT = "HANDLER_ROLE_SESSION_ARN_PREFIX"
_PARTITION = re.compile(r"^aws(-[a-z]+)*$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$", re.ASCII)
"""IAM's role-name characters and length (IAM API Reference, CreateRole, RoleName)."""


def handler_role_session_arn_prefix(partition: str, account_id: str, role_name: str) -> str:
    """What every session of the role ``role_name`` signs as: ``ctx.identity.userArn`` starts with this.

    A Lambda function calls with its execution role's session, whose ARN is
    ``arn:<partition>:sts::<account>:assumed-role/<role name>/<session name>`` (IAM identifiers; the role's
    path is not part of it). The trailing ``/`` keeps out roles whose names merely start with ``role_name``.
    """
    problems = []
    if not isinstance(partition, str) or not _PARTITION.match(partition):
        problems.append(f"partition {partition!r} must be an AWS partition such as 'aws' or 'aws-us-gov'")
    if not isinstance(account_id, str) or not _ACCOUNT_ID.match(account_id):
        problems.append(f"account_id {account_id!r} must be 12 digits")
    if not isinstance(role_name, str) or not _ROLE_NAME.match(role_name):
        problems.append(
            f"role_name {role_name!r} must be an IAM role name: 1 to 64 of A-Z a-z 0-9 and + = , . @ _ -"
        )
    if problems:
        raise ValueError("; ".join(problems))
    return f"arn:{partition}:sts::{account_id}:assumed-role/{role_name}/"


def handler_caller_check_code(partition: str, account_id: str, role_name: str) -> str:
    """The route's verifyHandlerCaller step: the packaged template, accepting only ``role_name``'s sessions."""
    prefix = handler_role_session_arn_prefix(partition, account_id, role_name)
    return replace_string_constant(
        HANDLER_CALLER_FILE.read_text(encoding="utf-8"), HANDLER_CALLER_CONSTANT, prefix
    )


class GeneratedFunctionModel(PipelineFunctionModel):
    """A pipeline function whose code is generated per route (``code_path`` names the packaged template).

    The code may be an Output (the handler-role check depends on the role's name, known once the role
    exists); ``code_path`` is what the schema and data-source checks see before then.
    """

    generated_code: Deferred[str]

    @property
    def code(self) -> str:
        """The generated code; an ``Output[str]`` inside the component, which ``declare_resolvers`` passes on."""
        return self.generated_code


def resolver_plan(
    names: RouteNames, tools_code: str | None = None, handler_caller_code: Deferred[str] | None = None
) -> tuple[dict[str, PipelineFunctionModel], dict[str, ResolverModel]]:
    """The route's whole GraphQL wiring: pipeline functions by name, and resolvers by ``Type.field``.

    ``tools_code`` is the generated step that hands the route's data tools to invokeHandler
    (``data_tools.tools_settings_code``); None deploys the packaged one (no data tools).
    ``handler_caller_code`` is the answer mutations' first step for the handler's role
    (``handler_caller_check_code``, an Output in the component); None keeps the packaged template, whose
    placeholder prefix accepts no real caller: only for checks and tests that do not run it.
    """
    sources, prefix = names.data_sources, f"Conversation{names.suffix}"
    verify, touch, write = f"{prefix}VerifyOwner", f"{prefix}TouchConversation", f"{prefix}WriteMessage"
    invoke, query, tools = f"{prefix}InvokeHandler", f"{prefix}QueryMessages", f"{prefix}ToolSettings"
    caller = f"{prefix}VerifyHandlerCaller"

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
        tools: GeneratedFunctionModel(
            data_source=sources["none"],
            code_path=str(TOOL_SETTINGS_FILE),
            generated_code=tools_code
            if tools_code is not None
            else TOOL_SETTINGS_FILE.read_text(encoding="utf-8"),
        ),
        caller: GeneratedFunctionModel(
            data_source=sources["none"],
            code_path=str(HANDLER_CALLER_FILE),
            generated_code=handler_caller_code
            if handler_caller_code is not None
            else HANDLER_CALLER_FILE.read_text(encoding="utf-8"),
        ),
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
        f"Mutation.{names.send_message}": pipeline("sendMessage", touch, write, tools, invoke),
        # Only the handler's role may answer: its check runs before anything is read, written or published.
        f"Mutation.{names.assistant_response}": pipeline("createAssistantResponse", caller, touch, write),
        f"Mutation.{names.assistant_response_stream}": pipeline("createAssistantResponseStream", caller),
        f"Subscription.{names.assistant_response_subscription}": pipeline(
            "onCreateAssistantResponse", verify
        ),
    }
    return functions, resolvers
