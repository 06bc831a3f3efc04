/**
 * The authority's RSA private operation on worker threads, so the gateway's thread only routes
 * (docs/ballots.md, "Where the private operation runs"): started on first use, retired when idle,
 * several signatures per message when they queue up; a dead or stuck worker fails its requests with
 * SERVICE_UNAVAILABLE (service `signing`) and is replaced on demand.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { silentLogger, type Logger } from '../runtime/log.ts';
import { ServiceUnavailableError } from '../runtime/service-unavailable.ts';
import { startWorkerThread } from '../runtime/worker-thread.ts';
import type { SignReply, SigningFailureCode, SigningRequest } from './signing-protocol.ts';

export interface SigningPoolOptions {
  /** The election's authority private key, PKCS#8 DER: read when a worker first signs for it (the pool zeroes it). */
  loadKey(electionId: string): Promise<Uint8Array>;
  /** Workers at most; default os.availableParallelism(). */
  size?: number;
  /** A worker with nothing to do for this long is ended (default 10 s, as the X25519 worker). */
  idleMs?: number;
  /** Signatures per message at most (default 32: ~10 ms of work for RSA-2048). */
  maxBatch?: number;
  /** A worker that answers nothing for this long while it holds work is ended as stuck (default 10 s). */
  stuckMs?: number;
  log?: Logger;
  /** The worker's entry (default ./signing-worker.ts); tests substitute one that crashes or hangs on cue. */
  workerEntry?: URL;
}

export interface SigningPoolStats {
  /** Workers running now. */
  workers: number;
  /** Since the pool was created. */
  batches: number;
  signatures: number;
  /** Workers that died or were ended as stuck. */
  failedWorkers: number;
}

export interface SigningPool {
  /** The blind signature of one blinded message (kLen bytes below n, checked by the caller). */
  sign(electionId: string, blindedMessage: Uint8Array): Promise<Uint8Array>;
  stats(): SigningPoolStats;
  /** Ends every worker; what is still waiting fails with SERVICE_UNAVAILABLE. */
  close(): Promise<void>;
}

/** The worker could not sign this item (a bad key or an RSA self-check failure): an operator fault, not retryable. */
export class SigningError extends Error {
  constructor(readonly code: SigningFailureCode) {
    super(`blind signing failed: ${code}`);
    this.name = 'SigningError';
  }
}

export const MAX_SIGNING_WORKERS = 64;
export const DEFAULT_SIGNING_IDLE_MS = 10_000;
/** What a client is told to wait before retrying a signature whose worker died: a replacement starts at once. */
export const SIGNING_RETRY_AFTER_MS = 100;
/** Keys one worker holds at most; the least recently sent one is dropped first. */
const KEYS_PER_WORKER = 64;

interface Job {
  electionId: string;
  blinded: Uint8Array;
  resolve(signature: Uint8Array): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  /** Batches sent and not answered, by id. */
  running: Map<number, Job[]>;
  /** Elections whose key this worker has (or is being sent), in the order they were sent. */
  keys: Map<string, Promise<void>>;
  ended: boolean;
  idleTimer?: NodeJS.Timeout;
  stuckTimer?: NodeJS.Timeout;
}

export function createSigningPool(opts: SigningPoolOptions): SigningPool {
  const size = Math.max(1, Math.min(MAX_SIGNING_WORKERS, Math.floor(opts.size ?? availableParallelism())));
  const idleMs = opts.idleMs ?? DEFAULT_SIGNING_IDLE_MS;
  const maxBatch = Math.max(1, opts.maxBatch ?? 32);
  const stuckMs = opts.stuckMs ?? 10_000;
  const log = opts.log ?? silentLogger;
  const entry = opts.workerEntry ?? new URL('./signing-worker.ts', import.meta.url);
  // One batch running and one waiting per worker: it never idles, and the rest queue here, where
  // they can still join a larger batch.
  const inFlightPerWorker = 2;

  const slots: Slot[] = [];
  let queue: Job[] = [];
  let nextId = 0;
  let closed = false;
  const stats = { batches: 0, signatures: 0, failedWorkers: 0 };

  const unavailable = () => new ServiceUnavailableError('signing', SIGNING_RETRY_AFTER_MS);

  const failRunning = (slot: Slot, err: Error) => {
    for (const jobs of slot.running.values()) for (const job of jobs) job.reject(err);
    slot.running.clear();
  };

  const end = (slot: Slot) => {
    if (slot.ended) return;
    slot.ended = true;
    clearTimeout(slot.idleTimer);
    clearTimeout(slot.stuckTimer);
    const at = slots.indexOf(slot);
    if (at >= 0) slots.splice(at, 1);
  };

  const armStuckTimer = (slot: Slot) => {
    clearTimeout(slot.stuckTimer);
    if (slot.running.size === 0) return;
    slot.stuckTimer = setTimeout(() => {
      log.warn('signing worker answered nothing in time; ending it', { stuckMs });
      void slot.worker.terminate();
    }, stuckMs);
    slot.stuckTimer.unref();
  };

  const armIdleTimer = (slot: Slot) => {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.running.size > 0) return;
      end(slot);
      void slot.worker.terminate();
    }, idleMs);
    slot.idleTimer.unref();
  };

  const startSlot = (): Slot => {
    const worker = startWorkerThread(entry);
    const slot: Slot = { worker, running: new Map(), keys: new Map(), ended: false };
    worker.on('message', (reply: SignReply) => answered(slot, reply));
    // The message is our own code's (the worker never puts key bytes in an error).
    worker.on('error', (err) => log.warn('signing worker failed', { errorClass: err.name, error: err.message.slice(0, 200) }));
    worker.on('exit', (code) => {
      if (slot.ended) return;
      end(slot);
      stats.failedWorkers++;
      log.warn('signing worker exited unexpectedly; its requests answer SERVICE_UNAVAILABLE', { exitCode: code, requests: [...slot.running.values()].reduce((n, jobs) => n + jobs.length, 0) });
      failRunning(slot, unavailable());
      pump();
    });
    slots.push(slot);
    return slot;
  };

  /** Sends the election's key to this worker once; the bytes are moved to the worker, none stay here. */
  const ensureKey = (slot: Slot, electionId: string): Promise<void> => {
    const known = slot.keys.get(electionId);
    if (known) {
      // Most recently used last, so the bound drops the one unused longest.
      slot.keys.delete(electionId);
      slot.keys.set(electionId, known);
      return known;
    }
    const sent = opts.loadKey(electionId).then((der) => {
      // A fresh buffer to transfer (der may share a pooled ArrayBuffer), and der cleared at once.
      const pkcs8 = Uint8Array.from(der);
      der.fill(0);
      if (slot.ended) {
        pkcs8.fill(0);
        return;
      }
      slot.worker.postMessage({ type: 'key', electionId, pkcs8 } satisfies SigningRequest, [pkcs8.buffer]);
    });
    sent.catch(() => slot.keys.delete(electionId));
    slot.keys.set(electionId, sent);
    if (slot.keys.size > KEYS_PER_WORKER) {
      const oldest = slot.keys.keys().next().value as string;
      slot.keys.delete(oldest);
      slot.worker.postMessage({ type: 'forget', electionId: oldest } satisfies SigningRequest);
    }
    return sent;
  };

  /** Up to maxBatch queued jobs of the first job's election and length, in arrival order. */
  const takeBatch = (): Job[] => {
    const first = queue[0]!;
    const batch: Job[] = [];
    const rest: Job[] = [];
    for (const job of queue) {
      if (batch.length < maxBatch && job.electionId === first.electionId && job.blinded.length === first.blinded.length) batch.push(job);
      else rest.push(job);
    }
    queue = rest;
    return batch;
  };

  const send = (slot: Slot, jobs: Job[]) => {
    const id = nextId++;
    const electionId = jobs[0]!.electionId;
    const kLen = jobs[0]!.blinded.length;
    const blinded = new Uint8Array(kLen * jobs.length);
    jobs.forEach((job, i) => blinded.set(job.blinded, i * kLen));
    clearTimeout(slot.idleTimer);
    slot.running.set(id, jobs);
    if (slot.running.size === 1) armStuckTimer(slot);
    stats.batches++;
    stats.signatures += jobs.length;
    const post = () => {
      if (slot.running.has(id)) slot.worker.postMessage({ type: 'sign', id, electionId, count: jobs.length, blinded } satisfies SigningRequest, [blinded.buffer]);
    };
    ensureKey(slot, electionId).then(post, (err: unknown) => {
      if (!slot.running.delete(id)) return;
      for (const job of jobs) job.reject(err instanceof Error ? err : new Error(String(err)));
      if (slot.running.size === 0) settle(slot);
    });
  };

  /** Idle: the worker is retired later; otherwise the stuck timer restarts from this answer. */
  const settle = (slot: Slot) => {
    if (slot.running.size === 0) {
      clearTimeout(slot.stuckTimer);
      armIdleTimer(slot);
    } else {
      armStuckTimer(slot);
    }
  };

  const answered = (slot: Slot, reply: SignReply) => {
    const jobs = slot.running.get(reply.id);
    if (!jobs) return;
    slot.running.delete(reply.id);
    const failed = new Map(reply.failures);
    const kLen = reply.signatures.length / jobs.length;
    jobs.forEach((job, i) => {
      const code = failed.get(i);
      if (code) job.reject(new SigningError(code));
      else job.resolve(reply.signatures.subarray(i * kLen, (i + 1) * kLen));
    });
    settle(slot);
    pump();
  };

  /** Hands queued jobs to the least busy worker, starting another while all are busy and the pool is not full. */
  const pump = () => {
    while (queue.length > 0 && !closed) {
      let slot: Slot | undefined;
      for (const s of slots) if (s.running.size < inFlightPerWorker && (!slot || s.running.size < slot.running.size)) slot = s;
      if ((!slot || slot.running.size > 0) && slots.length < size) {
        try {
          slot = startSlot();
        } catch (err) {
          log.error('signing worker could not start', { errorClass: (err as Error).name, error: (err as Error).message.slice(0, 200) });
          if (slots.length === 0) for (const job of queue.splice(0)) job.reject(unavailable());
        }
      }
      if (!slot) return;
      send(slot, takeBatch());
    }
  };

  return {
    sign(electionId, blindedMessage) {
      if (closed) return Promise.reject(unavailable());
      return new Promise<Uint8Array>((resolve, reject) => {
        queue.push({ electionId, blinded: blindedMessage, resolve, reject });
        pump();
      });
    },
    stats: () => ({ workers: slots.length, ...stats }),
    async close() {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) job.reject(unavailable());
      const ending = [...slots];
      for (const slot of ending) {
        end(slot);
        failRunning(slot, unavailable());
      }
      await Promise.all(ending.map((slot) => slot.worker.terminate()));
    },
  };
}
