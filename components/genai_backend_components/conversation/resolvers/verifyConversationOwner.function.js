// Pipeline function (conversations table): fails with NotFound unless ctx.stash.owner owns the
// conversation ctx.stash.conversationId. Reading by the key (owner, id) makes the check exact: a
// conversation of another owner is indistinguishable from one that does not exist.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { owner, conversationId } = ctx.stash;
  return {
    operation: 'GetItem',
    key: util.dynamodb.toMapValues({ owner, id: conversationId }),
    consistentRead: true,
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  if (!ctx.result) {
    util.error(`conversation ${ctx.stash.conversationId} not found`, 'NotFound');
  }
  return ctx.result;
}
