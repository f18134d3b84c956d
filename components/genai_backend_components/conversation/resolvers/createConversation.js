// Mutation.createConversation<Route> (unit, conversations table): a new conversation owned by the
// caller. The id is always generated (never chosen by the client), so conversation ids are unique
// across owners and the messages table can be keyed by conversation id alone.
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

const MAX_NAME_LENGTH = 200;
const MAX_METADATA_LENGTH = 10000;

export function request(ctx) {
  const owner = ownerOf(ctx);
  const { name, metadata } = ctx.arguments.input;
  if (name !== undefined && name !== null && name.length > MAX_NAME_LENGTH) {
    util.error(`input.name must be at most ${MAX_NAME_LENGTH} characters`, 'ValidationError');
  }
  if (metadata !== undefined && metadata !== null && JSON.stringify(metadata).length > MAX_METADATA_LENGTH) {
    util.error(`input.metadata must be at most ${MAX_METADATA_LENGTH} characters of JSON`, 'ValidationError');
  }
  const now = util.time.nowISO8601();
  const attributes = { createdAt: now, updatedAt: now };
  if (name !== undefined && name !== null) {
    attributes.name = name;
  }
  if (metadata !== undefined && metadata !== null) {
    attributes.metadata = metadata;
  }
  return {
    operation: 'PutItem',
    key: util.dynamodb.toMapValues({ owner, id: util.autoId() }),
    attributeValues: util.dynamodb.toMapValues(attributes),
    condition: { expression: 'attribute_not_exists(#id)', expressionNames: { '#id': 'id' } },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const item = ctx.result;
  return {
    id: item.id,
    name: item.name ?? null,
    metadata: item.metadata ?? null,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
