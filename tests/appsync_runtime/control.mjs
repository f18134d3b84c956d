// Moved: per-invocation state is sandbox/runtime/control.mjs (product code). Re-exported here for
// tests/node/conversation/subscription_filter.mjs; the same module instance, so state is shared.
export * from '../../sandbox/runtime/control.mjs';
