// Mutation.upsertLeague on the LeagueFunction (Lambda) data source. The Lambda owns validation of
// the whole input and the optimistic-concurrency check; this resolver checks who may write, rejects
// only what would make a malformed key, builds the documented event, and turns the Lambda's
// {errorType, errorMessage} failure shape into a GraphQL error.
//
// League data is shared by every user, so only league administrators may change it: Cognito users
// in the ADMIN_GROUP group, and IAM callers (backend jobs, whose own IAM policy must allow
// appsync:GraphQL on this field). The schema says the same with
// @aws_cognito_user_pools(cognito_groups: ["admins"]); the check here is the second line of defence,
// should the directive ever be dropped or widened.
import { util } from '@aws-appsync/utils';

// Must match the cognito_groups of upsertLeague in schema.graphql and a group in authGroups.
const ADMIN_GROUP = 'admins';
// Same league id shape and season range as every resolver.
const LEAGUE_ID_PATTERN = '^[^#\\s]{1,128}$';
const SEASON_MIN = 1900;
const SEASON_MAX = 2100;

// A user-pool identity carries the caller's sub; an IAM identity carries a userArn and no sub.
// IAM identities that come from a Cognito identity pool (browser users, guests) are not backend
// callers and are refused, as is anything else (no identity, or another auth mode).
function requireLeagueAdmin(ctx) {
  const identity = ctx.identity;
  if (identity?.sub) {
    const groups = identity.groups ?? [];
    if (!groups.includes(ADMIN_GROUP)) {
      util.error(`Only members of the ${ADMIN_GROUP} group may change leagues`, 'Unauthorized');
    }
    return;
  }
  if (!identity?.userArn || identity.cognitoIdentityPoolId || identity.cognitoIdentityId) {
    util.error('Changing leagues needs an administrator or a backend IAM caller', 'Unauthorized');
  }
}

export function request(ctx) {
  requireLeagueAdmin(ctx);
  const { input, expectedVersion } = ctx.arguments;
  if (!util.matches(LEAGUE_ID_PATTERN, input.id)) {
    util.error('input.id must be 1-128 characters without whitespace or "#"', 'ValidationError');
  }
  if (input.season < SEASON_MIN || input.season > SEASON_MAX) {
    util.error(`input.season must be between ${SEASON_MIN} and ${SEASON_MAX}, got ${input.season}`, 'ValidationError');
  }
  if (expectedVersion !== null && expectedVersion !== undefined && expectedVersion < 1) {
    util.error(`expectedVersion must be 1 or more when given, got ${expectedVersion}`, 'ValidationError');
  }
  // IAM callers have a username but no sub; anonymous callers have no identity at all.
  const identity = ctx.identity
    ? { sub: ctx.identity.sub ?? null, username: ctx.identity.username ?? null }
    : null;
  return {
    operation: 'Invoke',
    payload: { field: 'upsertLeague', arguments: ctx.arguments, identity },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const result = ctx.result;
  if (result && result.errorType) {
    util.error(result.errorMessage, result.errorType);
  }
  return result;
}
