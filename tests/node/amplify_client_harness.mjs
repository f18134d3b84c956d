// What every script that drives a real Amplify JS client needs, kept in one place so that each script
// holds only its own canned answers and calls.
//
// - readInput / appsyncSchema: the JSON input a Python test writes, and its schema as graphql-js sees it
//   (with AppSync's implicit scalars and directives).
// - installFakeAppSync: no network. `fetch` answers from canned data, and `WebSocket` is a fake AppSync
//   real-time endpoint (connection_ack, start_ack, then the given parts). Every GraphQL document the
//   client sends, over either transport, is validated against the schema before it is answered.
// - configureAsUserPoolUser: the lightest honest way to make the client sign requests as a user-pool user
//   is Amplify's own extension point, a custom `tokenProvider` passed to Amplify.configure. It returns a
//   JWT-shaped access token, so the client takes its real userPool code path and puts that token in
//   Authorization.
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';
import { buildSchema, getVariableValues, parse, validate } from 'graphql';
import { APPSYNC_PRELUDE } from './appsync_prelude.mjs';

export function readInput(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

export function appsyncSchema(sdl) {
  return buildSchema(APPSYNC_PRELUDE + sdl);
}

// graphql-js's verdict on one request body: validation errors first, then (only for a valid document)
// the errors of coercing its variables, as AppSync would reject them.
export function validateRequest(schema, body) {
  const document = parse(body.query);
  const errors = validate(schema, document).map((error) => error.message);
  const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition');
  if (errors.length === 0) {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], body.variables ?? {});
    errors.push(...(coerced.errors ?? []).map((error) => error.message));
  }
  const fields = operation.selectionSet.selections.map((selection) => selection.name.value);
  return { operation: operation.operation, fields, errors };
}

// Replaces fetch and WebSocket. `record` receives each request ({transport, body, authorization,
// operation, fields, errors}) so the caller reports it in its own shape; HTTP requests are answered with
// canned[first field], and each subscription with one data frame per part in `published`.
export function installFakeAppSync({ schema, canned, published, record }) {
  const answer = (transport, body, authorization) => {
    const validated = validateRequest(schema, body);
    record({ transport, body, authorization, ...validated });
    return validated.fields[0];
  };

  globalThis.fetch = async (url, init) => {
    const body = JSON.parse(init.body);
    const field = answer('http', body, init.headers.authorization ?? init.headers.Authorization ?? null);
    const data = { [field]: canned[field] ?? null };
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
    reply(frame) {
      const event = { data: JSON.stringify(frame) };
      setTimeout(() => { this.onmessage?.(event); (this.listeners.message ?? []).forEach((l) => l(event)); }, 0);
    }
    send(raw) {
      const frame = JSON.parse(raw);
      if (frame.type === 'connection_init') this.reply({ type: 'connection_ack', payload: { connectionTimeoutMs: 300000 } });
      if (frame.type === 'start') {
        const body = JSON.parse(frame.payload.data);
        const field = answer('websocket', body, frame.payload.extensions?.authorization?.Authorization ?? null);
        this.reply({ id: frame.id, type: 'start_ack' });
        for (const part of published) {
          this.reply({ id: frame.id, type: 'data', payload: { data: { [field]: part } } });
        }
      }
      if (frame.type === 'stop') this.reply({ id: frame.id, type: 'complete' });
    }
    close() { this.readyState = FakeAppSyncSocket.CLOSED; setTimeout(() => this.onclose?.({}), 0); }
  }
  globalThis.WebSocket = FakeAppSyncSocket;
}

// Configures Amplify with `outputs` and a token provider for one user-pool user; returns the raw token
// the client will send in Authorization.
export function configureAsUserPoolUser(outputs) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const claims = { sub: 'user-sub-1', token_use: 'access', exp: expiresAt, iat: expiresAt - 3600 };
  const rawToken = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.unsigned`;
  const accessToken = { payload: claims, toString: () => rawToken };
  Amplify.configure(outputs, { Auth: { tokenProvider: { getTokens: async () => ({ accessToken }) } } });
  return rawToken;
}
