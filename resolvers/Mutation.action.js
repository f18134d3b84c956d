// Mutation.action on the FollowsTable data source: records that the caller follows a league
// season. An UpdateItem keyed by (owner = caller sub, followId = "<leagueId>#<season>") makes it
// idempotent: repeating it rewrites the same item and if_not_exists keeps the first createdAt.
import { util } from '@aws-appsync/utils';

// --- owner rule: identical in every owner-scoped resolver (APPSYNC_JS cannot import shared code) ---
// * The owner key is ctx.identity.sub, the caller's stable Cognito subject; never the email or
//   username, which can change.
// * The caller's email is ctx.identity.claims.email when the client sent an ID token, otherwise
//   ctx.identity.username (access tokens carry no email claim).
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
  // An ID token's email is authoritative and refreshes the stored one; the username fallback only
  // fills a follow that has no email yet, so it never overwrites a real address.
  const emailFromIdToken = ctx.identity.claims?.email;
  const email = emailFromIdToken ?? ctx.identity.username;
  const emailAssignment = emailFromIdToken ? '#email = :email' : '#email = if_not_exists(#email, :email)';
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ owner, followId: `${leagueId}#${season}` }),
    update: {
      expression: `SET #leagueId = :leagueId, #season = :season, ${emailAssignment}, #createdAt = if_not_exists(#createdAt, :now)`,
      expressionNames: { '#leagueId': 'leagueId', '#season': 'season', '#email': 'email', '#createdAt': 'createdAt' },
      expressionValues: util.dynamodb.toMapValues({
        ':leagueId': leagueId,
        ':season': season,
        ':email': email,
        ':now': util.time.nowISO8601(),
      }),
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const item = ctx.result;
  return { leagueId: item.leagueId, season: item.season, email: item.email ?? null, createdAt: item.createdAt };
}
