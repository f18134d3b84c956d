// Test implementation of `@aws-appsync/utils` (the npm package ships types only).
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
          `${path}.${property} is not implemented by the test runtime (tests/appsync_runtime/utils.mjs); ` +
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
  matches(pattern, value) {
    if (typeof value !== 'string') {
      return false;
    }
    return new RegExp(`^(?:${pattern})$`).test(value);
  },
  time,
  dynamodb,
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

export const extensions = strictNamespace('extensions', {});
