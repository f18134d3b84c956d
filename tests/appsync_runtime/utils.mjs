// Moved: the `@aws-appsync/utils` implementation is sandbox/runtime/utils.mjs (product code). Re-exported
// here for tests/node/conversation/subscription_utils.mjs; the same module instance, so state is shared.
export * from '../../sandbox/runtime/utils.mjs';
