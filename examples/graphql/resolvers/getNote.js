// Query.getNote on the Notes data source: one of the caller's own notes, by id (DynamoDB GetItem).
// The partition key is the caller's Cognito sub, so nobody can read another user's note.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'GetItem',
    key: util.dynamodb.toMapValues({ owner: ctx.identity.sub, id: ctx.arguments.id }),
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result ?? null;
}
