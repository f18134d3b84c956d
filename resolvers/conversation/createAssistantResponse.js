// Mutation.createAssistantResponse<Route> (pipeline: touchConversation, writeMessage), @aws_iam:
// the conversation handler stores a finished answer, once per turn. The handler has no Cognito
// identity, so input.owner names the conversation's owner; the conversation must exist under that
// owner, which also bumps its updatedAt (the conversation list shows recent activity first).
//
// Idempotent: the handler retries this mutation after a timeout or a 5xx, when the first attempt may
// already have been stored. The answer's key is therefore fixed by the turn, not generated here: id
// "<associatedUserMessageId>#response" and the createdAt the handler chose once for the answer. A
// retry writes the same item under the same key; AppSync counts a failed attribute_not_exists
// condition as success when the stored item equals the one being written, so it returns the stored
// answer instead of adding a second one.
import { util } from '@aws-appsync/utils';

const MAX_MESSAGE_JSON_LENGTH = 300000;
// The format util.time.nowISO8601() gives user messages: message keys sort by it, so it must match.
const CREATED_AT_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$';

export function request(ctx) {
  if (ctx.identity?.sub) {
    util.error('Only the conversation handler may store assistant answers', 'Unauthorized');
  }
  const { conversationId, associatedUserMessageId, owner, content, createdAt } = ctx.arguments.input;
  if (!owner || !conversationId || !associatedUserMessageId) {
    util.error('input.owner, input.conversationId and input.associatedUserMessageId are required', 'ValidationError');
  }
  if (!createdAt || !util.matches(CREATED_AT_PATTERN, createdAt)) {
    util.error('input.createdAt must be a UTC time with milliseconds, e.g. 2026-01-02T03:04:05.678Z', 'ValidationError');
  }
  if (!content || content.length === 0) {
    util.error('input.content must hold at least one block', 'ValidationError');
  }
  if (JSON.stringify(content).length > MAX_MESSAGE_JSON_LENGTH) {
    util.error(`input.content must be at most ${MAX_MESSAGE_JSON_LENGTH} characters of JSON`, 'ValidationError');
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
