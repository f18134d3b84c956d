// Query.listLeagues on the LeagueTable data source: a Query on the bySeason index (never a Scan,
// whose cost grows with the whole table). Callers: Cognito users and IAM backend callers.
import { util } from '@aws-appsync/utils';

const SEASON_MIN = 1900;
const SEASON_MAX = 2100;
// Page size bounds: a missing limit means DEFAULT_LIMIT; values outside MIN..MAX are rejected
// (not silently clamped) so a client learns its paging assumption is wrong.
const DEFAULT_LIMIT = 20;
const MIN_LIMIT = 1;
const MAX_LIMIT = 100;

export function request(ctx) {
  const { season, limit, nextToken } = ctx.arguments;
  if (season < SEASON_MIN || season > SEASON_MAX) {
    util.error(`season must be between ${SEASON_MIN} and ${SEASON_MAX}, got ${season}`, 'ValidationError');
  }
  const pageSize = limit ?? DEFAULT_LIMIT;
  if (pageSize < MIN_LIMIT || pageSize > MAX_LIMIT) {
    util.error(`limit must be between ${MIN_LIMIT} and ${MAX_LIMIT}, got ${limit}`, 'ValidationError');
  }
  return {
    operation: 'Query',
    index: 'bySeason',
    query: {
      expression: '#season = :season',
      expressionNames: { '#season': 'season' },
      expressionValues: util.dynamodb.toMapValues({ ':season': season }),
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
  return { items: ctx.result.items, nextToken: ctx.result.nextToken ?? null };
}
