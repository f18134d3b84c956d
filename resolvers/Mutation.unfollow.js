// Mutation.unfollow on the FollowsTable data source: deletes the caller's follow of a league
// season. The key holds the caller's sub and the condition re-checks owner, so no argument can
// reach another user's item; a follow that does not exist is reported as NotFound.
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

// Same league id shape as every resolver; '#' is excluded because it separates followId parts.
const LEAGUE_ID_PATTERN = '^[^#\\s]{1,128}$';
const SEASON_MIN = 1900;
const SEASON_MAX = 2100;

export function request(ctx) {
  const owner = ownerOf(ctx);
  const { leagueId, season } = ctx.arguments;
  if (!util.matches(LEAGUE_ID_PATTERN, leagueId)) {
    util.error('leagueId must be 1-128 characters without whitespace or "#"', 'ValidationError');
  }
  if (season < SEASON_MIN || season > SEASON_MAX) {
    util.error(`season must be between ${SEASON_MIN} and ${SEASON_MAX}, got ${season}`, 'ValidationError');
  }
  return {
    operation: 'DeleteItem',
    key: util.dynamodb.toMapValues({ owner, followId: `${leagueId}#${season}` }),
    condition: {
      expression: 'attribute_exists(#followId) AND #owner = :owner',
      expressionNames: { '#followId': 'followId', '#owner': 'owner' },
      expressionValues: util.dynamodb.toMapValues({ ':owner': owner }),
    },
  };
}

export function response(ctx) {
  const notFound = 'You do not follow this league season';
  if (ctx.error) {
    if (ctx.error.type === 'DynamoDB:ConditionalCheckFailedException') {
      util.error(notFound, 'NotFound');
    }
    util.error(ctx.error.message, ctx.error.type);
  }
  // AppSync reports a failed delete condition as success when the item is already gone (the
  // "current value matches the desired result" rule), so a missing item arrives as a null result.
  const item = ctx.result;
  if (!item) {
    util.error(notFound, 'NotFound');
  }
  return { leagueId: item.leagueId, season: item.season, email: item.email ?? null, createdAt: item.createdAt };
}
