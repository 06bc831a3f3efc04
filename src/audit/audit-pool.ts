/**
 * A worker_threads pool that opens counted ballots in parallel (two RSA public operations each).
 * Workers run the TypeScript sources through src/app/ts-worker.ts, as the tally's pool does.
 * Jobs go in batches, so messaging costs little next to the RSA work; `open` preserves job order.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../app/ts-worker.ts';
import { availableParallelism } from 'node:os';
import type { BallotOpening, ElectionPublicKeys, OpenBallotJob } from './ballot-opening.ts';
import type { WorkerRequest } from './audit-worker.ts';

export interface AuditPool {
  open(jobs: OpenBallotJob[]): Promise<BallotOpening[]>;
  close(): Promise<void>;
}

interface Pending {
  resolve(results: BallotOpening[]): void;
  reject(err: Error): void;
}

export function createAuditPool(keys: ElectionPublicKeys, size = availableParallelism()): AuditPool {
  const pending = new Map<number, Pending>();
  const load = new Map<Worker, number>();
  let nextId = 0;
  let failure: Error | undefined;
  let closing = false;

  const fail = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const workers = Array.from({ length: Math.max(1, size) }, () => {
    // The keys travel as workerData; messages sent before the worker's module loaded wait in its port.
    const w = startTsWorker(new URL('./audit-worker.ts', import.meta.url), { workerData: keys });
    load.set(w, 0);
    w.on('message', (msg: { id: number; results?: BallotOpening[]; error?: string }) => {
      load.set(w, (load.get(w) ?? 1) - 1);
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (!p) return;
      if (msg.results) p.resolve(msg.results);
      else p.reject(new Error(`audit worker failed: ${msg.error ?? 'unknown'}`));
    });
    w.on('error', (err) => fail(err));
    w.on('exit', (code) => {
      if (code !== 0 && !closing) fail(new Error(`audit worker exited with code ${code}`));
    });
    return w;
  });

  return {
    open(jobs) {
      if (failure) return Promise.reject(failure);
      if (jobs.length === 0) return Promise.resolve([]);
      // Least-loaded worker: batches differ in cost only by their size, which is uniform.
      let best = workers[0] as Worker;
      for (const w of workers) if ((load.get(w) ?? 0) < (load.get(best) ?? 0)) best = w;
      load.set(best, (load.get(best) ?? 0) + 1);
      const id = nextId++;
      return new Promise<BallotOpening[]>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        best.postMessage({ type: 'open', id, jobs } satisfies WorkerRequest);
      });
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
