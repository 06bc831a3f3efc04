/** Witnesses' messages, public like the audit's: a witness needs no admin token (docs/witnesses.md). */
import type { SqlExecutor } from '../../sql/client.ts';
import type { EventStore } from '../../eventstore/port.ts';
import { acceptCosignature, cosignaturesQuery } from '../../audit/cosignature-board.ts';
import type { Cosignature } from '../../audit/cosignature.ts';
import type { MessageHandler } from '../message-handlers.ts';
import { catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { strictObject, electionIdSchema as electionId, sha256HexSchema } from '../schema-parts.ts';

const size: JsonSchema = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
const cosignatureFields: Record<string, JsonSchema> = {
  electionId,
  size,
  root: sha256HexSchema,
  name: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\s+]+$', description: 'The witness key name (C2SP signed-note), e.g. witness.example.org/w1.' },
  publicKey: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', description: 'Raw Ed25519 public key, base64url.' },
  time: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'POSIX seconds of the co-signature.' },
  signature: { type: 'string', pattern: '^[A-Za-z0-9+/]{102}==$', description: 'Standard base64 of key ID (4) ‖ big-endian u64 time ‖ Ed25519 signature (64), over "cosignature/v1\\ntime <time>\\n" + the checkpoint note body (C2SP tlog-cosignature).' },
};
const REQUIRED = ['electionId', 'size', 'root', 'name', 'publicKey', 'time', 'signature'];
const COSIGNATURE_SCHEMA: JsonSchema = { type: 'object', required: REQUIRED, properties: cosignatureFields };

export const WITNESS_MESSAGE_SPECS: readonly MessageSpec[] = [
  {
    kind: 'command',
    name: 'witness.cosign',
    adminOnly: false,
    summary: 'A witness submits its C2SP cosignature/v1 of a checkpoint. The server checks the signature and that it signed that checkpoint, then publishes it in the witness-{electionId} stream (duplicates are answered, not stored twice).',
    payload: strictObject(cosignatureFields, REQUIRED),
    readYourWrites: false,
    result: {
      description: 'The head accepted; duplicate: true when this witness had already co-signed it.',
      schema: { type: 'object', required: ['electionId', 'size', 'name', 'duplicate'], properties: { electionId: { type: 'string' }, size: { type: 'integer' }, name: { type: 'string' }, duplicate: { type: 'boolean' } } },
    },
    domainErrors: ['INVALID_COSIGNATURE', 'UNKNOWN_CHECKPOINT', 'TOO_MANY_WITNESSES'],
  },
  {
    kind: 'query',
    name: 'witness.cosignatures',
    adminOnly: false,
    summary: "The election's published co-signatures: of the checkpoint of `size`, or, without it, each witness's latest.",
    payload: strictObject({ electionId, size }, ['electionId']),
    result: {
      description: 'The co-signatures, as submitted.',
      schema: { type: 'object', required: ['electionId', 'cosignatures'], properties: { electionId: { type: 'string' }, cosignatures: { type: 'array', items: COSIGNATURE_SCHEMA } } },
    },
    domainErrors: [],
  },
];

export function witnessHandlers(deps: { db: SqlExecutor; store: EventStore }): [string, MessageHandler][] {
  return [
    [catalogueKey('command', 'witness.cosign'), (p) => acceptCosignature(deps, p as unknown as Cosignature)],
    [catalogueKey('query', 'witness.cosignatures'), (p) => cosignaturesQuery(deps.store, p.electionId as string, p.size as number | undefined)],
  ];
}
