// Query.listConversationMessage<Route>s (pipeline: verifyConversationOwner, queryMessages): the
// messages of one of the caller's conversations, oldest first. Amplify's client always sends
// filter: { conversationId: { eq } }; it is required, and the conversation must belong to the
// caller before any message is read.
import { util } from '@aws-appsync/utils';

// --- owner rule: identical in every owner-scoped resolver (APPSYNC_JS cannot import shared code) ---
// * The owner key is ctx.identity.sub, the caller's stable Cognito subject; never the email or
//   username, which can change (a federated user's username is "<ProviderName>_<subject>").
// * A call without identity, or whose identity has no sub (e.g. IAM), fails with Unauthorized.
function ownerOf(ctx) {
  const sub = ctx.identity?.sub;
  if (!sub) {
    util.error('This operation needs a signed-in Cognito user', 'Unauthorized');
  }
  return sub;
}
// --- end of owner rule ---

// Page size bounds: a missing limit means DEFAULT_LIMIT; values outside MIN..MAX are rejected.
const DEFAULT_LIMIT = 20;
const MIN_LIMIT = 1;
const MAX_LIMIT = 100;

export function request(ctx) {
  const owner = ownerOf(ctx);
  const { filter, limit, nextToken } = ctx.arguments;
  const conversationId = filter?.conversationId?.eq;
  if (!conversationId) {
    util.error('filter.conversationId.eq is required: messages are listed per conversation', 'ValidationError');
  }
  if (Object.keys(filter).length !== 1 || Object.keys(filter.conversationId).length !== 1) {
    util.error('filter supports only conversationId.eq', 'ValidationError');
  }
  const pageSize = limit ?? DEFAULT_LIMIT;
  if (pageSize < MIN_LIMIT || pageSize > MAX_LIMIT) {
    util.error(`limit must be between ${MIN_LIMIT} and ${MAX_LIMIT}, got ${limit}`, 'ValidationError');
  }
  ctx.stash.owner = owner;
  ctx.stash.conversationId = conversationId;
  ctx.stash.page = { limit: pageSize, nextToken: nextToken ?? null };
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
