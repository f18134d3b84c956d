// Mutation.createAssistantResponse<Route> (pipeline: touchConversation, writeMessage), @aws_iam:
// the conversation handler stores a finished answer, once per turn. The handler has no Cognito
// identity, so input.owner names the conversation's owner; the conversation must exist under that
// owner, which also bumps its updatedAt (the conversation list shows recent activity first).
import { util } from '@aws-appsync/utils';

const MAX_MESSAGE_JSON_LENGTH = 300000;

export function request(ctx) {
  if (ctx.identity?.sub) {
    util.error('Only the conversation handler may store assistant answers', 'Unauthorized');
  }
  const { conversationId, associatedUserMessageId, owner, content } = ctx.arguments.input;
  if (!owner || !conversationId || !associatedUserMessageId) {
    util.error('input.owner, input.conversationId and input.associatedUserMessageId are required', 'ValidationError');
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
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
