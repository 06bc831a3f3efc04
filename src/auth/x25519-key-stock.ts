/**
 * The server's ephemeral X25519 key pairs for level 3, made ahead of need on a worker thread.
 *
 * Generating one on the gateway's thread cost ~45-60 µs of its CPU per login, and that thread is
 * what bounds the login rate (docs/auth.md, "Throughput"); receiving one made elsewhere costs
 * ~4 µs. A key pair is still used for one login only and then dropped: only the moment it is made
 * moves, by at most a few seconds. The stock holds a few hundred private keys in memory, as
 * KeyObjects (never exported), which a server memory dump could read, exactly as it could read
 * the session keys it derives.
 *
 * When the stock is empty (a burst, or the worker cannot start or died) a pair is made inline:
 * logins never wait for the worker.
 */
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../app/ts-worker.ts';
import { generateX25519KeyPair, type X25519KeyPair } from '../crypto/x25519.ts';

export interface X25519KeySource {
  /** A fresh key pair, never handed out before. */
  next(): X25519KeyPair;
  /** Key pairs made ahead and not handed out yet. */
  stocked(): number;
  close(): Promise<void>;
}

/** The inline source: a key pair made on the spot. */
export const inlineX25519Keys: X25519KeySource = { next: generateX25519KeyPair, stocked: () => 0, close: async () => {} };

export interface X25519KeyStockOptions {
  /** A refill is asked for when the stock falls below this (default 256). */
  low?: number;
  /** Key pairs per refill (default 512). */
  batch?: number;
}

export function createX25519KeyStock(opts: X25519KeyStockOptions = {}): X25519KeySource {
  const low = opts.low ?? 256;
  const batch = opts.batch ?? 512;
  const stock: X25519KeyPair[] = [];
  let refilling = false;
  let worker: Worker | undefined;
  try {
    worker = startTsWorker(new URL('./x25519-key-worker.ts', import.meta.url));
  } catch {
    worker = undefined;
  }
  const stop = () => {
    worker = undefined;
  };
  worker?.on('message', (pairs: X25519KeyPair[]) => {
    refilling = false;
    stock.push(...pairs);
  });
  worker?.on('error', stop);
  worker?.on('exit', stop);
  // The worker must not keep a process alive that has nothing else to do.
  worker?.unref();

  const refill = () => {
    if (refilling || !worker || stock.length >= low) return;
    refilling = true;
    worker.postMessage(batch);
  };
  refill();

  return {
    next() {
      const pair = stock.pop() ?? generateX25519KeyPair();
      refill();
      return pair;
    },
    stocked: () => stock.length,
    async close() {
      const w = worker;
      stop();
      stock.length = 0;
      await w?.terminate();
    },
  };
}
