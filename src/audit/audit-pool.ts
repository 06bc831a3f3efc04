/**
 * A worker_threads pool for the verifier's order-independent work: leaf hashing and ballot opening,
 * in batches (docs/audit.md, "Performance"); each call resolves with its batch's results in job order.
 */
import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { BallotOpening } from './ballot-opening.ts';
import type { AuditPool } from './verify-core.ts';
import type { WorkerRequest } from './audit-worker.ts';
import type { LeafBatchResult } from './leaf-batch.ts';
import { startWorkerThread } from '../runtime/worker-thread.ts';

export type { AuditPool } from './verify-core.ts';

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
  cost: number;
}

// Rough CPU cost per unit (µs), to send each batch to the worker with the least queued work.
const COST_PER_BALLOT = 80;
const COST_PER_LEAF = 8;

export function createAuditPool(size = availableParallelism()): AuditPool {
  const pending = new Map<number, Pending>();
  const queued = new Map<Worker, number>();
  let nextId = 0;
  let failure: Error | undefined;
  let closing = false;

  const fail = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const workers = Array.from({ length: Math.max(1, size) }, () => {
    // Messages sent before the worker's module loaded wait in its port.
    const w = startWorkerThread(new URL('./audit-worker.ts', import.meta.url));
    queued.set(w, 0);
    w.on('message', (msg: { id: number; results?: BallotOpening[]; leaves?: LeafBatchResult; error?: string }) => {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (!p) return;
      queued.set(w, (queued.get(w) ?? 0) - p.cost);
      if (msg.error !== undefined) p.reject(new Error(`audit worker failed: ${msg.error}`));
      else p.resolve(msg.results ?? msg.leaves);
    });
    w.on('error', (err) => fail(err));
    w.on('exit', (code) => {
      if (code !== 0 && !closing) fail(new Error(`audit worker exited with code ${code}`));
    });
    return w;
  });

  function send<T>(request: WorkerRequest & { id: number }, cost: number): Promise<T> {
    if (failure) return Promise.reject(failure);
    let best = workers[0] as Worker;
    for (const w of workers) if ((queued.get(w) ?? 0) < (queued.get(best) ?? 0)) best = w;
    queued.set(best, (queued.get(best) ?? 0) + cost);
    return new Promise<T>((resolve, reject) => {
      pending.set(request.id, { resolve: resolve as (r: unknown) => void, reject, cost });
      best.postMessage(request);
    });
  }

  return {
    setKeys(keys) {
      for (const w of workers) w.postMessage({ type: 'keys', keys } satisfies WorkerRequest);
    },
    open(jobs) {
      if (jobs.length === 0) return Promise.resolve([]);
      return send<BallotOpening[]>({ type: 'open', id: nextId++, jobs }, jobs.length * COST_PER_BALLOT);
    },
    hashLeaves(lines, aligned) {
      // An array of strings, not one joined string: cloning it costs the main thread a quarter as much.
      return send<LeafBatchResult>({ type: 'leaves', id: nextId++, lines, aligned }, lines.length * COST_PER_LEAF);
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
