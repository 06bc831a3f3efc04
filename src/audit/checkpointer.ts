/**
 * Signs the transparency log: appends `LogCheckpointed` for every head recorded at a state transition,
 * and for the current head every `everyEvents` leaves or `everyMs`. Appends carry the expected
 * revision, so of two racing processes one wins (docs/audit.md).
 */
import type { KeyObject } from 'node:crypto';
import type { EventStore } from '../eventstore/port.ts';
import { isWrongExpectedRevision } from '../eventstore/port.ts';
import type { SqlClient } from '../sql/client.ts';
import type { KeyStore } from '../keystore/port.ts';
import type { Logger } from '../runtime/log.ts';
import type { LogCheckpointed } from '../domain/log-events.ts';
import { LOG_HEADS_TABLE, LOG_TREES_TABLE } from '../projections/transparency-log-projection.ts';
import { logKeyName, logPrivateKeyFromPkcs8, signCheckpoint } from './checkpoint.ts';
import { logStreamId } from '../domain/streams.ts';

export interface CheckpointerOptions {
  sql: SqlClient;
  store: EventStore;
  keyStore: KeyStore;
  log: Logger;
  now: () => Date;
  everyEvents?: number;
  everyMs?: number;
  /** How often the tables are polled. Default 200 ms. */
  pollMs?: number;
}

export interface Checkpointer {
  start(): void;
  /** One pass over every election; returns how many checkpoints this process appended. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

interface TreeRow {
  election_id: string;
  size: number;
  root: string;
  last_position: number;
  checkpoint_size: number;
  checkpoint_revision: number | null;
  checkpointed_at: string | Date | null;
}

interface Head {
  size: number;
  root: string;
  lastPosition: number;
}

export function createCheckpointer(opts: CheckpointerOptions): Checkpointer {
  const everyEvents = opts.everyEvents ?? 1000;
  const everyMs = opts.everyMs ?? 5000;
  const pollMs = opts.pollMs ?? 200;
  const log = opts.log.child({ component: 'checkpointer' });
  const keys = new Map<string, KeyObject>();
  const missingKeyWarned = new Set<string>();
  /** Revision this process appended last, per election, until the projection reflects it. */
  const appended = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = false;

  const keyOf = async (electionId: string): Promise<KeyObject | undefined> => {
    const cached = keys.get(electionId);
    if (cached) return cached;
    const der = await opts.keyStore.get(logKeyName(electionId));
    if (!der) {
      if (!missingKeyWarned.has(electionId)) log.warn('no log key in the key store: the election log stays unsigned', { electionId });
      missingKeyWarned.add(electionId);
      return undefined;
    }
    const key = logPrivateKeyFromPkcs8(der);
    keys.set(electionId, key);
    return key;
  };

  const dueHeads = async (t: TreeRow): Promise<Head[]> => {
    const { rows } = await opts.sql.query<{ size: number; root: string; last_position: number }>(
      `SELECT size, root, last_position FROM ${LOG_HEADS_TABLE} WHERE election_id = $1 AND size > $2 AND size <= $3 ORDER BY size`,
      [t.election_id, t.checkpoint_size, t.size],
    );
    const heads = rows.map((r) => ({ size: r.size, root: r.root, lastPosition: r.last_position }));
    const lastDue = heads[heads.length - 1]?.size ?? t.checkpoint_size;
    // No checkpoint yet: the ElectionCreated head is due anyway, and the clock starts from it.
    const since = t.checkpointed_at === null ? opts.now().getTime() : new Date(t.checkpointed_at).getTime();
    const current = t.size > lastDue && (t.size - t.checkpoint_size >= everyEvents || opts.now().getTime() - since >= everyMs);
    if (current) heads.push({ size: t.size, root: t.root, lastPosition: t.last_position });
    return heads;
  };

  const checkpointElection = async (t: TreeRow): Promise<number> => {
    const mine = appended.get(t.election_id);
    if (mine !== undefined && (t.checkpoint_revision ?? -1) < mine) return 0; // the projection has not caught up yet
    appended.delete(t.election_id);
    const heads = await dueHeads(t);
    if (heads.length === 0) return 0;
    const key = await keyOf(t.election_id);
    if (!key) return 0;
    let revision = t.checkpoint_revision;
    let written = 0;
    for (const h of heads) {
      const body = { electionId: t.election_id, size: h.size, root: h.root, lastPosition: h.lastPosition };
      const event: LogCheckpointed = {
        type: 'LogCheckpointed',
        data: { ...body, signature: signCheckpoint(key, body), checkpointedAt: opts.now().toISOString() },
      };
      try {
        await opts.store.append(logStreamId(t.election_id), [event], { expectedRevision: revision ?? 'no_stream' });
      } catch (err) {
        if (isWrongExpectedRevision(err)) {
          log.debug('another process checkpointed first', { electionId: t.election_id, size: h.size });
          break;
        }
        throw err;
      }
      revision = (revision ?? -1) + 1;
      appended.set(t.election_id, revision);
      written++;
    }
    return written;
  };

  const tick = async (): Promise<number> => {
    const { rows } = await opts.sql.query<TreeRow>(
      `SELECT election_id, size, root, last_position, checkpoint_size, checkpoint_revision, checkpointed_at
         FROM ${LOG_TREES_TABLE} WHERE size > checkpoint_size`,
    );
    let n = 0;
    for (const t of rows) {
      try {
        n += await checkpointElection(t);
      } catch (err) {
        log.error('checkpoint failed', { electionId: t.election_id, error: (err as Error).message });
      }
    }
    return n;
  };

  const loop = () => {
    if (stopped) return;
    running = tick().catch((err: unknown) => {
      // The tables may not exist yet (projection setup) or the database blipped: try again later.
      log.debug('checkpointer pass failed', { error: (err as Error).message });
      return 0;
    });
    void running.finally(() => {
      if (!stopped) timer = setTimeout(loop, pollMs);
    });
  };

  return {
    start() {
      stopped = false;
      if (!timer && !running) loop();
    },
    tick,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
      running = undefined;
    },
  };
}
