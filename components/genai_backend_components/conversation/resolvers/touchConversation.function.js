// Pipeline function (conversations table): marks the conversation of ctx.stash.owner as active now
// (updatedAt orders the conversation list) and, through its condition, fails with NotFound unless
// that owner owns it: one request both authorizes the write that follows and records the activity.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { owner, conversationId } = ctx.stash;
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ owner, id: conversationId }),
    update: {
      expression: 'SET #updatedAt = :now',
      expressionNames: { '#updatedAt': 'updatedAt' },
      expressionValues: util.dynamodb.toMapValues({ ':now': util.time.nowISO8601() }),
    },
    condition: { expression: 'attribute_exists(#id)', expressionNames: { '#id': 'id' } },
  };
}

export function response(ctx) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      util.error(`conversation ${ctx.stash.conversationId} not found`, 'NotFound');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
