// Pipeline function (messages table): one page of the messages of ctx.stash.conversationId, oldest
// first. Runs after verifyConversationOwner; the owner filter is a second guard that keeps another
// owner's messages out even if a conversation id were ever reused.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { owner, conversationId, page } = ctx.stash;
  return {
    operation: 'Query',
    query: {
      expression: '#conversationId = :conversationId',
      expressionNames: { '#conversationId': 'conversationId' },
      expressionValues: util.dynamodb.toMapValues({ ':conversationId': conversationId }),
    },
    filter: {
      expression: '#owner = :owner',
      expressionNames: { '#owner': 'owner' },
      expressionValues: util.dynamodb.toMapValues({ ':owner': owner }),
    },
    scanIndexForward: true,
    limit: page.limit,
    nextToken: page.nextToken,
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const items = ctx.result.items.map((item) => ({
    id: item.id,
    conversationId: item.conversationId,
    role: item.role,
    content: item.content,
    aiContext: item.aiContext ?? null,
    toolConfiguration: item.toolConfiguration ?? null,
    associatedUserMessageId: item.associatedUserMessageId ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  }));
  return { items, nextToken: ctx.result.nextToken ?? null };
}
