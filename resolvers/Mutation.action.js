// Mutation.action on the FollowsTable data source: records that the caller follows a league
// season. An UpdateItem keyed by (owner = caller sub, followId = "<leagueId>#<season>") makes it
// idempotent: repeating it rewrites the same item and if_not_exists keeps the first createdAt.
// The email is stored only when the caller presents a verified address (verifiedEmail below).
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

// The caller's address, only from an ID token (token_use "id") whose email_verified is true. Access
// tokens (what Amplify's data client sends by default) carry no email, and ctx.identity.username is
// no address: with email as the username attribute it is the sub, and a federated user's is
// "<ProviderName>_<subject>".
function verifiedEmail(identity) {
  const claims = identity?.claims;
  const verified = claims?.email_verified === true || claims?.email_verified === 'true';
  const email = claims?.email;
  const isAddress = typeof email === 'string' && util.matches(EMAIL_PATTERN, email);
  if (claims?.token_use !== 'id' || !verified || !isAddress) {
    return null;
  }
  return email;
}

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
  const names = { '#leagueId': 'leagueId', '#season': 'season', '#createdAt': 'createdAt' };
  const values = { ':leagueId': leagueId, ':season': season, ':now': util.time.nowISO8601() };
  let expression = 'SET #leagueId = :leagueId, #season = :season, #createdAt = if_not_exists(#createdAt, :now)';
  // Without a verified address the stored email is left as it is: null for a new follow.
  const email = verifiedEmail(ctx.identity);
  if (email) {
    expression = `${expression}, #email = :email`;
    names['#email'] = 'email';
    values[':email'] = email;
  }
  return {
    operation: 'UpdateItem',
    key: util.dynamodb.toMapValues({ owner, followId: `${leagueId}#${season}` }),
    update: { expression, expressionNames: names, expressionValues: util.dynamodb.toMapValues(values) },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const item = ctx.result;
  return { leagueId: item.leagueId, season: item.season, email: storedEmail(item), createdAt: item.createdAt };
}
