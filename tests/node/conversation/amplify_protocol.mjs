// Drives Amplify's own conversation client (aws-amplify 6 / @aws-amplify/data-schema) through every
// call an app makes on a conversation route, and validates each GraphQL document it sends, over HTTP
// and over the real-time WebSocket, against the schema the backend deploys.
//
// Usage: node amplify_protocol.mjs INPUT.json   where INPUT = {"outputs": amplify_outputs, "schema": SDL,
//        "route": "chat"}
// Prints one JSON report (requests with their validation errors, what the client returned, the stream
// events and errors its onStreamEvent handler received); the Python test decides pass or fail.
//
// No network (see ../amplify_client_harness.mjs): `fetch` answers from canned data and `WebSocket` is a
// fake AppSync real-time endpoint (connection_ack, start_ack, then the published parts). The client signs
// as a user-pool user through Amplify's own extension point, a custom tokenProvider returning a
// JWT-shaped access token.
import { generateClient } from 'aws-amplify/data';
import { appsyncSchema, configureAsUserPoolUser, installFakeAppSync, readInput } from '../amplify_client_harness.mjs';


const input = readInput(process.argv[2]);
const schema = appsyncSchema(input.schema);
const suffix = input.route[0].toUpperCase() + input.route.slice(1);
const stamp = '2026-01-01T00:00:00.000Z';
const conversation = { id: 'conv-1', name: 'Standings', metadata: '{"pinned":true}', createdAt: stamp, updatedAt: stamp };
const message = {
  id: 'msg-1', conversationId: 'conv-1', role: 'user', content: [{ text: 'Who leads?' }], aiContext: null,
  toolConfiguration: null, associatedUserMessageId: null, createdAt: stamp, updatedAt: stamp,
};
const answer = { ...message, id: 'msg-2', role: 'assistant', content: [{ text: 'Arsenal.' }], associatedUserMessageId: 'msg-1' };
// A turn that ended with a client tool, and the UI's answer, as listMessages returns them on the wire
// (AWSJSON as text): the stored toolUse block, then the user's toolResult.
const toolAnswer = {
  ...message, id: 'msg-3', role: 'assistant', associatedUserMessageId: 'msg-1',
  content: [{ text: 'Opening.' }, { toolUse: { toolUseId: 'c-1', name: 'lookupTeam', input: '{"name":"Arsenal"}' } }],
};
const toolReply = {
  ...message, id: 'msg-4', content: [{ toolResult: { toolUseId: 'c-1', status: null, content: [{ json: '{"shown":true}', text: null }] } }],
};
const CANNED = {
  [`createConversation${suffix}`]: conversation,
  [`getConversation${suffix}`]: conversation,
  [`updateConversation${suffix}`]: { ...conversation, name: 'Renamed' },
  [`deleteConversation${suffix}`]: conversation,
  [`listConversation${suffix}s`]: { items: [conversation], nextToken: null },
  [`sendMessage${suffix}`]: message,
  [`listConversationMessage${suffix}s`]: { items: [message, answer, toolAnswer, toolReply], nextToken: null },
};
// What createAssistantResponseStream<Route> publishes: a text batch, a client tool's toolUse block and the
// turn's end (stopReason tool_use), then a failed turn's errors.
const PUBLISHED = input.published;

const requests = [];
installFakeAppSync({
  schema,
  canned: CANNED,
  published: PUBLISHED,
  record: ({ transport, operation, fields, body, authorization, errors }) => {
    requests.push({ transport, operation, field: fields[0], query: body.query, variables: body.variables,
      authorized: typeof authorization === 'string' && authorization.length > 0, errors });
  },
});
configureAsUserPoolUser(input.outputs);

const client = generateClient();
const route = client.conversations[input.route];
const report = { routes: Object.keys(client.conversations ?? {}), results: {}, streamEvents: [], streamErrors: [] };

const created = await route.create({ name: 'Standings', metadata: { pinned: true } });
report.results.create = { id: created.data.id, name: created.data.name, metadata: created.data.metadata };
report.results.get = (await route.get({ id: 'conv-1' })).data?.id ?? null;
report.results.list = (await route.list({ limit: 10 })).data.map((item) => item.id);
report.results.update = (await route.update({ id: 'conv-1', name: 'Renamed' })).data?.name ?? null;
const chat = created.data;
await new Promise((resolve) => {
  const timer = setTimeout(resolve, 3000);
  const subscription = chat.onStreamEvent({
    next: (event) => { report.streamEvents.push(event); },
    error: (error) => {
      report.streamErrors.push(error);
      clearTimeout(timer);
      subscription.unsubscribe();
      resolve();
    },
  });
});
const sentText = await chat.sendMessage('Who leads?');
report.results.sendText = sentText.data;
const sentRich = await chat.sendMessage({
  content: [{ text: 'And this chart?' }, { image: { format: 'png', source: { bytes: new Uint8Array([137, 80, 78, 71]) } } }],
  aiContext: { page: 'standings', season: 2025 },
  toolConfiguration: {
    tools: { lookupTeam: { description: 'Finds a team', inputSchema: { json: { type: 'object', properties: { name: { type: 'string' } } } } } },
  },
});
report.results.sendRich = sentRich.errors ?? null;
// The UI answers the client tool: a toolResult block whose json the client serializes to AWSJSON.
const sentToolResult = await chat.sendMessage({
  content: [{ toolResult: { toolUseId: 'c-1', content: [{ json: { shown: true } }] } }],
});
report.results.sendToolResult = sentToolResult.errors ?? null;
report.results.listMessages = (await chat.listMessages()).data.map((item) => ({ id: item.id, role: item.role, content: item.content }));
report.results.delete = (await route.delete({ id: 'conv-1' })).data?.id ?? null;

report.requests = requests;
process.stdout.write(JSON.stringify(report));
process.exit(0);
