// Pipeline function (messages table): stores ctx.stash.message in conversation
// ctx.stash.conversationId, owned by ctx.stash.owner. The table key is (conversationId,
// createdAtId = "<createdAt>#<id>"), so a conversation's messages read back in time order with one
// strongly consistent Query; the owner is stored on every message and checked on every read.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { owner, conversationId, message } = ctx.stash;
  const id = util.autoId();
  const now = util.time.nowISO8601();
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({ conversationId, createdAtId: `${now}#${id}` }),
    attributeValues: util.dynamodb.toMapValues({ ...message, id, owner, createdAt: now, updatedAt: now }),
    condition: { expression: 'attribute_not_exists(#sortKey)', expressionNames: { '#sortKey': 'createdAtId' } },
  };
}

export function response(ctx) {
  if (ctx.error) {
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
