// Mutation.sendMessage<Route> (pipeline: touchConversation, writeMessage, toolSettings, invokeHandler):
// stores the caller's message in one of their conversations, starts the assistant's turn
// asynchronously and returns the stored message at once. The answer arrives on
// onCreateAssistantResponse<Route>. toolConfiguration declares the frontend's client tools (Amplify's
// client sends {tools: [{toolSpec: {name, description, inputSchema: {json}}}]}); it is stored with the
// message, and the handler offers those tools to the model for this turn.
import { util } from '@aws-appsync/utils';

// --- owner rule: identical in every owner-scoped resolver (APPSYNC_JS cannot import shared code) ---
// * The owner key is ctx.identity.sub, the caller's stable Cognito subject; never the email or
//   username, which can change (a federated user's username is "<ProviderName>_<subject>").
// * A call without identity, or whose identity has no sub (e.g. IAM), fails with Unauthorized.
function ownerOf(ctx) {
  const sub = ctx.identity?.sub;
  if (!sub) {
    util.error('This operation needs a signed-in Cognito user', 'Unauthorized');
  }
  return sub;
}
// --- end of owner rule ---

const MAX_BLOCKS = 20;
// A DynamoDB item holds at most 400 KB, counted in UTF-8 bytes; this leaves room for the other attributes.
const MAX_MESSAGE_BYTES = 300000;
// What the protocol lets a user send. toolUse exists in the input type only because assistant messages
// share it: a tool call comes from the model, never from the client.
const USER_BLOCK_KINDS = ['text', 'image', 'document', 'toolResult'];
const MAX_CLIENT_TOOLS = 20;
// Bedrock's rule for a tool name.
const TOOL_NAME_PATTERN = '^[a-zA-Z0-9_-]{1,64}$';

// --- utf8 size rule: identical in every resolver that limits a size in bytes ---
// * DynamoDB counts an item's size in UTF-8 bytes (400 KB at most); a limit in characters lets through
//   three times as much CJK text.
// * AppSync's utilities use UTF-8 (AWS AppSync "Built-in utilities"), so base64 has 4 characters per
//   3 bytes; '=' appears only as padding. (String.charCodeAt is not available in APPSYNC_JS.)
function utf8ByteLength(text) {
  const unpadded = util.base64Encode(text).split('=')[0];
  return Math.floor((unpadded.length * 3) / 4);
}
// --- end of utf8 size rule ---

// The block with its one allowed kind, and nothing else the client put beside it.
function userBlock(block) {
  const present = Object.keys(block ?? {}).filter((key) => block[key] !== undefined && block[key] !== null);
  if (present.length !== 1 || !USER_BLOCK_KINDS.includes(present[0])) {
    util.error(`each content block must hold exactly one of ${USER_BLOCK_KINDS.join(', ')}`, 'ValidationError');
  }
  return { [present[0]]: block[present[0]] };
}

function checkToolConfiguration(toolConfiguration) {
  const tools = toolConfiguration.tools ?? [];
  if (tools.length > MAX_CLIENT_TOOLS) {
    util.error(`toolConfiguration may declare at most ${MAX_CLIENT_TOOLS} tools`, 'ValidationError');
  }
  const names = [];
  for (const tool of tools) {
    const name = tool?.toolSpec?.name;
    if (!name || !util.matches(TOOL_NAME_PATTERN, name) || names.includes(name)) {
      util.error('each tool needs a unique toolSpec.name of 1 to 64 letters, digits, _ or -', 'ValidationError');
    }
    // AppSync hands AWSJSON to resolvers parsed: a schema that is not an object schema is refused here
    // rather than by Bedrock during the turn (text that is not JSON is left to the handler, which skips it).
    const schema = tool.toolSpec.inputSchema?.json;
    const isText = typeof schema === 'string';
    if (!schema || (!isText && (typeof schema !== 'object' || schema.type !== 'object'))) {
      util.error(`tool ${name}: inputSchema.json must be a JSON schema with "type": "object"`, 'ValidationError');
    }
    names.push(name);
  }
}

export function request(ctx) {
  const owner = ownerOf(ctx);
  const { conversationId, content, aiContext, toolConfiguration } = ctx.arguments;
  if (!content || content.length === 0 || content.length > MAX_BLOCKS) {
    util.error(`content must hold 1 to ${MAX_BLOCKS} blocks`, 'ValidationError');
  }
  const blocks = content.map((block) => userBlock(block));
  // Checked before any step runs: an item DynamoDB would refuse must not first bump the conversation.
  const messageBytes = utf8ByteLength(JSON.stringify(ctx.arguments));
  if (messageBytes > MAX_MESSAGE_BYTES) {
    util.error(
      `the message is ${messageBytes} bytes of JSON (UTF-8); at most ${MAX_MESSAGE_BYTES} are allowed`,
      'ValidationError',
      null,
      { messageBytes, maxMessageBytes: MAX_MESSAGE_BYTES },
    );
  }
  const message = { role: 'user', content: blocks };
  if (aiContext !== undefined && aiContext !== null) {
    message.aiContext = aiContext;
  }
  if (toolConfiguration !== undefined && toolConfiguration !== null) {
    checkToolConfiguration(toolConfiguration);
    message.toolConfiguration = toolConfiguration;
  }
  ctx.stash.owner = owner;
  ctx.stash.conversationId = conversationId;
  ctx.stash.message = message;
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
