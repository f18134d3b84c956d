// Subscription.onCreateAssistantResponse<Route>(conversationId) (pipeline: verifyConversationOwner):
// the caller may only subscribe to a conversation they own, and the enhanced filter set here
// delivers a published part only when BOTH its conversationId and its owner match, so even a
// guessed conversation id never leaks another user's answer.
import { util, extensions } from '@aws-appsync/utils';

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

export function request(ctx) {
  ctx.stash.owner = ownerOf(ctx);
  ctx.stash.conversationId = ctx.arguments.conversationId;
  return {};
}

export function response(ctx) {
  const filter = util.transform.toSubscriptionFilter({
    owner: { eq: ctx.stash.owner },
    conversationId: { eq: ctx.stash.conversationId },
  });
  extensions.setSubscriptionFilter(filter);
  return null;
}
