/**
 * The AsyncAPI 3.0 document of the WebSocket protocol, derived from the gateway's own catalogue;
 * `npm run docs:asyncapi` writes docs/asyncapi.yaml, and a test fails when it is stale.
 */
import { GATEWAY_ERROR_CODES } from './error-codes.ts';
import { ERROR_SCHEMA, PROGRESS_SCHEMA, PUSH_SCHEMA, REPLY_SCHEMA, REQUEST_ENVELOPE_SCHEMA, type JsonSchema, type MessageSpec } from './schemas.ts';

const messageId = (spec: MessageSpec) => `${spec.kind}.${spec.name}`;

function requestSchema(spec: MessageSpec): JsonSchema {
  const env = REQUEST_ENVELOPE_SCHEMA as { properties: Record<string, JsonSchema> };
  return {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'kind', 'name', ...(spec.adminOnly ? ['token'] : [])],
    properties: {
      id: env.properties.id,
      kind: { const: spec.kind },
      name: { const: spec.name },
      payload: spec.payload,
      token: env.properties.token,
    },
  };
}

export function asyncApiDocument(catalogue: readonly MessageSpec[], version: string): Record<string, unknown> {
  const sorted = [...catalogue].sort((a, b) => messageId(a).localeCompare(messageId(b)));
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const spec of sorted) {
    const id = messageId(spec);
    messages[id] = {
      name: id,
      title: `${spec.kind} ${spec.name}`,
      summary: spec.summary,
      payload: requestSchema(spec),
      'x-admin-only': spec.adminOnly,
      'x-progress': spec.progress ?? false,
      'x-domain-errors': [...spec.domainErrors],
    };
    messages[`${id}.result`] = {
      name: `${id}.result`,
      summary: spec.result.description,
      payload: {
        type: 'object',
        required: ['id', 'ok', 'result'],
        properties: { id: { type: 'string' }, ok: { const: true }, result: spec.result.schema },
      },
    };
    operations[id] = {
      action: 'receive',
      channel: { $ref: '#/channels/ws' },
      summary: spec.summary,
      messages: [{ $ref: `#/channels/ws/messages/${id}` }],
      reply: {
        channel: { $ref: '#/channels/ws' },
        messages: [{ $ref: `#/channels/ws/messages/${id}.result` }, { $ref: '#/channels/ws/messages/error' }],
      },
    };
  }
  messages.error = { name: 'error', summary: 'A failed request: a stable error code.', payload: (REPLY_SCHEMA as { oneOf: JsonSchema[] }).oneOf[1] };
  messages.progress = { name: 'progress', summary: 'Progress of a long command, before its reply.', payload: PROGRESS_SCHEMA };
  messages.push = { name: 'push', summary: 'An event pushed to a subscription.', payload: PUSH_SCHEMA };
  operations.push = {
    action: 'send',
    channel: { $ref: '#/channels/ws' },
    summary: 'Server-sent pushes and progress messages.',
    messages: [{ $ref: '#/channels/ws/messages/push' }, { $ref: '#/channels/ws/messages/progress' }],
  };
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'evote WebSocket protocol',
      version,
      description:
        'One WebSocket endpoint with a JSON envelope {id, kind, name, payload?, token?}. Every frame is validated against ' +
        'these schemas before a handler sees it; replies carry the request id and either a result or an error {code, message, details?}. ' +
        'Generated from src/gateway/schemas.ts and the feature modules by `npm run docs:asyncapi`: do not edit by hand.',
    },
    servers: { local: { host: '127.0.0.1:8080', protocol: 'ws', pathname: '/ws', description: 'The embedded default (npm start).' } },
    channels: { ws: { address: '/ws', messages } },
    operations,
    components: {
      schemas: { envelope: REQUEST_ENVELOPE_SCHEMA, error: ERROR_SCHEMA },
      'x-gateway-error-codes': { ...GATEWAY_ERROR_CODES },
    },
  };
}
