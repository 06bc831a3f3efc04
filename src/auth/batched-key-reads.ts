/**
 * Key-store reads gathered into batches: every `get` asked for while the previous batch is in
 * flight, or in the same event-loop turn, is answered by a single `getMany` (one SQL query). Under
 * a burst of logins this replaces one PostgreSQL round trip per level 1 (a query, a pooled
 * connection, a socket write and read, the driver's parsing) by one per batch: the busier the
 * server, the larger the batches, as ioredis's auto-pipelining does for Redis. An idle server
 * answers a lone read in the turn it was asked in. Nothing is cached: each read goes to the store,
 * so a deleted credential is gone at once.
 */
import { assertKeyName, type KeyStore } from '../keystore/port.ts';

export interface KeyReader {
  get(name: string): Promise<Uint8Array | undefined>;
}

interface Waiter {
  name: string;
  resolve(secret: Uint8Array | undefined): void;
  reject(err: unknown): void;
}

export function batchedKeyReads(keyStore: Pick<KeyStore, 'getMany'>): KeyReader {
  let waiting: Waiter[] = [];
  let scheduled = false;
  let inFlight = false;

  const flush = () => {
    scheduled = false;
    if (inFlight || waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    inFlight = true;
    keyStore
      .getMany(batch.map((w) => w.name))
      .then(
        (found) => {
          for (const w of batch) w.resolve(found.get(w.name));
        },
        (err: unknown) => {
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => {
        inFlight = false;
        // What arrived meanwhile goes now, one batch.
        flush();
      });
  };

  return {
    get(name) {
      return new Promise((resolve, reject) => {
        // A name the store would refuse fails its own read here, not the whole batch it would join.
        assertKeyName(name);
        waiting.push({ name, resolve, reject });
        if (!scheduled && !inFlight) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
