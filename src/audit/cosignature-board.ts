/** The board accepts verified co-signatures of its own checkpoints into `witness-{id}` (docs/witnesses.md, "Publication"). */
import type { EventStore, RecordedEvent } from '../eventstore/port.ts';
import { isWrongExpectedRevision } from '../eventstore/port.ts';
import type { SqlExecutor } from '../sql/client.ts';
import { domainError, type Result } from '../domain/errors.ts';
import type { CheckpointCosigned, LogCheckpointed } from '../domain/log-events.ts';
import { logStreamId, witnessStreamId } from '../domain/streams.ts';
import { LOG_CHECKPOINTS_TABLE } from '../projections/transparency-log-projection.ts';
import { verifyCosignature, type Cosignature } from './cosignature.ts';

/** Distinct witness keys one election accepts co-signatures from: bounds what anyone can make it store. */
export const MAX_WITNESS_KEYS = 16;
const APPEND_TRIES = 5;

export interface CosignAccepted {
  electionId: string;
  size: number;
  name: string;
  duplicate: boolean;
}

const sameHead = (a: Cosignature, b: Cosignature) => a.publicKey === b.publicKey && a.size === b.size && a.root === b.root;

async function isSignedCheckpoint(db: SqlExecutor, store: EventStore, c: Cosignature): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(`SELECT 1 AS n FROM ${LOG_CHECKPOINTS_TABLE} WHERE election_id = $1 AND size = $2 AND root = $3 LIMIT 1`, [c.electionId, c.size, c.root]);
  if (rows.length > 0) return true;
  // The read model may lag the log a witness follows: the log itself decides.
  const log = await store.readStream(logStreamId(c.electionId));
  return log.some((e) => e.type === 'LogCheckpointed' && (e.data as LogCheckpointed['data']).size === c.size && (e.data as LogCheckpointed['data']).root === c.root);
}

export async function acceptCosignature(deps: { db: SqlExecutor; store: EventStore }, c: Cosignature): Promise<Result<CosignAccepted>> {
  const fault = verifyCosignature(c);
  if (fault) return { ok: false, error: domainError('INVALID_COSIGNATURE', `the co-signature does not verify (${fault})`) };
  if (!(await isSignedCheckpoint(deps.db, deps.store, c))) {
    return { ok: false, error: domainError('UNKNOWN_CHECKPOINT', `this server signed no checkpoint of ${c.electionId} with size ${c.size} and that root`) };
  }
  const stream = witnessStreamId(c.electionId);
  for (let attempt = 1; ; attempt++) {
    const recorded = await deps.store.readStream(stream);
    const known = recorded.map((e) => e.data as Cosignature);
    const accepted = { electionId: c.electionId, size: c.size, name: c.name };
    if (known.some((k) => sameHead(k, c))) return { ok: true, value: { ...accepted, duplicate: true } };
    const keys = new Set(known.map((k) => k.publicKey));
    if (!keys.has(c.publicKey) && keys.size >= MAX_WITNESS_KEYS) {
      return { ok: false, error: domainError('TOO_MANY_WITNESSES', `election ${c.electionId} already has co-signatures from ${MAX_WITNESS_KEYS} witness keys`) };
    }
    const event: CheckpointCosigned = { type: 'CheckpointCosigned', data: { electionId: c.electionId, size: c.size, root: c.root, name: c.name, publicKey: c.publicKey, time: c.time, signature: c.signature } };
    try {
      const last = recorded[recorded.length - 1];
      await deps.store.append(stream, [event], { expectedRevision: last ? last.revision : 'no_stream' });
      return { ok: true, value: { ...accepted, duplicate: false } };
    } catch (err) {
      if (!isWrongExpectedRevision(err) || attempt >= APPEND_TRIES) throw err;
    }
  }
}

/** Recorded co-signatures of the election, in the order they were accepted. */
export async function recordedCosignatures(store: EventStore, electionId: string, untilPosition = Number.MAX_SAFE_INTEGER): Promise<RecordedEvent[]> {
  return (await store.readStream(witnessStreamId(electionId))).filter((e) => e.type === 'CheckpointCosigned' && e.position <= untilPosition);
}

/** With `size`: every co-signature of that size; without: each witness's latest (what it last vouched for). */
export async function cosignaturesQuery(store: EventStore, electionId: string, size?: number): Promise<Result<{ electionId: string; cosignatures: Cosignature[] }>> {
  const all = (await recordedCosignatures(store, electionId)).map((e) => e.data as Cosignature);
  if (size !== undefined) return { ok: true, value: { electionId, cosignatures: all.filter((c) => c.size === size) } };
  const latest = new Map<string, Cosignature>();
  for (const c of all) if ((latest.get(c.publicKey)?.size ?? 0) < c.size) latest.set(c.publicKey, c);
  return { ok: true, value: { electionId, cosignatures: [...latest.values()] } };
}
