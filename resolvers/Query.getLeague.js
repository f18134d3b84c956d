// Query.getLeague on the LeagueTable data source (DynamoDB GetItem by id).
// Callers: Cognito users and IAM backend callers; league data is not owner-scoped.
// The read is strongly consistent: the version it returns is what an admin passes as the next
// upsertLeague expectedVersion, and a stale read would make that upsert fail as a conflict.
import { util } from '@aws-appsync/utils';

// League ids become DynamoDB keys and part of follow keys ("<leagueId>#<season>"), so every
// resolver accepts the same shape: 1-128 characters, no whitespace, no '#'.
const LEAGUE_ID_PATTERN = '^[^#\\s]{1,128}$';

export function request(ctx) {
  const { id } = ctx.arguments;
  if (!util.matches(LEAGUE_ID_PATTERN, id)) {
    util.error('id must be 1-128 characters without whitespace or "#"', 'ValidationError');
  }
  return {
    operation: 'GetItem',
    key: util.dynamodb.toMapValues({ id }),
    consistentRead: true,
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result ?? null;
}
