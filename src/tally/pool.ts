/**
 * Worker threads that open one election's ballots, in batches with at most `inFlight` per worker
 * (docs/tally.md "The worker pool").
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../runtime/worker-thread.ts';
import type { OpenedBallot } from './classify.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.ts';
import type { StoredPartial } from './trustee-partials-store.ts';

export interface TallyPoolOptions extends WorkerInit {
  /** Default os.availableParallelism(). */
  size?: number;
  /** Batches queued per worker at once (default 2: one running, one waiting). */
  inFlight?: number;
}

/** What one worker has done so far: ballots opened and, with measureCpu, its thread's CPU time on them. */
export interface WorkerWork {
  ballots: number;
  cpuSeconds: number | undefined;
}

/** One worker's raw probe: bare RSA private operations in that thread, wall and thread-CPU time. */
export interface RawProbe {
  ops: number;
  seconds: number;
  cpuSeconds: number | undefined;
}

/** What counting needs of a pool: ballots opened, answers in the same order. */
export interface BallotOpener {
  open(ciphertexts: string[]): Promise<OpenedBallot[]>;
}

export interface TallyPool extends BallotOpener {
  readonly size: number;
  /** Answers in the same order. Rejects if a worker died. */
  open(ciphertexts: string[]): Promise<OpenedBallot[]>;
  /** A trustee election's pool: each ballot with every trustee's stored partial. */
  openWithPartials(ciphertexts: string[], partials: StoredPartial[][]): Promise<WorkerReply>;
  /** Per worker, since the pool started (benchmarks). */
  work(): WorkerWork[];
  /** Benchmarks, on an idle pool: every worker runs the bare private operation at once for `millis`. */
  probeRaw(millis: number): Promise<RawProbe[]>;
  close(): Promise<void>;
}

interface Job {
  request: WorkerRequest;
  resolve(reply: WorkerReply): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  running: Map<number, Job>;
  ballots: number;
  cpuNanos: number | undefined;
}

export const MAX_POOL_SIZE = 64;

function startWorker(init: WorkerInit): Promise<Worker> {
  // workerData is cloned: each worker zeroes its own copy of the key bytes after import.
  const worker = startWorkerThread(new URL('./worker.ts', import.meta.url), { workerData: init });
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
    ...(opts.counterPrivateKeyPkcs8 && { counterPrivateKeyPkcs8: opts.counterPrivateKeyPkcs8 }),
    ...(opts.threshold && { threshold: opts.threshold }),
    authorityPublicKeySpki: opts.authorityPublicKeySpki,
    ...(opts.weightClasses && { weightClasses: opts.weightClasses }),
    measureCpu: opts.measureCpu === true,
  };
  const started = await Promise.allSettled(Array.from({ length: size }, () => startWorker(init)));
  const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }

  const slots: Slot[] = workers.map((worker) => ({ worker, running: new Map(), ballots: 0, cpuNanos: undefined }));
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

  const send = (slot: Slot, job: Job) => {
    slot.running.set(job.request.id, job);
    slot.worker.postMessage(job.request);
  };

  const dispatch = () => {
    while (queue.length > 0 && !broken) {
      let best: Slot | undefined;
      for (const slot of slots) if (slot.running.size < inFlight && (!best || slot.running.size < best.running.size)) best = slot;
      if (!best) return;
      send(best, queue.shift() as Job);
    }
  };

  for (const slot of slots) {
    slot.worker.on('message', (reply: WorkerReply) => {
      const job = slot.running.get(reply.id);
      if (!job) return;
      slot.running.delete(reply.id);
      if (!reply.raw) {
        slot.ballots += reply.ballots.length;
        if (reply.cpuNanos !== undefined) slot.cpuNanos = (slot.cpuNanos ?? 0) + reply.cpuNanos;
      }
      job.resolve(reply);
      dispatch();
    });
    slot.worker.on('error', (err) => fail(new Error(`tally worker failed: ${err.message}`)));
    slot.worker.on('exit', (code) => {
      if (!closing) fail(new Error(`tally worker exited unexpectedly with code ${code}`));
    });
  }

  const usable = (): Error | undefined => broken ?? (closing ? new Error('tally pool is closed') : undefined);

  const request = (ciphertexts: string[], partials?: StoredPartial[][]): Promise<WorkerReply> => {
    const unusable = usable();
    if (unusable) return Promise.reject(unusable);
    if (ciphertexts.length === 0) return Promise.resolve({ id: -1, ballots: [] });
    return new Promise<WorkerReply>((resolve, reject) => {
      queue.push({ request: { id: nextId++, ciphertexts, ...(partials && { partials }) }, resolve, reject });
      dispatch();
    });
  };

  return {
    size,
    open: async (ciphertexts) => (await request(ciphertexts)).ballots,
    openWithPartials: request,
    work() {
      return slots.map((s) => ({ ballots: s.ballots, cpuSeconds: s.cpuNanos === undefined ? undefined : s.cpuNanos / 1e9 }));
    },
    probeRaw(millis) {
      const unusable = usable();
      if (unusable) return Promise.reject(unusable);
      if (!init.measureCpu) return Promise.reject(new Error('raw probes need a pool created with measureCpu'));
      if (queue.length > 0 || slots.some((s) => s.running.size > 0)) return Promise.reject(new Error('raw probes need an idle pool'));
      return Promise.all(
        slots.map(
          (slot) =>
            new Promise<RawProbe>((resolve, reject) => {
              const request: WorkerRequest = { id: nextId++, rawProbeMillis: millis };
              const done = (reply: WorkerReply) => {
                const raw = reply.raw ?? { ops: 0, wallMillis: 0 };
                resolve({ ops: raw.ops, seconds: raw.wallMillis / 1000, cpuSeconds: reply.cpuNanos === undefined ? undefined : reply.cpuNanos / 1e9 });
              };
              send(slot, { request, resolve: done, reject });
            }),
        ),
      );
    },
    async close() {
      if (closing) return;
      closing = true;
      fail(new Error('tally pool is closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
