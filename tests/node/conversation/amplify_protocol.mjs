// Drives Amplify's own conversation client (aws-amplify 6 / @aws-amplify/data-schema) through every
// call an app makes on a conversation route, and validates each GraphQL document it sends, over HTTP
// and over the real-time WebSocket, against the schema the backend deploys.
//
// Usage: node amplify_protocol.mjs INPUT.json   where INPUT = {"outputs": amplify_outputs, "schema": SDL,
//        "route": "chat"}
// Prints one JSON report (requests with their validation errors, what the client returned, the stream
// events and errors its onStreamEvent handler received); the Python test decides pass or fail.
//
// No network: `fetch` answers from canned data and `WebSocket` is a fake AppSync real-time endpoint
// (connection_ack, start_ack, then the published parts). The client signs as a user-pool user through
// Amplify's own extension point, a custom tokenProvider returning a JWT-shaped access token.
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import { buildSchema, getVariableValues, parse, validate } from 'graphql';
import { APPSYNC_PRELUDE } from '../appsync_prelude.mjs';


const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const schema = buildSchema(APPSYNC_PRELUDE + input.schema);
const suffix = input.route[0].toUpperCase() + input.route.slice(1);
const stamp = '2026-01-01T00:00:00.000Z';
const conversation = { id: 'conv-1', name: 'Standings', metadata: '{"pinned":true}', createdAt: stamp, updatedAt: stamp };
const message = {
  id: 'msg-1', conversationId: 'conv-1', role: 'user', content: [{ text: 'Who leads?' }], aiContext: null,
  toolConfiguration: null, associatedUserMessageId: null, createdAt: stamp, updatedAt: stamp,
};
const answer = { ...message, id: 'msg-2', role: 'assistant', content: [{ text: 'Arsenal.' }], associatedUserMessageId: 'msg-1' };
const CANNED = {
  [`createConversation${suffix}`]: conversation,
  [`getConversation${suffix}`]: conversation,
  [`updateConversation${suffix}`]: { ...conversation, name: 'Renamed' },
  [`deleteConversation${suffix}`]: conversation,
  [`listConversation${suffix}s`]: { items: [conversation], nextToken: null },
  [`sendMessage${suffix}`]: message,
  [`listConversationMessage${suffix}s`]: { items: [message, answer], nextToken: null },
};
// What createAssistantResponseStream<Route> publishes: a text batch, then a failed turn's errors.
const PUBLISHED = input.published;

const requests = [];

function check(transport, body, authorization) {
  const document = parse(body.query);
  const errors = validate(schema, document).map((error) => error.message);
  const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition');
  if (errors.length === 0) {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], body.variables ?? {});
    errors.push(...(coerced.errors ?? []).map((error) => error.message));
  }
  const field = operation.selectionSet.selections[0].name.value;
  requests.push({ transport, operation: operation.operation, field, query: body.query, variables: body.variables,
    authorized: typeof authorization === 'string' && authorization.length > 0, errors });
  return field;
}

globalThis.fetch = async (url, init) => {
  const body = JSON.parse(init.body);
  const field = check('http', body, init.headers.authorization ?? init.headers.Authorization ?? null);
  const data = { [field]: CANNED[field] ?? null };
  return new Response(JSON.stringify({ data }), { status: 200, headers: { 'content-type': 'application/json' } });
};

class FakeAppSyncSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = FakeAppSyncSocket.CONNECTING;
    this.listeners = {};
    setTimeout(() => { this.readyState = FakeAppSyncSocket.OPEN; this.onopen?.({}); }, 0);
  }
  addEventListener(type, listener) { (this.listeners[type] ??= []).push(listener); }
  removeEventListener(type, listener) { this.listeners[type] = (this.listeners[type] ?? []).filter((l) => l !== listener); }
  reply(frame) {
    const event = { data: JSON.stringify(frame) };
    setTimeout(() => { this.onmessage?.(event); (this.listeners.message ?? []).forEach((l) => l(event)); }, 0);
  }
  send(raw) {
    const frame = JSON.parse(raw);
    if (frame.type === 'connection_init') this.reply({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    if (frame.type === 'start') {
      const body = JSON.parse(frame.payload.data);
      const field = check('websocket', body, frame.payload.extensions?.authorization?.Authorization ?? null);
      this.reply({ id: frame.id, type: 'start_ack' });
      for (const part of PUBLISHED) {
        this.reply({ id: frame.id, type: 'data', payload: { data: { [field]: part } } });
      }
    }
    if (frame.type === 'stop') this.reply({ id: frame.id, type: 'complete' });
  }
  close() { this.readyState = FakeAppSyncSocket.CLOSED; setTimeout(() => this.onclose?.({}), 0); }
}
globalThis.WebSocket = FakeAppSyncSocket;

const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const expiresAt = Math.floor(Date.now() / 1000) + 3600;
const claims = { sub: 'user-sub-1', token_use: 'access', exp: expiresAt, iat: expiresAt - 3600 };
const rawToken = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.unsigned`;
const accessToken = { payload: claims, toString: () => rawToken };
Amplify.configure(input.outputs, { Auth: { tokenProvider: { getTokens: async () => ({ accessToken }) } } });

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
report.results.listMessages = (await chat.listMessages()).data.map((item) => ({ id: item.id, role: item.role, content: item.content }));
report.results.delete = (await route.delete({ id: 'conv-1' })).data?.id ?? null;

report.requests = requests;
process.stdout.write(JSON.stringify(report));
process.exit(0);
