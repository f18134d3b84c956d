// The harness's test `@aws-appsync/utils` (tests/appsync_runtime/utils.mjs) plus the two helpers
// enhanced subscription filtering needs, which it does not provide:
// - util.transform.toSubscriptionFilter(filterObject): AWS "Built-in utilities / transformation
//   helpers": turns {field: {operator: value}, or: [...], and: [...]} into
//   {filterGroup: [{filters: [{fieldName, operator, value}]}]}; fields of one object are ANDed,
//   `or` entries become separate groups (ORed), `and` entries join the group they are in.
// - extensions.setSubscriptionFilter(filter): AWS "Extensions": sets the filter for the
//   subscription being set up; recorded here so the runner can apply it to published parts.
import { runtime, util as baseUtil } from '../../appsync_runtime/utils.mjs';

const OPERATORS = new Set(['eq', 'ne', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'beginsWith', 'in', 'notIn', 'between']);

let recordedFilter = null;

function fieldFilters(conditions) {
  const filters = [];
  for (const [fieldName, condition] of Object.entries(conditions)) {
    if (fieldName === 'and' || fieldName === 'or') {
      continue;
    }
    for (const [operator, value] of Object.entries(condition)) {
      if (!OPERATORS.has(operator)) {
        throw new TypeError(`toSubscriptionFilter: operator ${operator} is not supported by AppSync`);
      }
      filters.push({ fieldName, operator, value });
    }
  }
  for (const nested of conditions.and ?? []) {
    filters.push(...fieldFilters(nested));
  }
  return filters;
}

function toSubscriptionFilter(filterObject) {
  const base = fieldFilters(filterObject);
  const alternatives = filterObject.or ?? [];
  if (alternatives.length === 0) {
    return { filterGroup: [{ filters: base }] };
  }
  return { filterGroup: alternatives.map((alternative) => ({ filters: [...base, ...fieldFilters(alternative)] })) };
}

export const util = new Proxy(
  {},
  {
    get(target, property) {
      if (property === 'transform') {
        return { toSubscriptionFilter };
      }
      return baseUtil[property];
    },
  },
);

export { runtime };

export const extensions = {
  setSubscriptionFilter(filter) {
    recordedFilter = filter;
  },
};

export function takeRecordedFilter() {
  const filter = recordedFilter;
  recordedFilter = null;
  return filter;
}

function matches(filter, payload) {
  const actual = payload[filter.fieldName];
  const expected = filter.value;
  switch (filter.operator) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'in':
      return expected.includes(actual);
    case 'notIn':
      return !expected.includes(actual);
    case 'beginsWith':
      return typeof actual === 'string' && actual.startsWith(expected);
    default:
      throw new TypeError(`the test runtime does not evaluate operator ${filter.operator}`);
  }
}

// AppSync delivers a published payload when at least one group matches, i.e. all its filters hold.
export function delivers(subscriptionFilter, payload) {
  return subscriptionFilter.filterGroup.some((group) => group.filters.every((filter) => matches(filter, payload)));
}
