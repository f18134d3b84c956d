// Query.getConversation<Route> (unit, conversations table): one of the caller's conversations by id.
// The key is (owner = caller sub, id), so another user's conversation is simply not found: null.
import { util } from '@aws-appsync/utils';

// --- owner rule: identical in every owner-scoped resolver (APPSYNC_JS cannot import shared code) ---
// * The owner key is ctx.identity.sub, the caller's stable Cognito subject; never the email or
//   username, which can change (a federated user's username is "<ProviderName>_<subject>").
// * A call without identity, or whose identity has no sub (e.g. IAM), fails with Unauthorized.
function ownerOf(ctx) {
  const sub = ctx.identity?.sub;
  if (!sub) {
    util.error('This operation needs a signed-in Cognito user', 'Unauthorized');
  }
  return sub;
}
// --- end of owner rule ---

export function request(ctx) {
  const owner = ownerOf(ctx);
  return { operation: 'GetItem', key: util.dynamodb.toMapValues({ owner, id: ctx.arguments.id }) };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const item = ctx.result;
  if (!item) {
    return null;
  }
  return {
    id: item.id,
    name: item.name ?? null,
    metadata: item.metadata ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
