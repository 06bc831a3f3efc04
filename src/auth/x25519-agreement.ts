/**
 * The server's half of level 3's X25519 agreement, on a worker thread to spare the gateway's
 * (figures in docs/auth.md); inline when the worker cannot start or has died.
 */
import type { Worker } from 'node:worker_threads';
import { startWorkerThread } from '../runtime/worker-thread.ts';
import type { CryptoResult } from '../crypto/errors.ts';
import { generateX25519KeyPair, x25519SharedSecret } from '../crypto/x25519.ts';

export interface Agreement {
  /** The server's public key for this login (raw 32 bytes). */
  publicKey: Uint8Array;
  /** X25519(server private key, client public key): feed it to HKDF, never use it as a key. */
  secret: Uint8Array;
}

export interface X25519Agreement {
  /** A fresh server key pair's agreement with `peer`; INVALID_PUBLIC_KEY for a small-order key. */
  agree(peer: Uint8Array): Promise<CryptoResult<Agreement>>;
  /** Where agreements run: on the worker (running or started on demand), or inline (it could not start, died, or was closed). */
  where(): 'worker' | 'inline';
  /** Whether a worker thread is up now (it is ended when idle). */
  running(): boolean;
  close(): Promise<void>;
}

/** The one definition of the work, on whichever thread runs it. */
export function agreeWithFreshKey(peer: Uint8Array): CryptoResult<Agreement> {
  const own = generateX25519KeyPair();
  const secret = x25519SharedSecret(own.privateKey, peer);
  return secret.ok ? { ok: true, value: { publicKey: own.publicKey, secret: secret.value } } : secret;
}

export const inlineX25519Agreement: X25519Agreement = { agree: async (peer) => agreeWithFreshKey(peer), where: () => 'inline', running: () => false, close: async () => {} };

export interface AgreementBatch {
  id: number;
  peers: Uint8Array[];
}

export interface AgreementReply {
  id: number;
  results: CryptoResult<Agreement>[];
}

interface Waiting {
  peer: Uint8Array;
  resolve(result: CryptoResult<Agreement>): void;
}

/** Quiet time after which the worker is ended; the next login starts another (~50 ms, overlapping its batch). */
export const X25519_WORKER_IDLE_MS = 10_000;

/**
 * Agreements on a worker thread started at the first login and ended after `idleMs` without one,
 * so an idle server holds no thread for it (docs/operations.md, "Memory").
 */
export function createX25519Agreement(opts: { idleMs?: number } = {}): X25519Agreement {
  const idleMs = opts.idleMs ?? X25519_WORKER_IDLE_MS;
  let worker: Worker | undefined;
  /** Closed, or the worker failed: inline from then on. */
  let inlineOnly = false;
  let idleTimer: NodeJS.Timeout | undefined;
  let queue: Waiting[] = [];
  let nextId = 0;
  const sent = new Map<number, Waiting[]>();

  const inline = (waiting: Waiting[]) => {
    for (const w of waiting) w.resolve(agreeWithFreshKey(w.peer));
  };
  const stop = () => {
    inlineOnly = true;
    worker = undefined;
    clearTimeout(idleTimer);
    for (const batch of sent.values()) inline(batch);
    sent.clear();
  };
  const retire = () => {
    idleTimer = undefined;
    const w = worker;
    if (!w || sent.size > 0 || queue.length > 0) return;
    worker = undefined;
    // Ended on purpose: its exit is not a failure.
    w.removeAllListeners();
    void w.terminate();
  };
  const start = (): Worker | undefined => {
    try {
      const w = startWorkerThread(new URL('./x25519-agreement-worker.ts', import.meta.url));
      w.on('message', (reply: AgreementReply) => {
        const batch = sent.get(reply.id);
        sent.delete(reply.id);
        batch?.forEach((waiting, i) => waiting.resolve(reply.results[i] as CryptoResult<Agreement>));
        if (sent.size === 0 && queue.length === 0 && !idleTimer) idleTimer = setTimeout(retire, idleMs).unref();
      });
      w.on('error', stop);
      w.on('exit', stop);
      // The worker must not keep a process alive that has nothing else to do.
      w.unref();
      return w;
    } catch {
      inlineOnly = true;
      return undefined;
    }
  };

  const flush = () => {
    const batch = queue;
    queue = [];
    if (!inlineOnly && !worker) worker = start();
    if (!worker) return inline(batch);
    const id = nextId++;
    sent.set(id, batch);
    worker.postMessage({ id, peers: batch.map((w) => w.peer) } satisfies AgreementBatch);
  };

  return {
    agree(peer) {
      clearTimeout(idleTimer);
      idleTimer = undefined;
      return new Promise((resolve) => {
        queue.push({ peer, resolve });
        // Every request of this event-loop turn (the frames uWS delivered together) in one message.
        if (queue.length === 1) setImmediate(flush);
      });
    },
    where: () => (inlineOnly ? 'inline' : 'worker'),
    running: () => worker !== undefined,
    async close() {
      const w = worker;
      stop();
      await w?.terminate();
    },
  };
}
