// Mutation.sendMessage<Route> (pipeline: touchConversation, writeMessage, invokeHandler): stores
// the caller's message in one of their conversations, starts the assistant's turn asynchronously
// and returns the stored message at once. The answer arrives on onCreateAssistantResponse<Route>.
import { util } from '@aws-appsync/utils';

// --- owner rule: identical in every owner-scoped resolver (APPSYNC_JS cannot import shared code) ---
// * The owner key is ctx.identity.sub, the caller's stable Cognito subject; never the email or
//   username, which can change.
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
// A DynamoDB item holds at most 400 KB; this leaves room for the other attributes.
const MAX_MESSAGE_JSON_LENGTH = 300000;
const BLOCK_KINDS = ['text', 'image', 'document', 'toolResult'];

export function request(ctx) {
  const owner = ownerOf(ctx);
  const { conversationId, content, aiContext, toolConfiguration } = ctx.arguments;
  if (!content || content.length === 0 || content.length > MAX_BLOCKS) {
    util.error(`content must hold 1 to ${MAX_BLOCKS} blocks`, 'ValidationError');
  }
  for (const block of content) {
    const kinds = BLOCK_KINDS.filter((kind) => block?.[kind] !== undefined && block?.[kind] !== null);
    if (kinds.length !== 1) {
      util.error(`each content block must hold exactly one of ${BLOCK_KINDS.join(', ')}`, 'ValidationError');
    }
  }
  if (JSON.stringify(ctx.arguments).length > MAX_MESSAGE_JSON_LENGTH) {
    util.error(`the message must be at most ${MAX_MESSAGE_JSON_LENGTH} characters of JSON`, 'ValidationError');
  }
  const message = { role: 'user', content };
  if (aiContext !== undefined && aiContext !== null) {
    message.aiContext = aiContext;
  }
  if (toolConfiguration !== undefined && toolConfiguration !== null) {
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
