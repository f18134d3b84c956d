// Runs @aws-amplify/ui-react-ai's own useAIConversation (the hook Amplify's chat UI is built on) with
// aws-amplify's own data client, against the route's schema, through two turns: a message declaring a client
// tool, whose turn ends with the model's toolUse; then the UI's toolResult, whose turn answers in text.
//
// Usage: node use_ai_conversation.mjs INPUT.json   where INPUT = {"outputs", "schema", "route", "conversation",
//        "tool": {name, description, inputSchema}, "toolResult": {toolUseId, content}, "turns": [[part, ...], [...]]}
// Each turn: the hook's send function is called, then the fake AppSync publishes that turn's parts (as our
// resolver publishes them, on the wire) to the hook's subscription. Prints one JSON report: the hook's
// messages after each turn, what its onMessage callback received, and every request with its validation
// errors; the Python test decides pass or fail.
//
// React: hook_loader.mjs gives the hook hook_runtime.mjs for `react` (see there why); no DOM is needed.
import { register } from 'node:module';

register('./hook_loader.mjs', import.meta.url);
const { generateClient } = await import('aws-amplify/data');
const { appsyncSchema, configureAsUserPoolUser, installFakeAppSync, readInput } = await import('../amplify_client_harness.mjs');
const { renderHook } = await import('./hook_runtime.mjs');
const hookModule = new URL('../../../node_modules/@aws-amplify/ui-react-ai/dist/esm/hooks/useAIConversation.mjs', import.meta.url);
const { createUseAIConversation } = await import(hookModule.href);

const input = readInput(process.argv[2]);
const schema = appsyncSchema(input.schema);
const suffix = input.route[0].toUpperCase() + input.route.slice(1);
const subscriptionField = `onCreateAssistantResponse${suffix}`;
const stamp = '2026-01-01T00:00:00.000Z';
const conversation = { id: input.conversation, name: null, metadata: null, createdAt: stamp, updatedAt: stamp };
const sent = {
  id: 'sent', conversationId: input.conversation, role: 'user', content: [{ text: 'x' }], aiContext: null,
  toolConfiguration: null, associatedUserMessageId: null, createdAt: stamp, updatedAt: stamp,
};

const requests = [];
installFakeAppSync({
  schema,
  canned: { [`createConversation${suffix}`]: conversation, [`sendMessage${suffix}`]: sent },
  published: [],
  record: ({ transport, operation, fields, body, errors }) => {
    requests.push({ transport, operation, field: fields[0], variables: body.variables, errors });
  },
});
// The fake endpoint publishes nothing by itself: parts go out when a turn's message has been sent.
const subscriptions = [];
const FakeSocket = globalThis.WebSocket;
globalThis.WebSocket = class extends FakeSocket {
  send(raw) {
    const frame = JSON.parse(raw);
    if (frame.type === 'start') subscriptions.push({ socket: this, id: frame.id });
    if (frame.type === 'stop') subscriptions.splice(subscriptions.findIndex((s) => s.id === frame.id), 1);
    super.send(raw);
  }
};
const publish = (part) => {
  for (const { socket, id } of subscriptions) {
    socket.reply({ id, type: 'data', payload: { data: { [subscriptionField]: part } } });
  }
};
configureAsUserPoolUser(input.outputs);

const until = async (condition, what) => {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};
const snapshot = (state) => ({
  hasError: state.hasError,
  messages: state.data.messages.map(({ id, role, content, isLoading }) => ({ id, role, content, isLoading: isLoading ?? false })),
});

const useAIConversation = createUseAIConversation(generateClient());
const received = [];
const onMessage = (message) => received.push({ role: message.role, content: message.content });
const hook = renderHook(() => useAIConversation(input.route, { onMessage }));
await until(() => hook.result[0].data.conversation && subscriptions.length === 1, 'the conversation and its subscription');

const report = { turns: [], received, requests };
const messagesToSend = [
  { content: [{ text: 'Show Arsenal' }], toolConfiguration: { tools: { [input.tool.name]: input.tool } } },
  { content: [{ toolResult: input.toolResult }] },
];
for (const [index, message] of messagesToSend.entries()) {
  const [, send] = hook.result;
  send(message);
  await until(() => requests.filter((request) => request.field === `sendMessage${suffix}`).length === index + 1, 'sendMessage');
  input.turns[index].forEach(publish);
  await until(() => received.length === index + 1, `the end of turn ${index + 1}`);
  await new Promise((resolve) => setTimeout(resolve, 20)); // the re-render after the last part
  report.turns.push(snapshot(hook.result[0]));
}
process.stdout.write(JSON.stringify(report));
process.exit(0);
