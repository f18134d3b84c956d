// Loads a generated amplify_outputs.json into the real Amplify JS libraries and drives the data client.
//
// Usage: node amplify_client.mjs INPUT.json   where INPUT = {"outputs": {...}, "schema": "<AppSync SDL>"}
// Prints one JSON report: the parsed config, every GraphQL request the client sent (document, variables,
// Authorization header) with the graphql-js validation errors of each against the schema, and what the
// client returned. Nothing here decides pass or fail: the Python tests assert on the report.
//
// No network and no Cognito: `fetch` is replaced by a stub that answers from canned data, and
// `WebSocket` by a fake AppSync real-time endpoint (connection_ack, start_ack, one data frame).
// Auth: the lightest honest way to make the client sign requests as a user-pool user is Amplify's own
// extension point, a custom `tokenProvider` passed to Amplify.configure. It returns a JWT-shaped access
// token, so the client goes through its real userPool code path and puts that token in Authorization.
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import { buildSchema, getVariableValues, parse, validate } from 'graphql';
import { APPSYNC_PRELUDE } from '../appsync_prelude.mjs';


const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const schema = buildSchema(APPSYNC_PRELUDE + input.schema);
const stamp = '2026-01-01T00:00:00.000Z';
const conversation = { id: 'conv-1', name: 'first', metadata: null, createdAt: stamp, updatedAt: stamp };
const userMessage = {
  id: 'msg-1', conversationId: 'conv-1', role: 'user', content: [{ text: 'Which league?' }],
  aiContext: null, toolConfiguration: null, associatedUserMessageId: null, createdAt: stamp, updatedAt: stamp,
};
const CANNED = {
  getLeague: { id: 'league-39', season: 2024, leagueCountry: { name: 'England', code: 'GB', flag: null }, teams: [], version: 3, updatedAt: stamp },
  listLeagues: { items: [{ id: 'league-39', season: 2024 }], nextToken: 'page-2' },
  action: { leagueId: 'league-39', season: 2024, email: 'fan@example.com', createdAt: stamp },
  generateInsights: { summary: 'Close race', highlights: ['Arsenal lead'] },
  createConversationChat: conversation,
  getConversationChat: conversation,
  listConversationChats: { items: [conversation], nextToken: null },
  sendMessageChat: userMessage,
  listConversationMessageChats: { items: [userMessage], nextToken: null },
};
const STREAM_PART = {
  id: 'part-1', conversationId: 'conv-1', associatedUserMessageId: 'msg-1', contentBlockIndex: 0,
  contentBlockDeltaIndex: 0, contentBlockText: 'Premier', contentBlockToolUse: null,
  contentBlockDoneAtIndex: null, stopReason: null, errors: null,
};

const requests = [];

function check(transport, body, authorization) {
  const document = parse(body.query);
  const errors = validate(schema, document).map((error) => error.message);
  const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition');
  if (errors.length === 0) {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], body.variables ?? {});
    errors.push(...(coerced.errors ?? []).map((error) => error.message));
  }
  const fields = operation.selectionSet.selections.map((selection) => selection.name.value);
  requests.push({ transport, operation: operation.operation, fields, query: body.query, variables: body.variables, authorization, errors });
  return fields[0];
}

globalThis.fetch = async (url, init) => {
  const body = JSON.parse(init.body);
  const field = check('http', body, init.headers.authorization ?? init.headers.Authorization ?? null);
  const data = { [field]: CANNED[field] ?? null };
  return new Response(JSON.stringify({ data }), { status: 200, headers: { 'content-type': 'application/json' } });
};

// A fake AppSync real-time endpoint speaking the graphql-ws dialect AppSync uses.
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
  reply(message) {
    const event = { data: JSON.stringify(message) };
    setTimeout(() => { this.onmessage?.(event); (this.listeners.message ?? []).forEach((l) => l(event)); }, 0);
  }
  send(raw) {
    const message = JSON.parse(raw);
    if (message.type === 'connection_init') this.reply({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
    if (message.type === 'start') {
      const body = JSON.parse(message.payload.data);
      const field = check('websocket', body, message.payload.extensions?.authorization?.Authorization ?? null);
      this.reply({ id: message.id, type: 'start_ack' });
      this.reply({ id: message.id, type: 'data', payload: { data: { [field]: STREAM_PART } } });
    }
    if (message.type === 'stop') this.reply({ id: message.id, type: 'complete' });
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

const config = Amplify.getConfig();
const { modelIntrospection, ...graphqlConfig } = config.API?.GraphQL ?? {};
const report = { auth: config.Auth?.Cognito ?? null, api: graphqlConfig, token: rawToken, results: {} };
const client = generateClient();
report.clientRoutes = {
  queries: Object.keys(client.queries ?? {}).sort(),
  mutations: Object.keys(client.mutations ?? {}).sort(),
  generations: Object.keys(client.generations ?? {}).sort(),
  conversations: Object.keys(client.conversations ?? {}).sort(),
};

const league = await client.queries.getLeague({ id: 'league-39' });
report.results.getLeague = league.data;
const leagues = await client.queries.listLeagues({ season: 2024, limit: 10 });
report.results.listLeagues = leagues.data;
const follow = await client.mutations.action({ leagueId: 'league-39', season: 2024 });
report.results.action = follow.data;
const insights = await client.generations.generateInsights({ requirement: 'Summarise the season' });
report.results.generateInsights = insights.data;

const chat = client.conversations?.chat;
if (chat) {
  const created = await chat.create({ name: 'first' });
  await chat.get({ id: 'conv-1' });
  await chat.list();
  report.streamEvent = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no stream event within 3 s')), 3000);
    const subscription = created.data.onStreamEvent({
      next: (event) => { clearTimeout(timer); subscription.unsubscribe(); resolve(event); },
      error: (error) => { clearTimeout(timer); reject(error); },
    });
  });
  const sent = await created.data.sendMessage('Which league?');
  report.results.sendMessage = sent.data;
  const messages = await created.data.listMessages();
  report.results.listMessages = messages.data;
}

report.requests = requests;
process.stdout.write(JSON.stringify(report));
process.exit(0);
