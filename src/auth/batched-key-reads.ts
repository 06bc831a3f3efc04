/**
 * Key-store reads gathered into batches: every `get` of one turn, or asked while a batch is in
 * flight, goes as one `getMany` (docs/auth.md). Nothing is cached: a deleted credential is gone at once.
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
