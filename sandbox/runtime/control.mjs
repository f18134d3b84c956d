// Per-invocation state of the APPSYNC_JS runtime (used by the sandbox and the tests).
//
// AppSync evaluates each handler in isolation, so nothing may leak from one handler call to the
// next. The worker opens an invocation before every handler call and closes it afterwards; the
// runtime reads the injected clock and id sequence from here so tests are deterministic without
// the resolver code knowing it runs under test. A subscription filter set with
// extensions.setSubscriptionFilter is recorded here, for the caller to apply to published data.

/** Thrown by util.error: AppSync stops evaluating the handler and reports this error for the field. */
export class ResolverErrorSignal extends Error {
  constructor(graphqlError) {
    super(graphqlError.message);
    this.graphqlError = graphqlError;
  }
}

/** Thrown by runtime.earlyReturn: AppSync stops the handler and uses `value` as its result. */
export class EarlyReturnSignal extends Error {
  constructor(value, skipTo) {
    super('runtime.earlyReturn');
    this.value = value;
    this.skipTo = skipTo;
  }
}

let current = null;

export function beginInvocation({ now = null, ids = null } = {}) {
  current = {
    now: now === null ? null : new Date(now),
    ids: ids === null ? null : [...ids],
    idsUsed: 0,
    appendedErrors: [],
    logs: [],
    subscriptionFilter: null,
  };
  if (current.now !== null && Number.isNaN(current.now.getTime())) {
    throw new Error(`injected clock is not a valid ISO-8601 instant: ${now}`);
  }
  return current;
}

export function endInvocation() {
  const finished = current;
  current = null;
  return finished;
}

export function invocation() {
  if (current === null) {
    throw new Error('@aws-appsync/utils was called outside a handler invocation');
  }
  return current;
}
