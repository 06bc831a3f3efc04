/**
 * Runs this process's projections: checkpoint rows, live workers, rebuild, status/lag and waitFor
 * (docs/projections.md "Runner").
 */
import type { EventStore } from '../eventstore/port.ts';
import type { SqlClient } from '../sql/client.ts';
import type { PubSub } from '../pubsub/port.ts';
import type { Logger } from '../runtime/log.ts';
import { createLogger } from '../runtime/log.ts';
import type { Projection } from './projection.ts';
import { CHECKPOINT_TABLE, ensureCheckpoint, lockCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoints.ts';
import { ProjectionWorker, type WorkerError } from './projection-worker.ts';
import { ProjectionError } from './errors.ts';
import { SharedTail } from './shared-tail.ts';
import { Doorbell } from '../eventstore/doorbell.ts';
import type { ProjectionObserver } from './read-cache.ts';

export interface ProjectionStatus {
  name: string;
  position: number;
  head: number;
  /** head - position (positions need not be contiguous). */
  lag: number;
  running: boolean;
  /** The last failure, kept after recovery with attempts reset to 0. */
  lastError?: WorkerError;
}

export interface ProjectionRunner {
  start(): Promise<void>;
  stop(): Promise<void>;
  rebuild(name: string): Promise<{ position: number }>;
  status(): Promise<ProjectionStatus[]>;
  waitFor(position: number, timeoutMs?: number): Promise<void>;
}

export interface ProjectionRunnerOptions {
  store: EventStore;
  sql: SqlClient;
  projections: Projection[];
  pubsub?: PubSub;
  /** Default 500. */
  batchSize?: number;
  log?: Logger;
  /** Default 100 ms doubling to 10 s. */
  retry?: { minMs: number; maxMs: number };
  /** How often waitFor re-checks for other processes' progress. Default 50 ms. */
  waitPollMs?: number;
  /** Told of each committed batch and worker (re)start: the read cache's invalidation. */
  observer?: ProjectionObserver;
}

export function createProjectionRunner(opts: ProjectionRunnerOptions): ProjectionRunner {
  const { store, sql, projections } = opts;
  const log = (opts.log ?? createLogger()).child({ component: 'projections' });
  const waitPollMs = opts.waitPollMs ?? 50;
  const names = new Set<string>();
  for (const p of projections) {
    if (names.has(p.name)) throw new Error(`duplicate projection name ${p.name}`);
    names.add(p.name);
  }

  const progress = new Doorbell();
  const onProgress = () => progress.ring();

  const tail = new SharedTail(store);
  const subscribe = (fromPosition: number) => tail.subscribe(fromPosition);

  const workers = new Map(
    projections.map((projection) => [
      projection.name,
      new ProjectionWorker({
        store,
        subscribe,
        sql,
        projection,
        pubsub: opts.pubsub,
        batchSize: Math.max(1, opts.batchSize ?? 500),
        log,
        retry: opts.retry ?? { minMs: 100, maxMs: 10_000 },
        onProgress,
        observer: opts.observer,
      }),
    ]),
  );

  let setupDone: Promise<void> | undefined;
  const setup = () => {
    setupDone ??= sql
      .transaction(async (tx) => {
        // The tables come from the schema migrations; only each projection's checkpoint row is made here.
        for (const p of projections) await ensureCheckpoint(tx, p.name);
      })
      .catch((err: unknown) => {
        setupDone = undefined; // let a later call try again
        throw err;
      });
    return setupDone;
  };

  const workerOf = (name: string): ProjectionWorker => {
    const w = workers.get(name);
    if (!w) throw new ProjectionError('PROJECTION_NOT_FOUND', `no projection named ${name}`);
    return w;
  };

  // Every command reply asks for read-your-writes: waiters share one checkpoint query at a time, and the
  // pending-event look-up is reused until the checkpoint moves.
  let checkpointsInFlight: Promise<Map<string, number>> | undefined;
  const readCheckpoints = (): Promise<Map<string, number>> =>
    (checkpointsInFlight ??= sql
      .query<{ name: string; position: number | string }>(`SELECT name, position FROM ${CHECKPOINT_TABLE} WHERE name = ANY($1)`, [[...names]])
      .then(({ rows }) => new Map(rows.map((r) => [r.name, Number(r.position)])))
      .finally(() => {
        checkpointsInFlight = undefined;
      }));

  const nextMatching = new Map<string, { checkpoint: number; answer: Promise<{ next?: number; head: number }> }>();
  const nextMatchingAfter = (projection: Projection, checkpoint: number) => {
    const cached = nextMatching.get(projection.name);
    if (cached && cached.checkpoint === checkpoint) return cached.answer;
    const answer = (async () => {
      const head = await store.headPosition();
      const [next] = await store.readAll({ fromPosition: checkpoint, limit: 1, filter: projection.filter });
      return next ? { next: next.position, head } : { head };
    })();
    answer.catch(() => nextMatching.delete(projection.name));
    nextMatching.set(projection.name, { checkpoint, answer });
    return answer;
  };

  const reached = async (projection: Projection, checkpoint: number, position: number): Promise<boolean> => {
    if (checkpoint >= position) return true;
    const { next, head } = await nextMatchingAfter(projection, checkpoint);
    // Positions only grow: nothing matching can appear at or below `position` later.
    return next === undefined ? head >= position : next > position;
  };

  const waitUntil = async (targets: Projection[], position: number, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let pending = targets;
    for (;;) {
      // Taken before checking, so progress made during the check is not missed.
      const generation = progress.generation;
      const checkpoints = await readCheckpoints();
      const done = await Promise.all(pending.map((p) => reached(p, checkpoints.get(p.name) ?? 0, position)));
      pending = pending.filter((_, i) => !done[i]);
      if (pending.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new ProjectionError('PROJECTION_TIMEOUT', `projections ${pending.map((p) => p.name).join(', ')} did not reach position ${position} within ${timeoutMs} ms`);
      }
      await progress.wait(generation, Math.min(left, waitPollMs));
    }
  };

  return {
    async start() {
      await setup();
      for (const w of workers.values()) w.start();
      log.info('projections started', { projections: [...workers.keys()] });
    },

    async stop() {
      await Promise.all([...workers.values()].map((w) => w.stop()));
      await tail.close();
    },

    async rebuild(name) {
      const worker = workerOf(name);
      const projection = projections.find((p) => p.name === name) as Projection;
      await setup();
      const wasRunning = worker.running;
      await worker.stop();
      // Rows and checkpoint go back to zero together: no reader can see empty rows with an old checkpoint.
      await sql.transaction(async (tx) => {
        await lockCheckpoint(tx, name);
        await projection.reset(tx);
        await writeCheckpoint(tx, name, 0);
      });
      const head = await store.headPosition();
      log.info('projection rebuild started', { projection: name, head });
      worker.muteThrough = Math.max(worker.muteThrough, head);
      worker.start();
      try {
        await waitUntil([projection], head, Infinity);
      } finally {
        if (!wasRunning) await worker.stop();
      }
      // The idle advance may leave the checkpoint below the head the rows reflect.
      const position = Math.max(head, await readCheckpoint(sql, name));
      log.info('projection rebuilt', { projection: name, position });
      return { position };
    },

    async status() {
      // One query for all projections: this runs on every metrics scrape.
      const [head, checkpoints] = await Promise.all([store.headPosition(), readCheckpoints()]);
      return Promise.all(
        projections.map(async (p) => {
          const worker = workerOf(p.name);
          const position = checkpoints.get(p.name) ?? 0;
          const status: ProjectionStatus = { name: p.name, position, head, lag: Math.max(0, head - position), running: worker.running };
          if (worker.lastError) status.lastError = worker.lastError;
          return status;
        }),
      );
    },

    async waitFor(position, timeoutMs = 10_000) {
      await waitUntil(projections, position, timeoutMs);
    },
  };
}
