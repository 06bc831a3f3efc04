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
  /** Where agreements run now: on the worker, or inline (it could not start, died, or was closed). */
  where(): 'worker' | 'inline';
  close(): Promise<void>;
}

/** The one definition of the work, on whichever thread runs it. */
export function agreeWithFreshKey(peer: Uint8Array): CryptoResult<Agreement> {
  const own = generateX25519KeyPair();
  const secret = x25519SharedSecret(own.privateKey, peer);
  return secret.ok ? { ok: true, value: { publicKey: own.publicKey, secret: secret.value } } : secret;
}

export const inlineX25519Agreement: X25519Agreement = { agree: async (peer) => agreeWithFreshKey(peer), where: () => 'inline', close: async () => {} };

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

export function createX25519Agreement(): X25519Agreement {
  let worker: Worker | undefined;
  try {
    worker = startWorkerThread(new URL('./x25519-agreement-worker.ts', import.meta.url));
  } catch {
    worker = undefined;
  }
  let queue: Waiting[] = [];
  let nextId = 0;
  const sent = new Map<number, Waiting[]>();

  const inline = (waiting: Waiting[]) => {
    for (const w of waiting) w.resolve(agreeWithFreshKey(w.peer));
  };
  const stop = () => {
    worker = undefined;
    for (const batch of sent.values()) inline(batch);
    sent.clear();
  };
  worker?.on('message', (reply: AgreementReply) => {
    const batch = sent.get(reply.id);
    sent.delete(reply.id);
    batch?.forEach((w, i) => w.resolve(reply.results[i] as CryptoResult<Agreement>));
  });
  worker?.on('error', stop);
  worker?.on('exit', stop);

  const flush = () => {
    const batch = queue;
    queue = [];
    if (!worker) return inline(batch);
    const id = nextId++;
    sent.set(id, batch);
    worker.postMessage({ id, peers: batch.map((w) => w.peer) } satisfies AgreementBatch);
  };
  // The worker must not keep a process alive that has nothing else to do.
  worker?.unref();

  return {
    agree(peer) {
      return new Promise((resolve) => {
        queue.push({ peer, resolve });
        // Every request of this event-loop turn (the frames uWS delivered together) in one message.
        if (queue.length === 1) setImmediate(flush);
      });
    },
    where: () => (worker ? 'worker' : 'inline'),
    async close() {
      const w = worker;
      stop();
      await w?.terminate();
    },
  };
}
