/**
 * A pool of worker threads that open ballots (decrypt, decode, verify, hash N2) for one election.
 * Each worker imports the counter's private key once; ballots travel in batches (a few hundred per
 * message) so the message overhead stays far below the ~1 ms RSA private operation per ballot.
 * Each worker holds at most `inFlight` batches, so it never idles while the main thread handles a
 * reply, and memory stays bounded however many batches the caller submits.
 *
 * Workers run TypeScript through src/app/ts-worker.ts, which works under `npx tsx`, under vitest
 * and from `npm start`.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../app/ts-worker.ts';
import type { OpenedBallot } from './classify.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.ts';

export interface TallyPoolOptions extends WorkerInit {
  /** Worker threads; default os.availableParallelism(). */
  size?: number;
  /** Batches queued per worker at once (default 2: one running, one waiting). */
  inFlight?: number;
}

export interface TallyPool {
  readonly size: number;
  /** Opens the ciphertexts; the answer is in the same order. Rejects if a worker died. */
  open(ciphertexts: string[]): Promise<OpenedBallot[]>;
  close(): Promise<void>;
}

interface Job {
  request: WorkerRequest;
  resolve(ballots: OpenedBallot[]): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  running: Map<number, Job>;
}

export const MAX_POOL_SIZE = 64;

function startWorker(init: WorkerInit): Promise<Worker> {
  // Each worker gets its own copy of the key bytes (workerData is cloned), zeroed there after import.
  const worker = startTsWorker(new URL('./worker.ts', import.meta.url), { workerData: init });
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    const onExit = (code: number) => reject(new Error(`tally worker exited with code ${code} before it was ready`));
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.once('message', () => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(worker);
    });
  });
}

export async function createTallyPool(opts: TallyPoolOptions): Promise<TallyPool> {
  const size = Math.max(1, Math.min(MAX_POOL_SIZE, Math.floor(opts.size ?? availableParallelism())));
  const inFlight = Math.max(1, opts.inFlight ?? 2);
  const init: WorkerInit = {
    electionId: opts.electionId,
    counterPrivateKeyPkcs8: opts.counterPrivateKeyPkcs8,
    authorityPublicKeySpki: opts.authorityPublicKeySpki,
  };
  const started = await Promise.allSettled(Array.from({ length: size }, () => startWorker(init)));
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }

  const slots: Slot[] = workers.map((worker) => ({ worker, running: new Map() }));
  const queue: Job[] = [];
  let nextId = 0;
  let broken: Error | undefined;
  let closing = false;

  const fail = (err: Error) => {
    if (broken) return;
    broken = err;
    for (const slot of slots) {
      for (const job of slot.running.values()) job.reject(err);
      slot.running.clear();
    }
    for (const job of queue.splice(0)) job.reject(err);
  };

  const dispatch = () => {
    while (queue.length > 0 && !broken) {
      let best: Slot | undefined;
      for (const slot of slots) if (slot.running.size < inFlight && (!best || slot.running.size < best.running.size)) best = slot;
      if (!best) return;
      const job = queue.shift() as Job;
      best.running.set(job.request.id, job);
      best.worker.postMessage(job.request);
    }
  };

  for (const slot of slots) {
    slot.worker.on('message', (reply: WorkerReply) => {
      const job = slot.running.get(reply.id);
      if (!job) return;
      slot.running.delete(reply.id);
      job.resolve(reply.ballots);
      dispatch();
    });
    slot.worker.on('error', (err) => fail(new Error(`tally worker failed: ${err.message}`)));
    slot.worker.on('exit', (code) => {
      if (!closing) fail(new Error(`tally worker exited unexpectedly with code ${code}`));
    });
  }

  return {
    size,
    open(ciphertexts) {
      if (broken) return Promise.reject(broken);
      if (closing) return Promise.reject(new Error('tally pool is closed'));
      if (ciphertexts.length === 0) return Promise.resolve([]);
      return new Promise<OpenedBallot[]>((resolve, reject) => {
        queue.push({ request: { id: nextId++, ciphertexts }, resolve, reject });
        dispatch();
      });
    },
    async close() {
      if (closing) return;
      closing = true;
      fail(new Error('tally pool is closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
