/**
 * A worker_threads pool that opens counted ballots in parallel (two RSA public operations each).
 * Workers run the TypeScript sources through tsx. On Node 20 `--import tsx` in a worker's execArgv
 * is not applied to its entry module, so (as src/tally/pool.ts does) a tiny JavaScript bootstrap
 * registers tsx's ESM loader inside the worker and then imports audit-worker.ts.
 * Jobs go in batches, so messaging costs little next to the RSA work; `open` preserves job order.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
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

/** The ESM build of `tsx/esm/api` (require.resolve would pick its CommonJS build). */
function tsxEsmApiPath(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as { exports: Record<string, { import?: { default?: string } }> };
  const entry = exports['./esm/api']?.import?.default;
  if (!entry) throw new Error('tsx does not export ./esm/api for import');
  return path.join(path.dirname(manifest), entry);
}

function bootstrapSource(): string {
  const tsxApi = pathToFileURL(tsxEsmApiPath()).href;
  const entry = new URL('./audit-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
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

  const source = bootstrapSource();
  const workers = Array.from({ length: Math.max(1, size) }, () => {
    // The keys travel as workerData; messages sent before the worker's module loaded wait in its port.
    const w = new Worker(source, { eval: true, workerData: keys });
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
