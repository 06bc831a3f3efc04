/** The auditor's WebSocket messages, all public: an audit must not need the admin's trust (docs/audit.md). */
import type { SqlExecutor } from '../../sql/client.ts';
import type { EventStore } from '../../eventstore/port.ts';
import type { PubSub } from '../../pubsub/port.ts';
import type { Logger } from '../../runtime/log.ts';
import { checkpointQuery, consistencyQuery, inclusionReceipt } from '../../audit/log-queries.ts';
import { followSubscription } from '../audit-follow.ts';
import { WITNESS_MESSAGE_SPECS, witnessHandlers } from './witness.ts';
import type { MessageHandler, MessageModule, SubscriptionHandler } from '../message-handlers.ts';
import { MAX_REQUEST_ID_LENGTH, catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { strictObject, electionIdSchema as electionId, sha256HexSchema as sha256Hex } from '../schema-parts.ts';

const size: JsonSchema = { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 };
const CHECKPOINT_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['electionId', 'size', 'root', 'lastPosition', 'signature', 'checkpointedAt', 'revision', 'position'],
  properties: {
    electionId: { type: 'string' },
    size: { type: 'integer' },
    root: { type: 'string', description: 'Merkle tree head (hex), RFC 6962 hashing.' },
    lastPosition: { type: 'integer' },
    signature: { type: 'string', description: 'Ed25519 (base64url) over canonicalJson({electionId, size, root, lastPosition}).' },
    checkpointedAt: { type: 'string' },
    revision: { type: 'integer' },
    position: { type: 'integer' },
  },
};

export const AUDIT_MESSAGE_SPECS: readonly MessageSpec[] = [
  {
    kind: 'query',
    name: 'audit.checkpoint',
    adminOnly: false,
    summary: "The latest signed checkpoint of the election's transparency log.",
    payload: strictObject({ electionId }, ['electionId']),
    result: { description: 'The signed tree head.', schema: CHECKPOINT_SCHEMA },
    domainErrors: ['LOG_NOT_CHECKPOINTED'],
  },
  {
    kind: 'query',
    name: 'audit.inclusionProof',
    adminOnly: false,
    summary: 'A ballot receipt: the audit path of the BallotCast to the latest signed checkpoint covering it, and its VoteCounted status. Give ballotHash or n2Commitment (hex, computed by the client from N2 and the salt its receipt keeps; found once counted).',
    payload: strictObject({ electionId, ballotHash: sha256Hex, n2Commitment: sha256Hex }, ['electionId']),
    result: {
      description: 'leafIndex, leafHash, proof (hex, RFC 9162 §2.1.3.1), checkpoint, counted (null until the tally reached it).',
      schema: {
        type: 'object',
        required: ['ballotHash', 'leafIndex', 'leafHash', 'position', 'proof', 'checkpoint', 'counted'],
        properties: {
          ballotHash: { type: 'string' },
          leafIndex: { type: 'integer' },
          leafHash: { type: 'string' },
          position: { type: 'integer' },
          proof: { type: 'array', items: { type: 'string' } },
          checkpoint: CHECKPOINT_SCHEMA,
          counted: { type: ['object', 'null'] },
        },
      },
    },
    domainErrors: ['BALLOT_NOT_FOUND', 'LOG_NOT_CHECKPOINTED'],
  },
  {
    kind: 'query',
    name: 'audit.consistencyProof',
    adminOnly: false,
    summary: 'Proof (RFC 9162 §2.1.4.1) that the log of size `from` is a prefix of the log of size `to`.',
    payload: strictObject({ electionId, from: size, to: size }, ['electionId', 'from', 'to']),
    result: {
      description: 'The two roots and the proof, hex.',
      schema: {
        type: 'object',
        required: ['from', 'to', 'fromRoot', 'toRoot', 'proof'],
        properties: { from: { type: 'integer' }, to: { type: 'integer' }, fromRoot: { type: 'string' }, toRoot: { type: 'string' }, proof: { type: 'array', items: { type: 'string' } } },
      },
    },
    domainErrors: ['ELECTION_NOT_FOUND', 'INVALID_PROOF_RANGE'],
  },
  {
    kind: 'subscribe',
    name: 'audit.follow',
    adminOnly: false,
    summary:
      'Follow the election\'s log live: the reply is {electionId, after, nextLeafIndex}; then every leaf after `after` (exclusive global position, default 0) is pushed as {kind: "event", subscription, name: "audit.event", payload: {position, streamId, revision, type, data, leafIndex, leafHash}} and every checkpoint as name "audit.checkpoint" (payload: the LogCheckpointed line), in log order.',
    payload: strictObject({ electionId, after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } }, ['electionId']),
    result: {
      description: 'Where the stream starts.',
      schema: { type: 'object', required: ['electionId', 'after', 'nextLeafIndex'], properties: { electionId: { type: 'string' }, after: { type: 'integer' }, nextLeafIndex: { type: 'integer' } } },
    },
    domainErrors: ['ELECTION_NOT_FOUND'],
  },
  {
    kind: 'unsubscribe',
    name: 'audit.follow',
    adminOnly: false,
    summary: 'Stop following; `subscription` is the id of the audit.follow request.',
    payload: strictObject({ subscription: { type: 'string', minLength: 1, maxLength: MAX_REQUEST_ID_LENGTH } }, ['subscription']),
    result: { description: '{unsubscribed: true}', schema: { type: 'object', required: ['unsubscribed'], properties: { unsubscribed: { const: true } } } },
    domainErrors: [],
  },
];

export interface AuditModuleDeps {
  db: SqlExecutor;
  store: EventStore;
  pubsub: PubSub;
  log: Logger;
}

export function auditMessageModule(deps: AuditModuleDeps): MessageModule {
  const db = deps.db;
  const handlers: [string, MessageHandler][] = [
    [catalogueKey('query', 'audit.checkpoint'), (p) => checkpointQuery(db, p.electionId as string)],
    [
      catalogueKey('query', 'audit.inclusionProof'),
      (p) => inclusionReceipt(db, p.electionId as string, { ballotHash: p.ballotHash as string | undefined, n2Commitment: p.n2Commitment as string | undefined }),
    ],
    [catalogueKey('query', 'audit.consistencyProof'), (p) => consistencyQuery(db, p.electionId as string, p.from as number, p.to as number)],
    ...witnessHandlers(deps),
  ];
  const subscriptions = new Map<string, SubscriptionHandler>([['audit.follow', followSubscription(deps)]]);
  return { name: 'audit', specs: [...AUDIT_MESSAGE_SPECS, ...WITNESS_MESSAGE_SPECS], handlers: new Map(handlers), subscriptions };
}
