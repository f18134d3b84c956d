// Mutation.createAssistantResponseStream<Route> (pipeline: verifyHandlerCaller, on the NONE data source),
// @aws_iam: publishes one batch of an answer (or the turn's errors) to onCreateAssistantResponse<Route>.
// This resolver checks and shapes the part (ctx.stash.streamPart); verifyHandlerCaller admits only the
// handler's own role; the response returns the part, which is what subscribers receive. Nothing is
// stored: the finished answer is stored once by createAssistantResponse<Route>, instead of Amplify's one
// DynamoDB write per streamed delta.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  // Only the handler's own role: not a user-pool caller, and not a browser identity from an identity pool.
  const identity = ctx.identity;
  if (identity?.sub || !identity?.userArn || identity.cognitoIdentityPoolId || identity.cognitoIdentityId) {
    util.error('Only the conversation handler may publish answers', 'Unauthorized');
  }
  const input = ctx.arguments.input;
  if (!input.owner || !input.conversationId || !input.associatedUserMessageId) {
    util.error('input.owner, input.conversationId and input.associatedUserMessageId are required', 'ValidationError');
  }
  // Amplify's handler sends contentBlockToolUse as {"toolUse": {...}}; the type wants the block itself.
  const toolUse = input.contentBlockToolUse?.toolUse ?? input.contentBlockToolUse ?? null;
  ctx.stash.streamPart = {
    id: `${input.associatedUserMessageId}#stream`,
    owner: input.owner,
    conversationId: input.conversationId,
    associatedUserMessageId: input.associatedUserMessageId,
    contentBlockIndex: input.contentBlockIndex ?? null,
    contentBlockText: input.contentBlockText ?? null,
    contentBlockDeltaIndex: input.contentBlockDeltaIndex ?? null,
    contentBlockDoneAtIndex: input.contentBlockDoneAtIndex ?? null,
    contentBlockToolUse: toolUse,
    stopReason: input.stopReason ?? null,
    errors: input.errors ?? null,
    p: input.p ?? null,
  };
  return {};
}

export function response(ctx) {
  return ctx.stash.streamPart;
}
