/**
 * The public board's messages (no token): how far the log is, its ballots page by page with their
 * tally status, its signed checkpoints, and `board.watch`, a light push whenever the log grows or is
 * checkpointed so a page re-reads what changed instead of polling.
 */
import type { Result } from '../../domain/errors.ts';
import { domainError } from '../../domain/errors.ts';
import type { PubSub } from '../../pubsub/port.ts';
import {
  DEFAULT_BOARD_BALLOTS_PAGE,
  DEFAULT_BOARD_CHECKPOINTS_PAGE,
  MAX_BOARD_BALLOTS_PAGE,
  MAX_BOARD_CHECKPOINTS_PAGE,
  type BoardQueries,
} from '../../projections/board-queries.ts';
import { logChannel, type LogGrowth } from '../../projections/transparency-log-projection.ts';
import type { MessageHandler, MessageModule, SubscriptionHandler } from '../message-handlers.ts';
import { MAX_REQUEST_ID_LENGTH, catalogueKey, type JsonSchema, type MessageSpec } from '../schemas.ts';
import { strictObject, electionIdSchema as electionId } from '../schema-parts.ts';

const int: JsonSchema = { type: 'integer' };
const SUMMARY_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['electionId', 'ballots', 'logSize', 'lastPosition', 'checkpointSize', 'checkpoints'],
  properties: { electionId: { type: 'string' }, ballots: int, logSize: int, lastPosition: int, checkpointSize: int, checkpoints: int },
};
const cursor: JsonSchema = { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 };

export const BOARD_MESSAGE_SPECS: readonly MessageSpec[] = [
  {
    kind: 'query',
    name: 'board.summary',
    adminOnly: false,
    summary: "How far the election's log is: ballots released into it so far, leaves, the last position, leaves covered by the latest signed checkpoint, checkpoints.",
    payload: strictObject({ electionId }, ['electionId']),
    result: { description: 'Counts from the transparency-log read model (all zero before its first event).', schema: SUMMARY_SCHEMA },
    domainErrors: ['ELECTION_NOT_FOUND'],
  },
  {
    kind: 'query',
    name: 'board.ballots',
    adminOnly: false,
    summary: `The ballots on the log in order, leaf index above \`after\` (limit default ${DEFAULT_BOARD_BALLOTS_PAGE}, at most ${MAX_BOARD_BALLOTS_PAGE}), each with its tally status once counted.`,
    payload: strictObject({ electionId, after: cursor, limit: { type: 'integer', minimum: 1, maximum: MAX_BOARD_BALLOTS_PAGE } }, ['electionId']),
    result: {
      description: 'A page of {leafIndex, position, ballotHash, status}; status is null before the tally or for a ballot it left out; `next` is the `after` of the next page, or null.',
      schema: {
        type: 'object',
        required: ['ballots', 'next'],
        properties: {
          ballots: {
            type: 'array',
            items: {
              type: 'object',
              required: ['leafIndex', 'position', 'ballotHash', 'status'],
              properties: { leafIndex: int, position: int, ballotHash: { type: 'string' }, status: { type: ['string', 'null'] } },
            },
          },
          next: { type: ['integer', 'null'] },
        },
      },
    },
    domainErrors: ['ELECTION_NOT_FOUND'],
  },
  {
    kind: 'query',
    name: 'board.checkpoints',
    adminOnly: false,
    summary: `The signed checkpoints of the election's log, newest first, revision below \`before\` (limit default ${DEFAULT_BOARD_CHECKPOINTS_PAGE}, at most ${MAX_BOARD_CHECKPOINTS_PAGE}).`,
    payload: strictObject({ electionId, before: cursor, limit: { type: 'integer', minimum: 1, maximum: MAX_BOARD_CHECKPOINTS_PAGE } }, ['electionId']),
    result: {
      description: 'A page of {revision, size, root, lastPosition, signature, checkpointedAt, position}; the signature is Ed25519 under the log key over canonicalJson({electionId, size, root, lastPosition}).',
      schema: {
        type: 'object',
        required: ['checkpoints', 'next'],
        properties: {
          checkpoints: {
            type: 'array',
            items: {
              type: 'object',
              required: ['revision', 'size', 'root', 'lastPosition', 'signature', 'checkpointedAt', 'position'],
              properties: { revision: int, size: int, root: { type: 'string' }, lastPosition: int, signature: { type: 'string' }, checkpointedAt: { type: 'string' }, position: int },
            },
          },
          next: { type: ['integer', 'null'] },
        },
      },
    },
    domainErrors: ['ELECTION_NOT_FOUND'],
  },
  {
    kind: 'subscribe',
    name: 'board.watch',
    adminOnly: false,
    summary:
      'Watch the election\'s log grow: the reply is the board.summary; then, each time the log grows or is checkpointed, {kind: "event", subscription, name: "board.log", payload: {size, lastPosition, checkpointSize}} (coalesced per projection batch; re-query what it changes).',
    payload: strictObject({ electionId }, ['electionId']),
    result: { description: 'The summary at subscription time.', schema: SUMMARY_SCHEMA },
    domainErrors: ['ELECTION_NOT_FOUND'],
  },
  {
    kind: 'unsubscribe',
    name: 'board.watch',
    adminOnly: false,
    summary: 'Stop watching; `subscription` is the id of the board.watch request.',
    payload: strictObject({ subscription: { type: 'string', minLength: 1, maxLength: MAX_REQUEST_ID_LENGTH } }, ['subscription']),
    result: { description: '{unsubscribed: true}', schema: { type: 'object', required: ['unsubscribed'], properties: { unsubscribed: { const: true } } } },
    domainErrors: [],
  },
];

export interface BoardModuleDeps {
  queries: BoardQueries;
  pubsub: PubSub;
  electionExists(electionId: string): Promise<boolean>;
}

function isGrowth(m: unknown, electionId: string): m is LogGrowth {
  if (typeof m !== 'object' || m === null) return false;
  const g = m as Record<string, unknown>;
  return g.electionId === electionId && typeof g.size === 'number' && typeof g.lastPosition === 'number' && typeof g.checkpointSize === 'number';
}

function watchSubscription(deps: BoardModuleDeps): SubscriptionHandler {
  return async (payload, push) => {
    const id = payload.electionId as string;
    if (!(await deps.electionExists(id))) return { ok: false, error: domainError('ELECTION_NOT_FOUND', `election ${id} not found`) };
    // Listen before reading the snapshot, so growth in between is pushed, not lost.
    let last = { size: -1, checkpointSize: -1 };
    const unsubscribe = await deps.pubsub.subscribe(logChannel(id), (m) => {
      if (!isGrowth(m, id)) return;
      // Notifications of several gateways may arrive twice or late: never move the page backwards.
      if (m.size <= last.size && m.checkpointSize <= last.checkpointSize) return;
      last = { size: Math.max(last.size, m.size), checkpointSize: Math.max(last.checkpointSize, m.checkpointSize) };
      push('board.log', { size: m.size, lastPosition: m.lastPosition, checkpointSize: m.checkpointSize });
    });
    try {
      const snapshot = await deps.queries.summary(id);
      return { ok: true, value: { snapshot, release: unsubscribe } };
    } catch (err) {
      await unsubscribe();
      throw err;
    }
  };
}

export function boardMessageModule(deps: BoardModuleDeps): MessageModule {
  const known =
    (run: (p: Record<string, unknown>, id: string) => Promise<unknown>): MessageHandler =>
    async (p): Promise<Result<unknown>> => {
      const id = p.electionId as string;
      if (!(await deps.electionExists(id))) return { ok: false, error: domainError('ELECTION_NOT_FOUND', `election ${id} not found`) };
      return { ok: true, value: await run(p, id) };
    };
  const handlers: [string, MessageHandler][] = [
    [catalogueKey('query', 'board.summary'), known((_, id) => deps.queries.summary(id))],
    [catalogueKey('query', 'board.ballots'), known((p, id) => deps.queries.ballots(id, { after: p.after as number | undefined, limit: p.limit as number | undefined }))],
    [
      catalogueKey('query', 'board.checkpoints'),
      known((p, id) => deps.queries.checkpoints(id, { before: p.before as number | undefined, limit: p.limit as number | undefined })),
    ],
  ];
  return { name: 'board', specs: BOARD_MESSAGE_SPECS, handlers: new Map(handlers), subscriptions: new Map([['board.watch', watchSubscription(deps)]]) };
}
