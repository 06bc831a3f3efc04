/**
 * The durable ballot pool (docs/protocol.md, "The ballot pool"): casts and signature records are
 * stored, acknowledged, and released later in random order, at least k held; spends wait for the close.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { readStreams, type AppendResult, type EventData, type EventStore, type ExpectedRevision } from '../eventstore/port.ts';
import type { Logger } from '../runtime/log.ts';
import type { Result } from '../domain/errors.ts';
import type { SqlClient } from '../sql/client.ts';
import { isDomainError, type DomainError } from '../domain/errors.ts';
import { shuffle } from '../crypto/shuffle.ts';
import { createElectionLock } from '../pool/election-lock.ts';
import { countPooled, deletePooled, isClosing, pooledByStream, pooledOfElection, setClosing, storeAdmission, type PooledEvent, type PooledKind } from '../pool/pool-table.ts';
import { expectedRevisionOf } from './command-handler.ts';

export const DEFAULT_POOL_K = 32;
const MAX_BATCH = 500;
const RELEASE_CHUNK = 5_000;

export type StreamHistory = { type: string; data: unknown }[];

export interface PoolDraft {
  streamId: string;
  kind: PooledKind;
  event: EventData;
  expectedRevision: number | null;
}

export interface PoolAdmission {
  electionId: string;
  streamId: string;
  /** The events to pool, null for "already recorded, answer again", or a refusal; `closing`: voting is ending. */
  decide(history: StreamHistory, closing: boolean): PoolDraft[] | null | DomainError;
}

export interface Admitted {
  /** Log positions of events already released, by stream (k = 0 releases at once). */
  positions: Map<string, number>;
}

export interface BallotPoolOptions {
  sql: SqlClient;
  store: EventStore;
  /** Held events per election and kind; 0 releases at once (no mixing: for comparison only). */
  k: number;
  log: Logger;
  randomInt?: (max: number) => number;
  onAdmittedCasts?: (electionId: string, admittedCasts: number) => void;
}

export interface BallotPool {
  readonly k: number;
  admit(admission: PoolAdmission): Promise<Result<Admitted>>;
  /** Under the election's lock: refuse new admissions, release every held event, then run `end`. */
  closeVoting<T>(electionId: string, end: () => Promise<Result<T>>): Promise<Result<T>>;
  /**
   * Runs `fn` under the election's lock, so no admission is decided meanwhile, with the events the pool
   * holds for `streamIds` (e.g. a voter's BlindSignatureIssued not yet in the log).
   */
  exclusive<T>(electionId: string, streamIds: readonly string[], fn: (held: Map<string, EventData>) => Promise<T>): Promise<T>;
  /** Events held now (operators and tests; never per ballot). */
  held(electionId: string, kind?: PooledKind): Promise<number>;
  stop(): Promise<void>;
}

interface Waiting {
  admission: PoolAdmission;
  resolve(r: Result<Admitted>): void;
  reject(err: unknown): void;
}

const expectedOf = (revision: number | null): ExpectedRevision => (revision === null ? 'any' : expectedRevisionOf(revision));

const alreadyEnded = (e: DomainError) => e.code === 'WRONG_STATE' && (e.details as { current?: unknown } | undefined)?.current === 'VOTE_ENDED';

export async function createBallotPool(opts: BallotPoolOptions): Promise<BallotPool> {
  const { sql, store } = opts;
  const k = Math.max(0, Math.floor(opts.k));
  const random = opts.randomInt ?? randomInt;
  const lock = createElectionLock(sql);
  const queues = new Map<string, Waiting[]>();
  const draining = new Map<string, Promise<void>>();
  const closed = new Set<string>();

  const closing = async (electionId: string) => closed.has(electionId) || (await isClosing(sql, electionId));

  /** Appends in the given order; events already in the log (a release cut off before its delete) are recognised by id. */
  const appendReleased = async (chosen: PooledEvent[]): Promise<AppendResult[]> => {
    if (chosen.length === 0) return [];
    const request = (p: PooledEvent) => ({ streamId: p.streamId, events: [p.event], expectedRevision: expectedOf(p.expectedRevision) });
    try {
      return await store.appendMany(chosen.map(request));
    } catch (err) {
      opts.log.warn('pool release: some events were already in the log', { error: (err as Error).message });
      const logs = await readStreams(
        store,
        chosen.map((p) => p.streamId),
      );
      const existing = chosen.map((p) => logs.get(p.streamId)?.find((e) => e.id === p.event.id));
      const missing = chosen.filter((_, i) => !existing[i]);
      const appended = missing.length > 0 ? await store.appendMany(missing.map(request)) : [];
      let next = 0;
      return existing.map((e) => (e ? { nextExpectedRevision: e.revision, position: e.position } : appended[next++]!));
    }
  };

  /**
   * Per kind, as many held rows as the batch brings beyond k, chosen among rows held before it. Spends
   * wait for the close: released one by one they would date each voter's cast.
   */
  const chooseFromHeld = (held: PooledEvent[], admitted: PooledEvent[]): PooledEvent[] => {
    const chosen: PooledEvent[] = [];
    for (const kind of ['cast', 'sign'] as const) {
      const ofKind = held.filter((p) => p.kind === kind);
      const excess = ofKind.length + admitted.filter((p) => p.kind === kind).length - k;
      if (excess > 0) chosen.push(...shuffle(ofKind, random).slice(0, Math.min(excess, ofKind.length)));
    }
    return shuffle(chosen, random);
  };

  const releaseAll = async (electionId: string): Promise<void> => {
    const chosen = shuffle(await pooledOfElection(sql, electionId), random);
    for (let i = 0; i < chosen.length; i += RELEASE_CHUNK) {
      const chunk = chosen.slice(i, i + RELEASE_CHUNK);
      await appendReleased(chunk);
      await deletePooled(
        sql,
        chunk.map((p) => p.streamId),
      );
    }
  };

  const admitBatch = async (electionId: string, batch: Waiting[]): Promise<{ results: Result<Admitted>[]; admittedCasts?: number }> => {
    const streamIds = [...new Set(batch.map((w) => w.admission.streamId))];
    const [isClosing, logs, pooled, held] = await Promise.all([
      closing(electionId),
      readStreams(store, streamIds),
      pooledByStream(sql, streamIds),
      k > 0 ? pooledOfElection(sql, electionId, ['cast', 'sign']) : [],
    ]);
    const histories = new Map<string, StreamHistory>(streamIds.map((id) => [id, [...(logs.get(id) ?? []), ...(pooled.has(id) ? [pooled.get(id)!.event] : [])]]));

    const admitted: PooledEvent[] = [];
    const outcomes: (DomainError | PooledEvent[] | null)[] = batch.map(({ admission }) => {
      const history = histories.get(admission.streamId)!;
      const decided = admission.decide(history, isClosing);
      if (decided === null || isDomainError(decided)) return decided;
      const events = decided.map((d): PooledEvent => ({ electionId, streamId: d.streamId, kind: d.kind, expectedRevision: d.expectedRevision, event: { ...d.event, id: randomUUID() } }));
      for (const e of events) if (e.streamId === admission.streamId) history.push(e.event);
      admitted.push(...events);
      return events;
    });

    let admittedCasts: number | undefined;
    const positions = new Map<string, number>();
    if (admitted.length > 0) {
      // Releases come only from rows earlier batches stored, so storing and releasing run side by side:
      // whichever fails, no acknowledged event exists only in memory.
      const chosen = k === 0 ? shuffle(admitted.filter((p) => p.kind !== 'spend'), random) : chooseFromHeld(held, admitted);
      const storing = storeAdmission(sql, electionId, admitted);
      if (k === 0) await storing;
      const [appended, stored] = await Promise.allSettled([appendReleased(chosen), storing]);
      if (appended.status === 'fulfilled') {
        chosen.forEach((p, i) => positions.set(p.streamId, appended.value[i]!.position));
        await deletePooled(
          sql,
          chosen.map((p) => p.streamId),
        );
      } else {
        opts.log.error('pool release failed; the events stay held', { electionId, error: (appended.reason as Error).message });
      }
      if (stored.status === 'rejected') throw stored.reason;
      admittedCasts = stored.value;
    }
    const results = outcomes.map((o): Result<Admitted> => {
      if (o === null) return { ok: true, value: { positions: new Map() } };
      if (isDomainError(o)) return { ok: false, error: o };
      return { ok: true, value: { positions: new Map(o.flatMap((e) => (positions.has(e.streamId) ? [[e.streamId, positions.get(e.streamId)!]] : []))) } };
    });
    return { results, admittedCasts: admitted.some((a) => a.kind === 'cast') ? admittedCasts : undefined };
  };

  const drain = (electionId: string): Promise<void> => {
    const running = draining.get(electionId);
    if (running) return running;
    const run = (async () => {
      for (let queue = queues.get(electionId); queue && queue.length > 0; queue = queues.get(electionId)) {
        const batch = queue.splice(0, MAX_BATCH);
        try {
          const { results, admittedCasts } = await lock(electionId, () => admitBatch(electionId, batch));
          batch.forEach((w, i) => w.resolve(results[i]!));
          if (admittedCasts !== undefined) opts.onAdmittedCasts?.(electionId, admittedCasts);
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
      queues.delete(electionId);
      draining.delete(electionId);
    })();
    draining.set(electionId, run);
    return run;
  };

  return {
    k,
    admit(admission) {
      return new Promise<Result<Admitted>>((resolve, reject) => {
        const queue = queues.get(admission.electionId) ?? [];
        queue.push({ admission, resolve, reject });
        queues.set(admission.electionId, queue);
        void drain(admission.electionId);
      });
    },

    closeVoting(electionId, end) {
      return lock(electionId, async () => {
        await setClosing(sql, electionId, true);
        await releaseAll(electionId);
        const ended = await end();
        if (ended.ok || alreadyEnded(ended.error)) closed.add(electionId);
        else await setClosing(sql, electionId, false);
        return ended;
      });
    },

    exclusive: (electionId, streamIds, fn) =>
      lock(electionId, async () => {
        const pooled = await pooledByStream(sql, streamIds);
        return fn(new Map([...pooled].map(([id, p]) => [id, p.event])));
      }),

    held: (electionId, kind) => countPooled(sql, electionId, kind),

    async stop() {
      await Promise.allSettled([...draining.values()]);
    },
  };
}
