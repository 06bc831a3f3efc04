/**
 * The audit's platform in a browser: @noble primitives (browser-crypto.ts), and for the leaf hashing
 * and ballot opening either helper workers (one per core, as the CLI's worker threads) or the calling
 * thread, which is already the verification's Web Worker. The checks are src/audit/verify-core.ts's.
 */
import { importElectionKeys, openBallot, type BallotOpening, type ElectionPublicKeys, type OpenBallotJob, type OpeningKeys } from '../../../src/audit/ballot-opening.ts';
import { hashLeafBatch, type LeafBatchResult } from '../../../src/audit/leaf-batch.ts';
import type { AuditPlatform, AuditPool } from '../../../src/audit/verify-core.ts';
import type { CryptoPrimitives } from '../../../src/crypto/primitives.ts';
import { browserPrimitives } from './browser-crypto.ts';

/** AuditPool's contract, done in place: each call's work is done before its promise is returned. */
export function inlinePool(crypto: CryptoPrimitives): AuditPool {
  let keys: { electionId: string; opening: OpeningKeys } | undefined;
  return {
    setKeys(k) {
      keys = { electionId: k.electionId, opening: importElectionKeys(crypto, k) };
    },
    open(jobs) {
      const k = keys;
      if (!k) return Promise.reject(new Error('ballots to open before the election keys'));
      try {
        return Promise.resolve(jobs.map((j) => openBallot(k.opening, k.electionId, j)));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    hashLeaves(lines, aligned) {
      try {
        return Promise.resolve(hashLeafBatch(crypto, lines, aligned));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    close: () => Promise.resolve(),
  };
}

export type PoolRequest =
  | { type: 'keys'; keys: ElectionPublicKeys }
  | { type: 'open'; id: number; jobs: OpenBallotJob[] }
  | { type: 'leaves'; id: number; lines: string[]; aligned: boolean };

export interface PoolResponse {
  id: number;
  results?: BallotOpening[];
  leaves?: LeafBatchResult;
  error?: string;
}

// Rough cost per unit (µs), to send each batch to the helper with the least queued work.
const COST_PER_BALLOT = 400;
const COST_PER_LEAF = 10;

/** `size` helper workers (pool-worker.ts), each batch to the least loaded: src/audit/audit-pool.ts's scheme. */
export function workerPool(size: number): AuditPool {
  const pending = new Map<number, { resolve(r: unknown): void; reject(e: Error): void; cost: number }>();
  const queued = new Map<Worker, number>();
  let nextId = 0;
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  const workers = Array.from({ length: Math.max(1, size) }, () => {
    const w = new Worker(new URL('./pool-worker.ts', import.meta.url), { type: 'module', name: 'evote-verify-helper' });
    queued.set(w, 0);
    w.addEventListener('message', (e: MessageEvent<PoolResponse>) => {
      const p = pending.get(e.data.id);
      if (!p) return;
      pending.delete(e.data.id);
      queued.set(w, (queued.get(w) ?? 0) - p.cost);
      if (e.data.error !== undefined) p.reject(new Error(`verification helper failed: ${e.data.error}`));
      else p.resolve(e.data.results ?? e.data.leaves);
    });
    w.addEventListener('error', (e) => fail(new Error(e.message || 'a verification helper failed to start')));
    return w;
  });
  function send<T>(request: PoolRequest & { id: number }, cost: number): Promise<T> {
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
      for (const w of workers) w.postMessage({ type: 'keys', keys } satisfies PoolRequest);
    },
    open(jobs) {
      if (jobs.length === 0) return Promise.resolve([]);
      return send<BallotOpening[]>({ type: 'open', id: nextId++, jobs }, jobs.length * COST_PER_BALLOT);
    },
    hashLeaves(lines, aligned) {
      return send<LeafBatchResult>({ type: 'leaves', id: nextId++, lines, aligned }, lines.length * COST_PER_LEAF);
    },
    close() {
      for (const w of workers) w.terminate();
      return Promise.resolve();
    },
  };
}

/**
 * `crypto`: the browser's by default; a Node test passes the same to compare with the CLI. `helpers`:
 * worker count for the pool (0: the calling thread does the work, as in a Node test).
 */
export function browserAuditPlatform(crypto: CryptoPrimitives = browserPrimitives, helpers = 0): AuditPlatform {
  if (helpers > 0) return { crypto, createPool: () => workerPool(helpers), parallelism: () => helpers };
  return { crypto, createPool: () => inlinePool(crypto), parallelism: () => 1 };
}
