// Implementation of `@aws-appsync/utils` for the sandbox and the tests (the npm package ships types only).
//
// Each function follows AWS's documentation (AppSync developer guide, `built-in-util-js.html`,
// `dynamodb-helpers-in-util-dynamodb-js.html`, `time-helpers-in-util-time-js.html`,
// `runtime-utils-js.html`). Only what this project's resolvers use is implemented; touching
// anything else fails loudly instead of returning `undefined`, so a resolver can never pass a
// test by calling a helper this runtime does not really provide.
import { randomUUID } from 'node:crypto';

import { EarlyReturnSignal, ResolverErrorSignal, invocation } from './control.mjs';

function strictNamespace(path, members) {
  return new Proxy(members, {
    get(target, property) {
      if (typeof property === 'symbol') {
        return undefined;
      }
      if (!Object.hasOwn(target, property)) {
        throw new TypeError(
          `${path}.${property} is not implemented by the local runtime (sandbox/runtime/utils.mjs); ` +
            'add it there with the behaviour AWS documents before using it in a resolver',
        );
      }
      return target[property];
    },
  });
}

function graphqlError(message, errorType, data, errorInfo) {
  return {
    message: String(message),
    errorType: errorType ?? null,
    data: data ?? null,
    errorInfo: errorInfo ?? null,
  };
}

function now() {
  return invocation().now ?? new Date();
}

// toDynamoDB: documented as opinionated: strings -> S, numbers -> N (a JSON number), booleans ->
// BOOL, arrays -> L (never sets), objects -> M. The page has no null example; null becomes
// DynamoDB's own {NULL: true}. Object members that are `undefined` are left out, as they would be
// once the request is serialised to JSON.
function toDynamoDB(value) {
  if (value === null || value === undefined) {
    return { NULL: true };
  }
  if (typeof value === 'string') {
    return { S: value };
  }
  if (typeof value === 'number') {
    return { N: value };
  }
  if (typeof value === 'boolean') {
    return { BOOL: value };
  }
  if (Array.isArray(value)) {
    return { L: value.map((element) => toDynamoDB(element)) };
  }
  if (typeof value === 'object') {
    return { M: toMapValues(value) };
  }
  throw new TypeError(`util.dynamodb.toDynamoDB cannot convert a value of type ${typeof value}`);
}

// toMapValues: "a copy of the map where each value has been converted to its DynamoDB format".
function toMapValues(map) {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    throw new TypeError('util.dynamodb.toMapValues expects an object');
  }
  const converted = {};
  for (const [name, value] of Object.entries(map)) {
    if (value !== undefined) {
      converted[name] = toDynamoDB(value);
    }
  }
  return converted;
}

const time = strictNamespace('util.time', {
  // Documented example: "2018-02-06T19:01:35.749Z" (UTC, milliseconds).
  nowISO8601: () => now().toISOString(),
  nowEpochSeconds: () => Math.floor(now().getTime() / 1000),
  nowEpochMilliSeconds: () => now().getTime(),
});

const dynamodb = strictNamespace('util.dynamodb', { toDynamoDB, toMapValues });

// Enhanced subscription filtering (AWS "Built-in utilities / transformation helpers"):
// toSubscriptionFilter(filterObject) turns {field: {operator: value}, or: [...], and: [...]} into
// {filterGroup: [{filters: [{fieldName, operator, value}]}]}; the fields of one object are ANDed,
// `or` entries become separate groups (ORed), `and` entries join the group they are in.
const FILTER_OPERATORS = new Set([
  'eq', 'ne', 'le', 'lt', 'ge', 'gt', 'contains', 'notContains', 'beginsWith', 'in', 'notIn', 'between',
  'attributeExists', 'containsAny',
]);

function fieldFilters(conditions) {
  const filters = [];
  for (const [fieldName, condition] of Object.entries(conditions)) {
    if (fieldName === 'and' || fieldName === 'or') {
      continue;
    }
    for (const [operator, value] of Object.entries(condition)) {
      if (!FILTER_OPERATORS.has(operator)) {
        throw new TypeError(`util.transform.toSubscriptionFilter: operator ${operator} is not supported by AppSync`);
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

const transform = strictNamespace('util.transform', { toSubscriptionFilter });

export const util = strictNamespace('util', {
  // "Throws a custom error ... evaluation stops"; data and errorInfo end up in the GraphQL error.
  error(message, errorType, data, errorInfo) {
    throw new ResolverErrorSignal(graphqlError(message, errorType, data, errorInfo));
  },
  // Same arguments as util.error, but "the template evaluation will not be interrupted".
  appendError(message, errorType, data, errorInfo) {
    invocation().appendedErrors.push(graphqlError(message, errorType, data, errorInfo));
  },
  // "Returns a 128-bit randomly generated UUID"; tests may inject the sequence instead.
  autoId() {
    const current = invocation();
    if (current.ids === null) {
      return randomUUID();
    }
    if (current.ids.length === 0) {
      throw new Error(`util.autoId was called more often than the ${current.idsUsed} ids the test injected`);
    }
    current.idsUsed += 1;
    return current.ids.shift();
  },
  // "Returns true if the specified pattern in the first argument matches the supplied data in the
  // second argument." Inherited from the VTL helper (Java String.matches), so the whole value must
  // match; resolvers anchor their patterns with ^...$ so either reading gives the same answer.
  // AppSync documents util.matches(String, String) only; what it does with another type is not documented,
  // so a resolver passing one fails here instead of relying on it.
  matches(pattern, value) {
    if (typeof pattern !== 'string' || typeof value !== 'string') {
      throw new TypeError(`util.matches expects (String, String), got (${typeof pattern}, ${typeof value})`);
    }
    return new RegExp(`^(?:${pattern})$`).test(value);
  },
  // "Returns the input string as a base64-encoded string"; "unless otherwise specified, all utilities use
  // the UTF-8 character set" (AWS AppSync, built-in utilities for APPSYNC_JS).
  base64Encode(value) {
    if (typeof value !== 'string') {
      throw new TypeError(`util.base64Encode expects a string, got ${typeof value}`);
    }
    return Buffer.from(value, 'utf8').toString('base64');
  },
  time,
  dynamodb,
  transform,
});

export const runtime = strictNamespace('runtime', {
  // Halts the current handler; `value` becomes its result. skipTo is 'END' or 'NEXT' (pipelines).
  earlyReturn(value, returnOptions) {
    const skipTo = returnOptions?.skipTo ?? null;
    if (skipTo !== null && skipTo !== 'END' && skipTo !== 'NEXT') {
      throw new TypeError(`runtime.earlyReturn skipTo must be 'END' or 'NEXT', got ${JSON.stringify(skipTo)}`);
    }
    throw new EarlyReturnSignal(value ?? null, skipTo);
  },
});

export const extensions = strictNamespace('extensions', {
  // "Sets the subscription filter" for the subscription being set up (subscription response
  // handlers only); the runner applies it to every published payload.
  setSubscriptionFilter(filter) {
    invocation().subscriptionFilter = filter;
  },
});
