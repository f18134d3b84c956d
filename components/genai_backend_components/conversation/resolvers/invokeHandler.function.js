// Pipeline function (conversation handler Lambda): starts the assistant's turn for the message the
// previous function stored. invocationType 'Event' queues the invocation and returns at once, so
// sendMessage answers in milliseconds while the handler streams the answer. The payload holds ids
// only: the handler reads the message itself and never receives the user's token.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return {
    operation: 'Invoke',
    invocationType: 'Event',
    payload: {
      conversationId: ctx.stash.conversationId,
      currentMessageId: ctx.stash.storedMessage.id,
      owner: ctx.stash.owner,
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.stash.storedMessage;
}
