/**
 * The raw limit of N threads, measured rather than assumed: N worker threads run the bare RSA
 * private operation at the same time, and their rates add up. On a shared machine N threads get
 * what the machine gives them at that moment, which is what a same-run ratio needs.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../src/runtime/worker-thread.ts';

export interface RawThreadsProbe {
  /** Sum of the threads' ops per second of wall time. */
  rate: number;
  /** Mean thread-CPU µs per op (undefined off Linux). */
  cpuMicrosPerOp: number | undefined;
}

export interface RawThreads {
  probe(millis: number): Promise<RawThreadsProbe>;
  close(): Promise<void>;
}

interface ThreadReport {
  ops: number;
  wallMillis: number;
  cpuNanos: number | undefined;
}

const once = <T>(w: Worker): Promise<T> =>
  new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });

export async function startRawThreads(pkcs8: Uint8Array, threads: number): Promise<RawThreads> {
  const workers = Array.from({ length: threads }, () => startWorkerThread(new URL('./raw-thread.ts', import.meta.url), { workerData: pkcs8 }));
  await Promise.all(workers.map((w) => once<string>(w)));
  return {
    async probe(millis) {
      const reports = await Promise.all(
        workers.map((w) => {
          const reply = once<ThreadReport>(w);
          w.postMessage(millis);
          return reply;
        }),
      );
      const ops = reports.reduce((n, r) => n + r.ops, 0);
      const cpu = reports.every((r) => r.cpuNanos !== undefined) ? reports.reduce((n, r) => n + r.cpuNanos!, 0) / 1000 / ops : undefined;
      return { rate: reports.reduce((sum, r) => sum + r.ops / (r.wallMillis / 1000), 0), cpuMicrosPerOp: cpu };
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
