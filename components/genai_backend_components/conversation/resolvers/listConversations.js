// Query.listConversation<Route>s (unit, conversations table): the caller's conversations, most
// recently active first, through the index (owner, updatedAt). Amplify partitions this index on
// __typename and filters by owner after reading everyone's rows; here only the caller's partition
// is read.
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

// Must match the index the ConversationRoute component declares on the conversations table.
const OWNER_UPDATED_AT_INDEX = 'byOwnerUpdatedAt';
// Page size bounds: a missing limit means DEFAULT_LIMIT; values outside MIN..MAX are rejected.
const DEFAULT_LIMIT = 20;
const MIN_LIMIT = 1;
const MAX_LIMIT = 100;

export function request(ctx) {
  const owner = ownerOf(ctx);
  const { filter, limit, nextToken } = ctx.arguments;
  if (filter) {
    util.error('filter is not supported when listing conversations; omit it', 'ValidationError');
  }
  const pageSize = limit ?? DEFAULT_LIMIT;
  if (pageSize < MIN_LIMIT || pageSize > MAX_LIMIT) {
    util.error(`limit must be between ${MIN_LIMIT} and ${MAX_LIMIT}, got ${limit}`, 'ValidationError');
  }
  return {
    operation: 'Query',
    index: OWNER_UPDATED_AT_INDEX,
    query: {
      expression: '#owner = :owner',
      expressionNames: { '#owner': 'owner' },
      expressionValues: util.dynamodb.toMapValues({ ':owner': owner }),
    },
    scanIndexForward: false,
    limit: pageSize,
    nextToken: nextToken ?? null,
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const items = ctx.result.items.map((item) => ({
    id: item.id,
    name: item.name ?? null,
    metadata: item.metadata ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  }));
  return { items, nextToken: ctx.result.nextToken ?? null };
}
