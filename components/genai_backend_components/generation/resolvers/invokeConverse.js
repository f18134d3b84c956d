// Pipeline function on the route's HTTP data source (SigV4, service "bedrock"): one Bedrock Converse call that
// answers the field's arguments with a value of the field's return type.
//
// Per-route values (model id, system prompt, inference settings, the answer's JSON schema) come from
// ctx.stash.generation, written by the generated settings step that runs before this function; this file is the
// same for every route and every stack.
//
// Model id in the path: the id goes into resourcePath as is, colon included
// (/model/us.amazon.nova-lite-v1:0/converse). ':' is a legal path character (RFC 3986 pchar), and Amplify's
// a.generation resolver sends raw ids, global.* profiles included, through the same kind of SigV4 HTTP data
// source. The ids the settings step can hold are limited to [a-z0-9.:-] by the deploy-time checks.
//
// Structured output, as Amplify's a.generation does it: the request offers one tool whose input schema is
// {"value": <the return type>} and forces it with toolChoice; the arguments go to the model as JSON. The tool's
// input is then checked against that schema before anything is returned: a missing required field, a value of
// the wrong type or an unknown field is an InvalidModelOutput error naming the path, never a half-filled answer.
// Numbers and booleans sent as text ("3", "true") are accepted as their value, as Amplify's resolver does;
// AWSJSON values are returned as the JSON text AppSync expects.
//
// APPSYNC_JS has no recursion, while loops or try/catch, so the check walks the answer with a work list (a
// for-of loop over an array that grows as nested values are found) and never calls JSON.parse on text it has
// not matched first.
import { util } from '@aws-appsync/utils';

// Longest arguments accepted, as JSON text: about 2,000 input tokens at ~4 characters per token, enough for a
// detailed brief while keeping the prompt-processing part of the time budget small.
const MAX_ARGUMENTS_LENGTH = 8000;

// Bedrock error (x-amzn-ErrorType, else the HTTP status) -> GraphQL errorType and a message that says what the
// caller can do, never Bedrock's own text (it can name ARNs and account ids).
const THROTTLED = ['Throttled', 'Too many generation requests right now; retry in a few seconds.'];
const REJECTED = ['ValidationError', 'The model rejected the request; rephrase it or shorten it.'];
const DENIED = ['Unauthorized', 'The model is not enabled for this account or this route may not call it.'];
const UNAVAILABLE = ['ModelUnavailable', 'The model is temporarily unavailable; retry later.'];
const FAILED = ['ModelError', 'The model could not produce an answer; try again.'];
const ERRORS_BY_EXCEPTION = {
  ThrottlingException: THROTTLED,
  ServiceQuotaExceededException: THROTTLED,
  ValidationException: REJECTED,
  AccessDeniedException: DENIED,
  ModelTimeoutException: UNAVAILABLE,
  ServiceUnavailableException: UNAVAILABLE,
  ModelNotReadyException: UNAVAILABLE,
};
// The status codes botocore's bedrock-runtime model gives those exceptions, for responses that lack the header.
const EXCEPTIONS_BY_STATUS = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  408: 'ModelTimeoutException',
  429: 'ThrottlingException',
  503: 'ServiceUnavailableException',
};
const INTEGER_TEXT = '-?(0|[1-9][0-9]*)';
const NUMBER_TEXT = '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?';

function fail(reason) {
  util.error(reason[1], reason[0]);
}

function headerValue(headers, name) {
  for (const key of Object.keys(headers ?? {})) {
    if (key.toLowerCase() === name) {
      return headers[key];
    }
  }
  return null;
}

function failForStatus(result) {
  // The header reads "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/".
  const header = headerValue(result.headers, 'x-amzn-errortype');
  const exception = header ? header.split(':')[0] : EXCEPTIONS_BY_STATUS[result.statusCode];
  console.error(`Bedrock Converse failed: status ${result.statusCode}, ${exception ?? 'no error type'}`);
  fail(ERRORS_BY_EXCEPTION[exception] ?? FAILED);
}

function failInvalid(path, problem) {
  console.error(`Bedrock Converse answer does not match the return type at ${path}: ${problem}`);
  util.error(
    `The model's answer did not match the return type at ${path} (${problem}); try again.`,
    'InvalidModelOutput',
  );
}

function typesOf(schema) {
  if (Array.isArray(schema.type)) {
    return schema.type;
  }
  return schema.type ? [schema.type] : [];
}

function kindOf(value) {
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number';
  }
  return typeof value;
}

// Numbers and booleans a model sent as text become their value; anything else is left for the type check.
function fromText(value, types) {
  if (typeof value !== 'string' || types.includes('string')) {
    return value;
  }
  const text = value.trim();
  if (types.includes('integer') && util.matches(`^${INTEGER_TEXT}$`, text)) {
    return JSON.parse(text);
  }
  if (types.includes('number') && util.matches(`^${NUMBER_TEXT}$`, text)) {
    return JSON.parse(text);
  }
  if (types.includes('boolean') && (text === 'true' || text === 'false')) {
    return text === 'true';
  }
  return value;
}

// Checks (and normalizes in place) holder.value against its schema; stops at the first problem.
function checkAnswer(holder, schema) {
  const work = [{ schema, parent: holder, key: 'value', path: 'value' }];
  for (const item of work) {
    const types = typesOf(item.schema);
    const value = fromText(item.parent[item.key], types);
    if (value === null || value === undefined) {
      if (types.length > 0 && !types.includes('null')) {
        failInvalid(item.path, 'a value is required');
      }
      item.parent[item.key] = null;
    } else if (types.length === 0) {
      // AWSJSON: any JSON value, returned as its JSON text.
      item.parent[item.key] = JSON.stringify(value);
    } else {
      const kind = kindOf(value);
      if (!types.includes(kind) && !(kind === 'integer' && types.includes('number'))) {
        failInvalid(item.path, `expected ${types.filter((type) => type !== 'null').join(' or ')}, got ${kind}`);
      }
      if (item.schema.enum && !item.schema.enum.includes(value)) {
        failInvalid(item.path, `expected one of ${item.schema.enum.filter((name) => name !== null).join(', ')}`);
      }
      item.parent[item.key] = value;
      if (kind === 'array') {
        let index = 0;
        for (const element of value) {
          work.push({ schema: item.schema.items, parent: value, key: index, path: `${item.path}[${index}]` });
          index += 1;
        }
      }
      if (kind === 'object') {
        const properties = item.schema.properties ?? {};
        for (const name of Object.keys(value)) {
          if (!Object.hasOwn(properties, name)) {
            failInvalid(`${item.path}.${name}`, 'not a field of the return type');
          }
        }
        for (const name of Object.keys(properties)) {
          if (!Object.hasOwn(value, name) && (item.schema.required ?? []).includes(name)) {
            failInvalid(`${item.path}.${name}`, 'a value is required');
          }
          work.push({ schema: properties[name], parent: value, key: name, path: `${item.path}.${name}` });
        }
      }
    }
  }
  return holder.value;
}

export function request(ctx) {
  const settings = ctx.stash.generation;
  if (!settings?.modelId) {
    util.error('The generation route has no settings step before it', 'InternalError');
  }
  const argumentsText = JSON.stringify(ctx.args ?? {});
  if (argumentsText.length > MAX_ARGUMENTS_LENGTH) {
    util.error(
      `The arguments must be at most ${MAX_ARGUMENTS_LENGTH} characters of JSON, got ${argumentsText.length}`,
      'ValidationError',
    );
  }
  const body = {
    messages: [{ role: 'user', content: [{ text: argumentsText }] }],
    system: [
      { text: `${settings.systemPrompt}\n\nAlways answer by calling the ${settings.toolName} tool exactly once.` },
    ],
    inferenceConfig: settings.inferenceConfig,
    toolConfig: {
      tools: [
        {
          toolSpec: {
            name: settings.toolName,
            description: settings.toolDescription,
            inputSchema: { json: settings.answerSchema },
          },
        },
      ],
      toolChoice: { tool: { name: settings.toolName } },
    },
  };
  return {
    resourcePath: `/model/${settings.modelId}/converse`,
    method: 'POST',
    params: { headers: { 'content-type': 'application/json' }, body },
  };
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  if (ctx.result.statusCode !== 200) {
    failForStatus(ctx.result);
  }
  const settings = ctx.stash.generation;
  const answer = JSON.parse(ctx.result.body);
  if (answer.stopReason === 'max_tokens') {
    console.error('Bedrock Converse answer cut off at maxTokens');
    util.error('The answer was cut off at the token limit; ask for less or raise maxTokens.', 'ModelError');
  }
  for (const block of answer.output?.message?.content ?? []) {
    if (block.toolUse?.name === settings.toolName) {
      const input = block.toolUse.input;
      if (kindOf(input) !== 'object' || !Object.hasOwn(input, 'value')) {
        failInvalid('value', 'the answer is missing');
      }
      return checkAnswer({ value: input.value }, settings.answerSchema.properties.value);
    }
  }
  console.error(`Bedrock Converse answer has no ${settings.toolName} call (stopReason ${answer.stopReason})`);
  return util.error('The model did not answer in the declared shape; try again.', 'InvalidModelOutput');
}
