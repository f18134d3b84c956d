// Pipeline function on the BedrockRuntime HTTP data source (SigV4, service "bedrock"): one Bedrock
// Converse call that turns the caller's requirement into Insights { summary, highlights }.
//
// Per-stack values (model id, system prompt, inference settings, output mode) come from
// ctx.stash.generation, written by the generated settings step that runs before this function;
// this file is identical in every stack.
//
// Model id in the path: the id goes into resourcePath as is, colon included
// (/model/us.amazon.nova-lite-v1:0/converse). ':' is a legal path character (RFC 3986 pchar), and
// Amplify's a.generation resolver sends raw ids, global.* profiles included, through the same kind
// of SigV4 HTTP data source: the failure reported in amplify-category-api #3502 is an IAM
// AccessDenied naming the profile ARN, so the signed request reached Bedrock's authorization. Percent
// encoding would add a second encoding layer for AppSync's signer to get wrong (the SigV4 canonical
// path of non-S3 services is encoded again; higress #2396 shows what a mismatch costs). The ids the
// settings step can hold are limited to [a-z0-9.:-] by the deploy-time checks, so nothing else needs
// encoding.
//
// Structured output: in "tool" mode the request carries one tool whose input schema is Insights and
// forces it with toolChoice, as Amplify does (Anthropic Claude 3+ and Amazon Nova support a forced
// tool). In "json-text" mode, for models that do not, the system prompt asks for a JSON object.
// Either way the response accepts a toolUse block or JSON in text (fences or prose around it are
// ignored), and anything that is not exactly the Insights shape is a ModelError.
import { util } from '@aws-appsync/utils';

// Longest requirement accepted, in UTF-16 code units (characters for most text): about 1,000
// input tokens at ~4 characters per token, enough for a detailed brief while keeping the prompt
// cost and the prompt-processing part of the 10 s budget small.
const MAX_REQUIREMENT_LENGTH = 4000;
const TOOL_NAME = 'recordInsights';

const TOOL_INSTRUCTION = `Always answer by calling the ${TOOL_NAME} tool exactly once.`;
const JSON_INSTRUCTION =
  'Answer with only a JSON object of the form {"summary": "<one paragraph>", "highlights": ' +
  '["<key point>", ...]} and no other text.';

const INSIGHTS_SCHEMA = {
  type: 'object',
  properties: {
    summary: { type: 'string', description: 'One paragraph that answers the requirement.' },
    highlights: {
      type: 'array',
      items: { type: 'string' },
      description: 'The key points, most important first.',
    },
  },
  required: ['summary', 'highlights'],
};

// JSON grammar for the only shape accepted from text, checked before JSON.parse: APPSYNC_JS has no
// try/catch, so parsing malformed model output would abort the resolver with a runtime error
// instead of a ModelError. JSON_STRING admits no ambiguity, so matching stays linear.
const JSON_STRING = '"(?:[^"\\\\\\x00-\\x1F]|\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4}))*"';
const STRING_ARRAY = `\\[\\s*(?:${JSON_STRING}(?:\\s*,\\s*${JSON_STRING})*)?\\s*\\]`;
const SUMMARY_MEMBER = `"summary"\\s*:\\s*${JSON_STRING}`;
const HIGHLIGHTS_MEMBER = `"highlights"\\s*:\\s*${STRING_ARRAY}`;
const INSIGHTS_OBJECT =
  `\\{\\s*(?:${SUMMARY_MEMBER}\\s*,\\s*${HIGHLIGHTS_MEMBER}` +
  `|${HIGHLIGHTS_MEMBER}\\s*,\\s*${SUMMARY_MEMBER})\\s*\\}`;

// Bedrock error (x-amzn-ErrorType, else the HTTP status) -> GraphQL errorType and a message that
// says what the caller can do, never Bedrock's own text (it can name ARNs and account ids).
const THROTTLED = ['Throttled', 'Too many generation requests right now; retry in a few seconds.'];
const REJECTED = ['ValidationError', 'The model rejected the request; rephrase the requirement or shorten it.'];
const DENIED = ['Unauthorized', 'The model is not enabled for this account or this route may not call it.'];
const UNAVAILABLE = ['ModelUnavailable', 'The model is temporarily unavailable; retry later.'];
const FAILED = ['ModelError', 'The model could not produce insights; try again.'];
const ERRORS_BY_EXCEPTION = {
  ThrottlingException: THROTTLED,
  ServiceQuotaExceededException: THROTTLED,
  ValidationException: REJECTED,
  AccessDeniedException: DENIED,
  ModelTimeoutException: UNAVAILABLE,
  ServiceUnavailableException: UNAVAILABLE,
  ModelNotReadyException: UNAVAILABLE,
};
// The status codes botocore's bedrock-runtime model gives those exceptions, for responses that
// lack the header (e.g. an error page from something in front of Bedrock).
const EXCEPTIONS_BY_STATUS = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  408: 'ModelTimeoutException',
  429: 'ThrottlingException',
  503: 'ServiceUnavailableException',
};

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

function failMalformed(detail) {
  console.error(`Bedrock Converse answer unusable: ${detail}`);
  fail(['ModelError', 'The model returned an answer in an unexpected shape; try again.']);
}

function insightsFromText(text) {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  const candidate = start >= 0 && end > start ? text.slice(start, end + 1) : '';
  if (!util.matches(INSIGHTS_OBJECT, candidate)) {
    failMalformed('text is not an Insights JSON object');
  }
  return JSON.parse(candidate);
}

// Some models return a list argument of a tool as a JSON-encoded string.
function listOfStrings(value) {
  if (typeof value === 'string' && util.matches(`\\s*${STRING_ARRAY}\\s*`, value)) {
    return JSON.parse(value);
  }
  return value;
}

function checkedInsights(candidate) {
  const summary = typeof candidate?.summary === 'string' ? candidate.summary.trim() : '';
  const highlights = listOfStrings(candidate?.highlights);
  if (!summary || !Array.isArray(highlights)) {
    failMalformed('summary or highlights missing');
  }
  const cleaned = [];
  for (const highlight of highlights) {
    if (typeof highlight !== 'string') {
      failMalformed('a highlight is not a string');
    }
    if (highlight.trim()) {
      cleaned.push(highlight.trim());
    }
  }
  return { summary, highlights: cleaned };
}

export function request(ctx) {
  if (!ctx.identity?.sub) {
    util.error('Generating insights needs a signed-in Cognito user', 'Unauthorized');
  }
  const settings = ctx.stash.generation;
  if (!settings?.modelId) {
    util.error('The generation route has no settings step before it', 'InternalError');
  }
  const raw = ctx.args.requirement;
  const requirement = typeof raw === 'string' ? raw.trim() : '';
  if (!requirement) {
    util.error('requirement must not be empty or only whitespace', 'ValidationError');
  }
  if (requirement.length > MAX_REQUIREMENT_LENGTH) {
    util.error(
      `requirement must be at most ${MAX_REQUIREMENT_LENGTH} characters, got ${requirement.length}`,
      'ValidationError',
    );
  }
  const usesTool = settings.outputMode === 'tool';
  const body = {
    messages: [{ role: 'user', content: [{ text: requirement }] }],
    system: [{ text: `${settings.systemPrompt}\n\n${usesTool ? TOOL_INSTRUCTION : JSON_INSTRUCTION}` }],
    inferenceConfig: { maxTokens: settings.maxTokens, temperature: settings.temperature },
  };
  if (usesTool) {
    body.toolConfig = {
      tools: [
        {
          toolSpec: {
            name: TOOL_NAME,
            description: 'Records the summary and highlights that answer the requirement.',
            inputSchema: { json: INSIGHTS_SCHEMA },
          },
        },
      ],
      toolChoice: { tool: { name: TOOL_NAME } },
    };
  }
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
  const answer = JSON.parse(ctx.result.body);
  if (answer.stopReason === 'max_tokens') {
    console.error('Bedrock Converse answer cut off at maxTokens');
    util.error('The answer was cut off at the token limit; ask for less or raise maxTokens.', 'ModelError');
  }
  const content = answer.output?.message?.content ?? [];
  const texts = [];
  for (const block of content) {
    if (block.toolUse?.name === TOOL_NAME) {
      return checkedInsights(block.toolUse.input);
    }
    if (typeof block.text === 'string') {
      texts.push(block.text);
    }
  }
  if (texts.length === 0) {
    failMalformed(`no ${TOOL_NAME} call and no text (stopReason ${answer.stopReason})`);
  }
  return checkedInsights(insightsFromText(texts.join('\n')));
}
