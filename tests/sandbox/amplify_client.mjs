// An unchanged aws-amplify 6 client, in Node, against the running sandbox: the only change from what a
// deployed stack needs is Auth.Cognito.userPoolEndpoint (the local Cognito), as the README shows.
//
// Usage: NODE_EXTRA_CA_CERTS=<out>/cert.pem node --experimental-websocket amplify_client.mjs INPUT.json
// INPUT = {"outputs": amplify_outputs.json, "endpoints": endpoints.json, "userA": {email, password},
//          "userB": {email, password}, "generation": {"field", "arguments"}, "route": "chat"}
// Prints one JSON report; the Python test decides pass or fail.
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const report = {};
const errorsOf = (result) => (result.errors ?? []).map((error) => ({ errorType: error.errorType ?? null, message: error.message }));

// The one change a frontend makes to reach the sandbox's Cognito.
Amplify.configure(input.outputs);
Amplify.configure({ ...Amplify.getConfig(), Auth: { Cognito: { ...Amplify.getConfig().Auth.Cognito, userPoolEndpoint: input.endpoints.cognito } } });

const client = generateClient();

async function signInAs(user) {
  await signOut();
  const result = await signIn({ username: user.email, password: user.password }); // USER_SRP_AUTH, Amplify's default
  const session = await fetchAuthSession();
  return { isSignedIn: result.isSignedIn, nextStep: result.nextStep?.signInStep ?? null,
    groups: session.tokens?.accessToken?.payload?.['cognito:groups'] ?? [] };
}

function withTimeout(promise, ms, what) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

report.signInA = await signInAs(input.userA);

const upserted = await client.graphql({
  query: 'mutation Upsert($input: LeagueInput!) { upsertLeague(input: $input) { id season version } }',
  variables: { input: { id: 'sandbox-39', season: 2024, leagueCountry: { name: 'England', code: 'GB' }, teams: [{ id: '42', name: 'Arsenal' }] } },
});
report.upsertLeague = upserted.data.upsertLeague;
const listed = await client.graphql({
  query: 'query List($season: Int!) { listLeagues(season: $season) { items { id season leagueCountry { name } teams { name } } nextToken } }',
  variables: { season: 2024 },
});
report.listLeagues = listed.data.listLeagues;
const got = await client.graphql({ query: 'query Get($id: ID!) { getLeague(id: $id) { id season version } }', variables: { id: 'sandbox-39' } });
report.getLeague = got.data.getLeague;
const followed = await client.graphql({
  query: 'mutation Follow($leagueId: ID!, $season: Int!) { action(leagueId: $leagueId, season: $season) { leagueId season createdAt } }',
  variables: { leagueId: 'sandbox-39', season: 2024 },
});
report.action = followed.data.action;
const follows = await client.graphql({ query: '{ myFollows { items { leagueId season } nextToken } }' });
report.myFollows = follows.data.myFollows;

const generated = await client.generations[input.generation.field](input.generation.arguments);
report.generation = { data: generated.data ?? null, errors: errorsOf(generated) };

// Conversation: create, subscribe to the stream, send a message, receive the streamed answer.
const chat = client.conversations[input.route];
const { data: conversation } = await chat.create({ name: 'Sandbox chat' });
report.conversationId = conversation.id;
const events = [];
const streamErrors = [];
let settle;
const turnDone = new Promise((resolve) => { settle = resolve; });
const subscription = conversation.onStreamEvent({
  next: (event) => { events.push(event); if (event.stopReason) settle(); },
  error: (error) => { streamErrors.push(String(error?.message ?? JSON.stringify(error))); settle(); },
});
await new Promise((resolve) => setTimeout(resolve, 300)); // let start_ack arrive before the turn starts
const sent = await conversation.sendMessage('Who leads the table?');
report.sent = { id: sent.data?.id ?? null, role: sent.data?.role ?? null, errors: errorsOf(sent) };
await withTimeout(turnDone, 15000, 'streamed answer');
subscription.unsubscribe();
report.streamEvents = events.map((event) => ({ text: event.text ?? null, contentBlockIndex: event.contentBlockIndex ?? null,
  contentBlockDeltaIndex: event.contentBlockDeltaIndex ?? null, stopReason: event.stopReason ?? null,
  conversationId: event.conversationId ?? null }));
report.streamErrors = streamErrors;
const history = await conversation.listMessages();
report.history = history.data.map((message) => ({ role: message.role, text: message.content?.[0]?.text ?? null }));

// User B: A's conversation stays invisible, closed to messages and to the stream.
report.signInB = await signInAs(input.userB);
const seen = await chat.get({ id: conversation.id });
report.bGet = { data: seen.data ?? null, errors: errorsOf(seen) };
const listedByB = await chat.list();
report.bList = listedByB.data.map((item) => item.id);
const intrusion = await client.graphql({
  query: 'mutation Send($id: ID!) { sendMessageChat(conversationId: $id, content: [{ text: "hi" }]) { id } }',
  variables: { id: conversation.id },
}).catch((failure) => failure);
report.bSend = { data: intrusion.data?.sendMessageChat ?? null, errors: errorsOf(intrusion) };
const spied = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve({ outcome: 'no answer' }), 5000);
  const spy = client.graphql({
    query: 'subscription Spy($id: ID!) { onCreateAssistantResponseChat(conversationId: $id) { id conversationId contentBlockText } }',
    variables: { id: conversation.id },
  }).subscribe({
    next: (value) => { clearTimeout(timer); spy.unsubscribe(); resolve({ outcome: 'data', value }); },
    error: (error) => { clearTimeout(timer); resolve({ outcome: 'error', error: JSON.stringify(error?.errors ?? error) }); },
  });
});
report.bSubscribe = spied;
await signOut();
process.stdout.write(JSON.stringify(report));
process.exit(0);
