// Loads a generated amplify_outputs.json into the real Amplify JS libraries and drives the data client.
//
// Usage: node amplify_client.mjs INPUT.json   where INPUT = {"outputs": {...}, "schema": "<AppSync SDL>"}
// Prints one JSON report: the parsed config, every GraphQL request the client sent (document, variables,
// Authorization header) with the graphql-js validation errors of each against the schema, and what the
// client returned. Nothing here decides pass or fail: the Python tests assert on the report.
//
// No network and no Cognito (see ../amplify_client_harness.mjs): `fetch` answers from canned data,
// `WebSocket` is a fake AppSync real-time endpoint (connection_ack, start_ack, one data frame), and the
// client signs as a user-pool user through a custom tokenProvider returning a JWT-shaped access token.
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import { appsyncSchema, configureAsUserPoolUser, installFakeAppSync, readInput } from '../amplify_client_harness.mjs';


const input = readInput(process.argv[2]);
const schema = appsyncSchema(input.schema);
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
  generateInsights: { insights: 'Close race; Arsenal lead.' },
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
installFakeAppSync({
  schema,
  canned: CANNED,
  published: [STREAM_PART],
  record: ({ transport, operation, fields, body, authorization, errors }) => {
    requests.push({ transport, operation, fields, query: body.query, variables: body.variables, authorization, errors });
  },
});
const rawToken = configureAsUserPoolUser(input.outputs);

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
