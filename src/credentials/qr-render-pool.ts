/**
 * Renders credential QR PNGs on worker threads, byte for byte what qr.ts renders inline. A worker
 * that fails makes the pool render inline, never lose a letter (docs/credentials.md).
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../runtime/worker-thread.ts';
import { availableParallelism } from 'node:os';
import { credentialQrModules, qrModulesPng } from './qr.ts';
import type { RenderReply } from './qr-render-worker.ts';

export interface QrRenderer {
  render(uri: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** The inline renderer: same output, on the calling thread. */
export const inlineQrRenderer: QrRenderer = {
  render: async (uri) => qrModulesPng(credentialQrModules(uri)),
  close: async () => {},
};

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

interface Job {
  uri: string;
  resolve(png: Buffer): void;
}

interface PoolWorker {
  worker: Worker;
  /** Jobs waiting for this worker's current request to come back. */
  queued: Job[];
  inFlight: Map<number, Job[]>;
  load: number;
  dead: boolean;
}

/** Jobs per message at most: enough to amortise messaging, small enough to keep every worker busy. */
const MAX_PER_MESSAGE = 16;

// One core is left to the calling thread, which mails the letters (and serves the gateway).
export function createQrRenderPool(size = Math.max(1, availableParallelism() - 1)): QrRenderer {
  let nextId = 0;
  const renderInline = (jobs: Job[]) => {
    for (const j of jobs) j.resolve(qrModulesPng(credentialQrModules(j.uri)));
  };

  const send = (w: PoolWorker) => {
    if (w.dead || w.queued.length === 0 || w.inFlight.size > 0) return;
    const jobs = w.queued.splice(0, MAX_PER_MESSAGE);
    const id = nextId++;
    w.inFlight.set(id, jobs);
    w.worker.postMessage({ id, uris: jobs.map((j) => j.uri) });
  };

  const workers: PoolWorker[] = Array.from({ length: Math.max(1, size) }, () => {
    const w: PoolWorker = { worker: startWorkerThread(new URL('./qr-render-worker.ts', import.meta.url)), queued: [], inFlight: new Map(), load: 0, dead: false };
    w.worker.on('message', (msg: RenderReply) => {
      const jobs = w.inFlight.get(msg.id) ?? [];
      w.inFlight.delete(msg.id);
      w.load -= jobs.length;
      // The PNG bytes were transferred, not copied: wrap them without another copy.
      if (msg.pngs && msg.pngs.length === jobs.length) jobs.forEach((j, i) => j.resolve(asBuffer((msg.pngs as Uint8Array[])[i] as Uint8Array)));
      else renderInline(jobs);
      send(w);
    });
    const die = () => {
      if (w.dead) return;
      w.dead = true;
      // Nothing is lost: whatever this worker held is rendered here instead.
      const held = [...[...w.inFlight.values()].flat(), ...w.queued];
      w.inFlight.clear();
      w.queued = [];
      renderInline(held);
    };
    w.worker.on('error', die);
    w.worker.on('exit', die);
    return w;
  });

  return {
    render(uri) {
      return new Promise<Buffer>((resolve) => {
        const alive = workers.filter((w) => !w.dead);
        if (alive.length === 0) return resolve(qrModulesPng(credentialQrModules(uri)));
        const w = alive.reduce((a, b) => (b.load < a.load ? b : a));
        w.load++;
        w.queued.push({ uri, resolve });
        send(w);
      });
    },
    async close() {
      await Promise.all(
        workers.map(async (w) => {
          w.dead = true;
          await w.worker.terminate();
        }),
      );
    },
  };
}
