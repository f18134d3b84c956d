// Mutation.createAssistantResponse<Route> (pipeline: verifyHandlerCaller, touchConversation,
// writeMessage), @aws_iam: the conversation handler stores a finished answer, once per user message.
// verifyHandlerCaller admits only the handler's own role, before anything is read or written. The
// handler has no Cognito identity, so input.owner names the conversation's owner; the conversation must
// exist under that owner, which also bumps its updatedAt (the conversation list shows recent activity
// first).
//
// One answer per user message: the handler may resend this mutation after a timeout or a 5xx, and
// Lambda may run the handler twice for one message (asynchronous events are delivered at least
// once). The answer's key is therefore derived from the user message, never from the time of a run:
// id "<associatedUserMessageId>#response" and input.createdAt, which is the user message's own
// stored createdAt. The sort key "<userCreatedAt>#<userMessageId>#response" extends the user
// message's "<userCreatedAt>#<userMessageId>", so the answer lists right after its question, even
// when later questions were sent while it was being generated. A resend writes the same item under
// the same key, and AppSync counts a failed attribute_not_exists condition as success when the stored
// item equals the one being written; a different answer to the same message fails with Conflict.
import { util } from '@aws-appsync/utils';

// A DynamoDB item holds at most 400 KB, counted in UTF-8 bytes; this leaves room for the other attributes.
const MAX_CONTENT_BYTES = 300000;
// The format util.time.nowISO8601() gave the user message: the answer's key extends that message's.
const CREATED_AT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';

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

export function request(ctx) {
  // Only the handler's own role: not a user-pool caller, and not a browser identity from an identity pool.
  const identity = ctx.identity;
  if (identity?.sub || !identity?.userArn || identity.cognitoIdentityPoolId || identity.cognitoIdentityId) {
    util.error('Only the conversation handler may store assistant answers', 'Unauthorized');
  }
  const { conversationId, associatedUserMessageId, owner, content, createdAt } = ctx.arguments.input;
  if (!owner || !conversationId || !associatedUserMessageId) {
    util.error('input.owner, input.conversationId and input.associatedUserMessageId are required', 'ValidationError');
  }
  if (!createdAt || !util.matches(CREATED_AT_PATTERN, createdAt)) {
    util.error('input.createdAt must be the answered message\'s createdAt, in UTC with milliseconds', 'ValidationError');
  }
  if (!content || content.length === 0) {
    util.error('input.content must hold at least one block', 'ValidationError');
  }
  const contentBytes = utf8ByteLength(JSON.stringify(content));
  if (contentBytes > MAX_CONTENT_BYTES) {
    util.error(
      `input.content is ${contentBytes} bytes of JSON (UTF-8); at most ${MAX_CONTENT_BYTES} are allowed`,
      'ValidationError',
      null,
      { contentBytes, maxContentBytes: MAX_CONTENT_BYTES },
    );
  }
  ctx.stash.owner = owner;
  ctx.stash.conversationId = conversationId;
  ctx.stash.message = { role: 'assistant', content, associatedUserMessageId };
  ctx.stash.messageKey = { id: `${associatedUserMessageId}#response`, createdAt };
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
