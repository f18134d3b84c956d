"""GraphQL SDL of an Amplify-compatible conversation route, and its composition into a base schema.

The protocol, as Amplify's own client uses it for route ``chat`` (read in @aws-amplify/data-schema
1.26.2, the version aws-amplify 6.22.1 installs: ``dist/esm/runtime/internals/ai/*`` and
``APIClient.generateGraphQLDocument``; the client writes every document from
``model_introspection.conversations.chat``, which ``client_config.model_introspection`` derives from this
SDL):

- ``client.conversations.chat.create({name?, metadata?})`` ->
  ``mutation($input: CreateConversationChatInput!) { createConversationChat(input: $input) {..} }``
  (metadata is sent JSON.stringify'd, an AWSJSON);
- ``.get({id})`` -> ``query($id: ID!) { getConversationChat(id: $id) {..} }``;
- ``.list({limit?, nextToken?})`` -> ``query($filter: ModelConversationChatFilterInput, $limit: Int,
  $nextToken: String) { listConversationChats(..) { items {..} nextToken __typename } }``;
- ``.update({id, name?, metadata?})`` / ``.delete({id})`` -> ``updateConversationChat`` /
  ``deleteConversationChat`` with ``Update|DeleteConversationChatInput!``;
- ``conversation.listMessages({limit?, nextToken?})`` -> ``listConversationMessageChats(filter:
  {conversationId: {eq: <id>}}, limit, nextToken)`` with ``ModelConversationMessageChatFilterInput``;
- ``conversation.sendMessage({content, aiContext?, toolConfiguration?})`` -> the route's send
  mutation ``sendMessageChat(conversationId: ID!, content: [AmplifyAIContentBlockInput],
  aiContext: AWSJSON, toolConfiguration: AmplifyAIToolConfigurationInput): ConversationMessageChat``
  (Amplify names this field after the route itself; the client reads the name from the introspection);
- ``conversation.onStreamEvent({next, error})`` -> ``subscription($conversationId: ID!)
  { onCreateAssistantResponseChat(conversationId: $conversationId) {..} }`` returning
  ``AmplifyAIConversationMessageStreamPart``; a part with ``errors`` goes to ``error``, others to ``next``.

What the client reads (its selection sets are every field of these types, from the introspection):
``ConversationChat {id: ID!, name, metadata: AWSJSON, createdAt/updatedAt: AWSDateTime!}``;
``ConversationMessageChat {id, conversationId: ID!, role: AmplifyAIConversationParticipantRole
(user|assistant), content: [AmplifyAIContentBlock], aiContext: AWSJSON, toolConfiguration:
AmplifyAIToolConfiguration, associatedUserMessageId: ID, createdAt, updatedAt}``; a content block is
one of ``text``, ``image {format, source {bytes: base64}}``, ``document {format, name, source}``,
``toolUse {toolUseId, name, input: AWSJSON}``, ``toolResult {toolUseId, status, content}``; a stream
part is ``{id, owner, conversationId, associatedUserMessageId, contentBlockIndex, contentBlockText,
contentBlockDeltaIndex, contentBlockToolUse, contentBlockDoneAtIndex, stopReason, errors [{message,
errorType}], p}`` (Amplify's UI orders text chunks by contentBlockDeltaIndex, ignores parts with a
truthy contentBlockDoneAtIndex, and ends the turn on stopReason).

How the client (de)serializes (``conversationMessageSerializers``/``Deserializers``,
``conversationStreamEventDeserializers``): ``aiContext`` and a toolResult's ``json`` are sent
JSON.stringify'd (AWSJSON); ``toolConfiguration`` is sent as ``{tools: [{toolSpec: {name, description,
inputSchema: {json: <JSON text>}}}]}`` from the app's ``{tools: {<name>: {description, inputSchema:
{json}}}}``; image/document bytes travel base64; read back, a toolUse's ``input`` and a toolResult's
``json`` are JSON.parse'd (so they must arrive as AWSJSON text), and a stream part becomes ``{id,
conversationId, associatedUserMessageId, contentBlockIndex, contentBlockDoneAtIndex,
contentBlockDeltaIndex, text: contentBlockText, toolUse: contentBlockToolUse (input parsed),
stopReason}`` with nulls removed, or ``{id, conversationId, associatedUserMessageId, errors}``.

What the UI reads (@aws-amplify/ui-react-ai 1.5.2, ``dist/esm/hooks/*``; it needs nothing the client does
not already select): ``useAIConversation(route, {id?, onInitialize?, onMessage?})`` calls
``conversations[route].get({id})`` or ``.create()`` (no arguments), ``conversation.listMessages({nextToken})``
until ``nextToken`` is null, ``conversation.onStreamEvent``, and ``conversation.sendMessage(input)`` with
the app's ``{content, aiContext?, toolConfiguration?}``. From each stream event it uses ``id`` (the
assistant message being built), ``conversationId``, ``contentBlockIndex``, ``contentBlockDeltaIndex`` (chunk
order), ``contentBlockDoneAtIndex`` (a truthy one is skipped), ``text`` or ``toolUse`` (a block holding a
toolUse is shown as ``{toolUse}``; never chunked) and ``stopReason`` (ends the turn: ``onMessage`` gets the
assembled content); ``error`` events set its error state from ``errors``. ``useAIGeneration(route)`` calls
``generations[route](input)`` and reads ``{data, errors}``.

Only the handler (IAM) calls ``createAssistantResponseStreamChat(input:
CreateConversationMessageChatAssistantStreamingInput!)`` (published to the subscription) and
``createAssistantResponseChat(input: CreateConversationMessageChatAssistantInput!)`` (stores the
answer, idempotently: its key comes from ``associatedUserMessageId`` and the input's ``createdAt``, which
is the answered user message's stored createdAt, so the answer sorts right after its question).
Their inputs carry ``owner``: an IAM caller has no Cognito identity, so the handler states whom the
answer belongs to; the subscription filter delivers it only to that owner.

Differences from Amplify, on purpose: the models expose no ``owner`` and no ``messages`` /
``conversation`` relation fields (the client never selects them; resolvers stay few), conversation
ids are always generated (never client-chosen), and list filters other than the messages'
``conversationId`` are refused rather than applied after the read.

Auth directives: the API's default mode is Cognito user pools with IAM as an additional mode, so
every field and every type returned to both sides names its modes explicitly (AppSync checks each
returned type): client operations ``@aws_cognito_user_pools``, handler mutations ``@aws_iam``.

AppSync does not accept ``extend type``: ``conversation_schema_sdl`` returns a readable, parseable
fragment in ``extend`` form, and ``compose_conversation_schema`` merges routes into a deployable SDL.
"""

from collections.abc import Sequence

from ..graphql import add_to_schema

# RouteNames, ROUTE_NAME and route_type_suffix live in .names; they are re-exported here,
# where the route's readers have always imported them from.
from .names import ROUTE_NAME, RouteNames, route_type_suffix

__all__ = [
    "ROUTE_NAME",
    "SHARED_TYPES_SDL",
    "RouteNames",
    "compose_conversation_schema",
    "conversation_schema_sdl",
    "route_type_suffix",
]

_BOTH = "@aws_cognito_user_pools @aws_iam"
_USER = "@aws_cognito_user_pools"

SHARED_TYPES_SDL = f"""
# ---- Amplify AI kit content types, shared by every conversation route (declared once per API)
enum AmplifyAIConversationParticipantRole {{ user assistant }}

type AmplifyAIContentBlock {_BOTH} {{
  text: String
  document: AmplifyAIDocumentBlock
  image: AmplifyAIImageBlock
  toolResult: AmplifyAIToolResultBlock
  toolUse: AmplifyAIToolUseBlock
}}
type AmplifyAIDocumentBlock {_BOTH} {{ format: String! name: String! source: AmplifyAIDocumentBlockSource! }}
type AmplifyAIDocumentBlockSource {_BOTH} {{ bytes: String }}
type AmplifyAIImageBlock {_BOTH} {{ format: String! source: AmplifyAIImageBlockSource! }}
type AmplifyAIImageBlockSource {_BOTH} {{ bytes: String }}
type AmplifyAIToolUseBlock {_BOTH} {{ toolUseId: String! name: String! input: AWSJSON! }}
type AmplifyAIToolResultBlock {_BOTH} {{
  toolUseId: String!
  status: String
  content: [AmplifyAIToolResultContentBlock!]!
}}
type AmplifyAIToolResultContentBlock {_BOTH} {{
  document: AmplifyAIDocumentBlock
  image: AmplifyAIImageBlock
  json: AWSJSON
  text: String
}}
type AmplifyAIToolConfiguration {_BOTH} {{ tools: [AmplifyAITool] }}
type AmplifyAITool {_BOTH} {{ toolSpec: AmplifyAIToolSpecification }}
type AmplifyAIToolSpecification {_BOTH} {{ name: String! description: String inputSchema: AmplifyAIToolInputSchema! }}
type AmplifyAIToolInputSchema {_BOTH} {{ json: AWSJSON }}

# One batch of an assistant answer, or the turn's errors; published to its owner only.
type AmplifyAIConversationMessageStreamPart {_BOTH} {{
  id: ID!
  owner: String
  conversationId: ID!
  associatedUserMessageId: ID!
  contentBlockIndex: Int
  contentBlockText: String
  contentBlockDeltaIndex: Int
  contentBlockToolUse: AmplifyAIToolUseBlock
  contentBlockDoneAtIndex: Int
  stopReason: String
  errors: [AmplifyAIConversationTurnError]
  p: String
}}
type AmplifyAIConversationTurnError {_BOTH} {{ message: String! errorType: String! }}

input AmplifyAIContentBlockInput {{
  text: String
  document: AmplifyAIDocumentBlockInput
  image: AmplifyAIImageBlockInput
  toolResult: AmplifyAIToolResultBlockInput
  toolUse: AmplifyAIToolUseBlockInput
}}
input AmplifyAIDocumentBlockInput {{ format: String! name: String! source: AmplifyAIDocumentBlockSourceInput! }}
input AmplifyAIDocumentBlockSourceInput {{ bytes: String }}
input AmplifyAIImageBlockInput {{ format: String! source: AmplifyAIImageBlockSourceInput! }}
input AmplifyAIImageBlockSourceInput {{ bytes: String }}
input AmplifyAIToolUseBlockInput {{ toolUseId: String! name: String! input: AWSJSON! }}
input AmplifyAIToolResultBlockInput {{
  toolUseId: String!
  status: String
  content: [AmplifyAIToolResultContentBlockInput!]!
}}
input AmplifyAIToolResultContentBlockInput {{
  document: AmplifyAIDocumentBlockInput
  image: AmplifyAIImageBlockInput
  json: AWSJSON
  text: String
}}
input AmplifyAIToolConfigurationInput {{ tools: [AmplifyAIToolInput] }}
input AmplifyAIToolInput {{ toolSpec: AmplifyAIToolSpecificationInput }}
input AmplifyAIToolSpecificationInput {{
  name: String!
  description: String
  inputSchema: AmplifyAIToolInputSchemaInput!
}}
input AmplifyAIToolInputSchemaInput {{ json: AWSJSON }}
input AmplifyAIConversationTurnErrorInput {{ errorType: String! message: String! }}
# Equality on an id, the only list filter conversation routes accept.
input AmplifyAIIDFilterInput {{ eq: ID }}
"""
"""Declared once per API whatever the number of routes."""


def _route_types(names: RouteNames) -> str:
    return f"""
# ---- conversation route "{names.route}": its two models, connections and inputs
type {names.conversation_type} {_USER} {{
  id: ID!
  name: String
  metadata: AWSJSON
  createdAt: AWSDateTime!
  updatedAt: AWSDateTime!
}}

type {names.message_type} {_BOTH} {{
  id: ID!
  conversationId: ID!
  role: AmplifyAIConversationParticipantRole
  content: [AmplifyAIContentBlock]
  aiContext: AWSJSON
  toolConfiguration: AmplifyAIToolConfiguration
  associatedUserMessageId: ID
  createdAt: AWSDateTime!
  updatedAt: AWSDateTime!
}}

type Model{names.conversation_type}Connection {_USER} {{ items: [{names.conversation_type}]! nextToken: String }}
type Model{names.message_type}Connection {_USER} {{ items: [{names.message_type}]! nextToken: String }}

# Declared because Amplify's client always declares $filter; any non-empty filter is refused.
input Model{names.conversation_type}FilterInput {{ id: AmplifyAIIDFilterInput }}

# conversationId.eq is required: messages are only listed per conversation.
input Model{names.message_type}FilterInput {{ conversationId: AmplifyAIIDFilterInput }}

input Create{names.conversation_type}Input {{ name: String metadata: AWSJSON }}
input Update{names.conversation_type}Input {{ id: ID! name: String metadata: AWSJSON }}
input Delete{names.conversation_type}Input {{ id: ID! }}

# createdAt is the answered user message's stored createdAt: with the id derived from that message, it
# fixes the stored answer's key, so neither a retried mutation nor a second run stores it twice.
input {names.response_input_type} {{
  conversationId: ID!
  associatedUserMessageId: ID!
  owner: String!
  content: [AmplifyAIContentBlockInput!]!
  createdAt: AWSDateTime!
}}

input {names.stream_input_type} {{
  conversationId: ID!
  associatedUserMessageId: ID!
  owner: String!
  contentBlockIndex: Int
  contentBlockText: String
  contentBlockDeltaIndex: Int
  contentBlockDoneAtIndex: Int
  contentBlockToolUse: AWSJSON
  stopReason: String
  accumulatedTurnContent: [AmplifyAIContentBlockInput]
  errors: [AmplifyAIConversationTurnErrorInput]
  p: String
}}
"""


def _root_fields(names: RouteNames) -> dict[str, str]:
    """Root type -> field definitions of one route (one per line)."""
    return {
        "Query": f"""
  {names.get_conversation}(id: ID!): {names.conversation_type} {_USER}
  {names.list_conversations}(filter: Model{names.conversation_type}FilterInput, limit: Int, nextToken: String): Model{names.conversation_type}Connection {_USER}
  {names.list_messages}(filter: Model{names.message_type}FilterInput, limit: Int, nextToken: String): Model{names.message_type}Connection {_USER}""",
        "Mutation": f"""
  {names.create_conversation}(input: Create{names.conversation_type}Input!): {names.conversation_type} {_USER}
  {names.update_conversation}(input: Update{names.conversation_type}Input!): {names.conversation_type} {_USER}
  {names.delete_conversation}(input: Delete{names.conversation_type}Input!): {names.conversation_type} {_USER}
  {names.send_message}(conversationId: ID!, content: [AmplifyAIContentBlockInput], aiContext: AWSJSON, toolConfiguration: AmplifyAIToolConfigurationInput): {names.message_type} {_USER}
  {names.assistant_response}(input: {names.response_input_type}!): {names.message_type} @aws_iam
  {names.assistant_response_stream}(input: {names.stream_input_type}!): AmplifyAIConversationMessageStreamPart @aws_iam""",
        "Subscription": f"""
  {names.assistant_response_subscription}(conversationId: ID!): AmplifyAIConversationMessageStreamPart @aws_subscribe(mutations: ["{names.assistant_response_stream}"]) {_USER}""",
    }


def conversation_schema_sdl(route: str) -> str:
    """The SDL fragment of one route, shared types included, in ``extend type Query/Mutation/
    Subscription`` form: valid GraphQL to read or to check with ``graphql.extend_schema``, but NOT
    deployable as is (AppSync rejects ``extend``); use ``compose_conversation_schema`` for that."""
    names = RouteNames.of(route)
    extensions = "".join(
        f"\nextend type {root} {{{fields}\n}}\n" for root, fields in _root_fields(names).items()
    )
    return SHARED_TYPES_SDL + _route_types(names) + extensions


def compose_conversation_schema(base_sdl: str, routes: Sequence[str]) -> str:
    """``base_sdl`` with the routes merged in, ready to deploy (see ``graphql.add_to_schema``);
    the shared types are declared once for all routes."""
    if isinstance(routes, str) or not routes:
        raise ValueError("routes: give a non-empty list of route names, e.g. ['chat']")
    suffixes = [route_type_suffix(route) for route in routes]
    if len(set(suffixes)) != len(suffixes):
        raise ValueError(f"routes: {list(routes)} name the same route twice (names differ only in case)")
    fields: dict[str, str] = {}
    for route in routes:
        for root, lines in _root_fields(RouteNames.of(route)).items():
            fields[root] = fields.get(root, "") + lines
    types = SHARED_TYPES_SDL + "".join(_route_types(RouteNames.of(route)) for route in routes)
    return add_to_schema(base_sdl, root_fields=fields, types_sdl=types, owner="base_sdl")
