// Mutation.updateConversation<Route> (unit, conversations table): renames the caller's conversation
// or replaces its metadata. A field left out is kept; a field sent as null is removed. The key holds
// the caller's sub, so another user's conversation fails the existence condition: NotFound.
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

const MAX_NAME_LENGTH = 200;
const MAX_METADATA_LENGTH = 10000;

export function request(ctx) {
  const owner = ownerOf(ctx);
  const { id, name, metadata } = ctx.arguments.input;
  if (name !== undefined && name !== null && name.length > MAX_NAME_LENGTH) {
    util.error(`input.name must be at most ${MAX_NAME_LENGTH} characters`, 'ValidationError');
  }
  if (metadata !== undefined && metadata !== null && JSON.stringify(metadata).length > MAX_METADATA_LENGTH) {
    util.error(`input.metadata must be at most ${MAX_METADATA_LENGTH} characters of JSON`, 'ValidationError');
  }
  const assignments = ['#updatedAt = :updatedAt'];
  const removals = [];
  const names = { '#updatedAt': 'updatedAt' };
  const values = { ':updatedAt': util.time.nowISO8601() };
  if (name !== undefined) {
    names['#name'] = 'name';
    if (name === null) {
      removals.push('#name');
    } else {
      assignments.push('#name = :name');
      values[':name'] = name;
    }
  }
  if (metadata !== undefined) {
    names['#metadata'] = 'metadata';
    if (metadata === null) {
      removals.push('#metadata');
    } else {
      assignments.push('#metadata = :metadata');
      values[':metadata'] = metadata;
    }
  }
  const removeClause = removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : '';
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ owner, id }),
    update: {
      expression: `SET ${assignments.join(', ')}${removeClause}`,
      expressionNames: names,
      expressionValues: util.dynamodb.toMapValues(values),
    },
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
  return {
    id: item.id,
    name: item.name ?? null,
    metadata: item.metadata ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
