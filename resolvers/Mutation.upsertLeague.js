// Mutation.upsertLeague on the LeagueFunction (Lambda) data source. The Lambda owns validation of
// the whole input and the optimistic-concurrency check; this resolver rejects only what would
// make a malformed key, builds the documented event, and turns the Lambda's {errorType,
// errorMessage} failure shape into a GraphQL error. Callers: Cognito users and IAM callers.
import { util } from '@aws-appsync/utils';

// Same league id shape and season range as every resolver.
const LEAGUE_ID_PATTERN = '^[^#\\s]{1,128}$';
const SEASON_MIN = 1900;
const SEASON_MAX = 2100;

export function request(ctx) {
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
