// Mutation.deleteConversation<Route> (unit, conversations table): deletes the caller's conversation
// and returns it. Its messages are deleted afterwards by the cleanup function, which the table's
// stream triggers (conversation_handler/cleanup.py); until then no one can read them, since every
// message read first checks that the caller owns the conversation. Another user's id: NotFound.
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
  return {
    operation: 'DeleteItem',
    key: util.dynamodb.toMapValues({ owner, id: ctx.arguments.input.id }),
    condition: { expression: 'attribute_exists(#id)', expressionNames: { '#id': 'id' } },
  };
}

export function response(ctx) {
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      util.error(`conversation ${ctx.arguments.input.id} not found`, 'NotFound');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  const item = ctx.result;
  // AppSync treats a failed condition as success when the item is already absent (the desired
  // state of a delete) and then has no item to return: the caller owns no such conversation.
  if (!item) {
    util.error(`conversation ${ctx.arguments.input.id} not found`, 'NotFound');
  }
  return {
    id: item.id,
    name: item.name ?? null,
    metadata: item.metadata ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
