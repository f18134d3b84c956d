// Query.getLeague on the LeagueTable data source (DynamoDB GetItem by id).
// Callers: Cognito users and IAM backend callers; league data is not owner-scoped.
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
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result ?? null;
}
