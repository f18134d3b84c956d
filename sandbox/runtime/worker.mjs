// Long-lived worker that runs APPSYNC_JS handlers for sandbox/runtime/pipeline.py (the sandbox and
// tests/appsync_harness.py).
//
// Protocol: one JSON object per line on stdin, one JSON answer per line on stdout, so one Node
// start-up (about 0.1 s) serves a whole test module. A message is
//   {"id", "file", "handler": "request" | "response", "ctx", "now": ISO | null, "ids": [..] | null}
// and the answer is
//   {"id", "status": "returned" | "error" | "earlyReturn" | "crash", "value", "error", "skipTo",
//    "appendedErrors", "logs", "stash", "idsUsed", "subscriptionFilter"}.
// A resolver file is imported again whenever its modification time or size changed, so an edit on
// disk is live on the next call (Node caches modules by URL; the URL carries the file's version).
// console output from resolvers is captured per call (AppSync sends it to CloudWatch), so stdout
// carries nothing but answers.
import { statSync } from 'node:fs';
import { register } from 'node:module';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

import { EarlyReturnSignal, ResolverErrorSignal, beginInvocation, endInvocation } from './control.mjs';

register('./loader.mjs', import.meta.url);

let activeLogs = null;

const write = process.stdout.write.bind(process.stdout);
for (const level of ['log', 'info', 'debug', 'warn', 'error']) {
  console[level] = (...parts) => {
    const line = format(...parts);
    if (activeLogs === null) {
      process.stderr.write(`${line}\n`);
    } else {
      activeLogs.push(line);
    }
  };
}

function buildContext(input) {
  // AppSync exposes the field arguments as both ctx.arguments and ctx.args.
  const ctx = { ...input };
  ctx.arguments = input.arguments ?? {};
  ctx.args = ctx.arguments;
  ctx.stash = input.stash ?? {};
  return ctx;
}

async function handle(message) {
  const stat = statSync(message.file);
  const module = await import(`${pathToFileURL(message.file).href}?v=${stat.mtimeMs}-${stat.size}`);
  const handler = module[message.handler];
  if (typeof handler !== 'function') {
    throw new Error(`${message.file} does not export a ${message.handler}(ctx) function`);
  }
  const ctx = buildContext(message.ctx);
  const state = beginInvocation({ now: message.now ?? null, ids: message.ids ?? null });
  activeLogs = state.logs;
  const answer = { id: message.id };
  try {
    const value = handler(ctx);
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
      throw new Error(`${message.handler} returned a Promise: APPSYNC_JS handlers are synchronous`);
    }
    Object.assign(answer, { status: 'returned', value: value ?? null });
  } catch (caught) {
    if (caught instanceof ResolverErrorSignal) {
      Object.assign(answer, { status: 'error', error: caught.graphqlError });
    } else if (caught instanceof EarlyReturnSignal) {
      Object.assign(answer, { status: 'earlyReturn', value: caught.value, skipTo: caught.skipTo });
    } else {
      throw caught;
    }
  } finally {
    activeLogs = null;
    endInvocation();
  }
  return {
    ...answer,
    appendedErrors: state.appendedErrors,
    logs: state.logs,
    stash: ctx.stash,
    idsUsed: state.idsUsed,
    subscriptionFilter: state.subscriptionFilter,
  };
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === '') {
    continue;
  }
  let id = null;
  let answer;
  try {
    const message = JSON.parse(line);
    id = message.id ?? null;
    answer = await handle(message);
  } catch (caught) {
    answer = { id, status: 'crash', message: String(caught?.message ?? caught), stack: String(caught?.stack ?? '') };
  }
  write(`${JSON.stringify(answer)}\n`);
}
