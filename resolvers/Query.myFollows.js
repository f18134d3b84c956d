// Query.myFollows on the FollowsTable data source: the caller's own follows, in followId order.
// Only the caller's partition (owner = sub) is ever queried.
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

// --- stored email rule: identical in every resolver that returns a follow's email ---
// * A follow's email is stored only from a verified ID-token claim (Mutation.action), so it is an
//   address or absent; absent reads as null.
// * A stored value that is not an address (release 0.1 stored the username when the token had no
//   email claim) reads as null too.
const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+$';

function storedEmail(item) {
  return typeof item.email === 'string' && util.matches(EMAIL_PATTERN, item.email) ? item.email : null;
}
// --- end of stored email rule ---

// Page size bounds: a missing limit means DEFAULT_LIMIT; values outside MIN..MAX are rejected.
const DEFAULT_LIMIT = 20;
const MIN_LIMIT = 1;
const MAX_LIMIT = 100;

export function request(ctx) {
  const owner = ownerOf(ctx);
  const { limit, nextToken } = ctx.arguments;
  const pageSize = limit ?? DEFAULT_LIMIT;
  if (pageSize < MIN_LIMIT || pageSize > MAX_LIMIT) {
    util.error(`limit must be between ${MIN_LIMIT} and ${MAX_LIMIT}, got ${limit}`, 'ValidationError');
  }
  return {
    operation: 'Query',
    query: {
      expression: '#owner = :owner',
      expressionNames: { '#owner': 'owner' },
      expressionValues: util.dynamodb.toMapValues({ ':owner': owner }),
    },
    limit: pageSize,
    nextToken: nextToken ?? null,
    scanIndexForward: true,
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const items = ctx.result.items.map((item) => ({
    leagueId: item.leagueId,
    season: item.season,
    email: storedEmail(item),
    createdAt: item.createdAt,
  }));
  return { items, nextToken: ctx.result.nextToken ?? null };
}
