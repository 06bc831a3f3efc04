/** The web booth's voting application: `booth.setApp` (admin) and `booth.app` (public; docs/web.md). */
import type { BoothAppHandlers } from '../../commands/booth-app.ts';
import type { MessageHandler, MessageModule } from '../message-handlers.ts';
import { catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { strictObject } from '../schema-parts.ts';

const id: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' };
const string: JsonSchema = { type: 'string' };

export const BOOTH_MESSAGE_SPECS: readonly MessageSpec[] = [
  {
    kind: 'command',
    name: 'booth.setApp',
    adminOnly: true,
    summary:
      "Choose which registered client application the web booth (/vote) logs voters in as at level 2. Its key becomes public (booth.app): level 2 then proves only that the operator enabled this booth; clients.revoke on it stops new booth logins. Idempotent.",
    payload: strictObject({ clientId: id }, ['clientId']),
    result: { description: 'The chosen client id and the log position.', schema: { type: 'object', required: ['clientId', 'position'], properties: { clientId: string, position: { type: 'integer' } } } },
    domainErrors: ['CLIENT_NOT_FOUND', 'CLIENT_REVOKED', 'CONCURRENCY_CONFLICT'],
  },
  {
    kind: 'query',
    name: 'booth.app',
    adminOnly: false,
    summary: "The web booth's voting application: its client id and key (public by design: a web page keeps no secret).",
    payload: strictObject({}, []),
    result: {
      description: 'The client id and its HMAC key (32 bytes, base64url) for auth.level2 / auth.begin.',
      schema: { type: 'object', required: ['clientId', 'clientKey'], properties: { clientId: string, clientKey: string } },
    },
    domainErrors: ['BOOTH_APP_NOT_SET', 'BOOTH_DISABLED'],
  },
];

export function boothMessageModule(booth: BoothAppHandlers): MessageModule {
  const handlers: [string, MessageHandler][] = [
    [catalogueKey('command', 'booth.setApp'), (p) => booth.setApp({ clientId: p.clientId as string })],
    [catalogueKey('query', 'booth.app'), () => booth.app()],
  ];
  return { name: 'booth', specs: BOOTH_MESSAGE_SPECS, handlers: new Map(handlers) };
}
