// Pipeline function (conversation handler Lambda): starts the assistant's turn for the message the
// previous functions stored. invocationType 'Event' queues the invocation and returns at once, so
// sendMessage answers in milliseconds while the handler streams the answer.
//
// The payload holds ids; for a route with data tools (ctx.stash.conversationTools, set by the
// toolSettings step) also the tools' definitions and the caller's own token, under the names Amplify's
// handler event uses (toolsConfiguration.dataTools, request.headers.authorization): the handler runs a
// data tool's query with that token, so the API's rules for this user apply. A route without data tools
// never sends the token anywhere.
import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const payload = {
    conversationId: ctx.stash.conversationId,
    currentMessageId: ctx.stash.storedMessage.id,
    owner: ctx.stash.owner,
  };
  const dataTools = ctx.stash.conversationTools?.dataTools ?? [];
  if (dataTools.length > 0) {
    const authorization = ctx.request?.headers?.authorization;
    if (!authorization) {
      util.error('This operation needs the caller\'s Authorization header', 'Unauthorized');
    }
    payload.toolsConfiguration = { dataTools };
    payload.request = { headers: { authorization } };
  }
  return { operation: 'Invoke', invocationType: 'Event', payload };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.stash.storedMessage;
}
