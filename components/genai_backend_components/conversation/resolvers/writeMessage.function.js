// Pipeline function (messages table): stores ctx.stash.message in conversation
// ctx.stash.conversationId, owned by ctx.stash.owner. The table key is (conversationId,
// createdAtId = "<createdAt>#<id>"), so a conversation's messages read back in time order with one
// strongly consistent Query; the owner is stored on every message and checked on every read.
// A user message gets a new id and the current time; an assistant answer brings its own
// (ctx.stash.messageKey: derived from the user message it answers, see createAssistantResponse.js),
// so a resent write finds itself and a second answer to the same message finds the first.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { owner, conversationId, message, messageKey } = ctx.stash;
  const id = messageKey?.id ?? util.autoId();
  const createdAt = messageKey?.createdAt ?? util.time.nowISO8601();
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({ conversationId, createdAtId: `${createdAt}#${id}` }),
    // Messages are never edited, so updatedAt is createdAt: a retried write is then the same item.
    attributeValues: util.dynamodb.toMapValues({ ...message, id, owner, createdAt, updatedAt: createdAt }),
    condition: { expression: 'attribute_not_exists(#sortKey)', expressionNames: { '#sortKey': 'createdAtId' } },
  };
}

export function response(ctx) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      // Same key, different item: another answer to this user message is already stored.
      util.error('a different message is already stored under this key', 'Conflict');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  const item = ctx.result;
  const stored = {
    id: item.id,
    conversationId: item.conversationId,
    role: item.role,
    content: item.content,
    aiContext: item.aiContext ?? null,
    toolConfiguration: item.toolConfiguration ?? null,
    associatedUserMessageId: item.associatedUserMessageId ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
  ctx.stash.storedMessage = stored;
  return stored;
}
