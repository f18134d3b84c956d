"""``ConversationRoute``: Amplify's ``a.conversation`` protocol on AppSync, with owner-scoped tables, a
streaming Bedrock handler with data, client and executable tools, and message cleanup; its resolvers and
handler ship inside this package."""

from .args import ConversationModelSettings, ConversationRouteArgs, DataTool
from .checks import MAX_EVENT_AGE_SECONDS, ConversationRouteModel
from .cleanup import MessageCleanup
from .component import (
    CONVERSATION_TABLE_ACTIONS,
    HANDLER_PACKAGE,
    MESSAGE_TABLE_ACTIONS,
    ConversationRoute,
)
from .conversation_handler.executable_tools import ExecutableTool, ToolContext, ToolError
from .data_tools import DataToolDefinition, data_tool_definition, tools_settings_code
from .names import ROUTE_NAME, RouteNames, route_type_suffix
from .schema import SHARED_TYPES_SDL, compose_conversation_schema, conversation_schema_sdl
from .tables import OWNER_UPDATED_AT_INDEX, conversation_table_args, message_table_args
from .wiring import HANDLER_DIRECTORY, RESOLVER_DIRECTORY, resolver_plan

__all__ = [
    "CONVERSATION_TABLE_ACTIONS",
    "HANDLER_DIRECTORY",
    "HANDLER_PACKAGE",
    "MAX_EVENT_AGE_SECONDS",
    "MESSAGE_TABLE_ACTIONS",
    "OWNER_UPDATED_AT_INDEX",
    "RESOLVER_DIRECTORY",
    "ROUTE_NAME",
    "SHARED_TYPES_SDL",
    "ConversationModelSettings",
    "ConversationRoute",
    "ConversationRouteArgs",
    "ConversationRouteModel",
    "DataTool",
    "DataToolDefinition",
    "ExecutableTool",
    "MessageCleanup",
    "RouteNames",
    "ToolContext",
    "ToolError",
    "compose_conversation_schema",
    "conversation_schema_sdl",
    "conversation_table_args",
    "data_tool_definition",
    "message_table_args",
    "resolver_plan",
    "route_type_suffix",
    "tools_settings_code",
]
