// Runs a subscription resolver's response handler the way AppSync does when a client subscribes,
// then applies the filter it set to published payloads, as AppSync does for each mutation result.
//
// Input (stdin, JSON): {"file", "ctx", "published": [payload, ...]}
// Output (stdout, JSON): {"result", "filter", "delivered": [bool per payload]}
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { beginInvocation, endInvocation } from '../../appsync_runtime/control.mjs';

register('./subscription_loader.mjs', import.meta.url);
const { delivers, takeRecordedFilter } = await import('./subscription_utils.mjs');

const input = JSON.parse(readFileSync(0, 'utf-8'));
const resolver = await import(pathToFileURL(input.file).href);
beginInvocation({});
const ctx = { ...input.ctx, args: input.ctx.arguments ?? {} };
const result = resolver.response(ctx);
endInvocation();
const filter = takeRecordedFilter();
if (filter === null) {
  throw new Error(`${input.file} did not call extensions.setSubscriptionFilter`);
}
const delivered = input.published.map((payload) => delivers(filter, payload));
process.stdout.write(JSON.stringify({ result: result ?? null, filter, delivered }));
