/**
 * Client applications' HMAC keys for level 2, cached in process for a few seconds (docs/auth.md);
 * revocation and registration evict at once, in every process (src/app/features/auth.ts).
 */
import type { KeyStore } from '../keystore/port.ts';
import { keyNames } from '../keystore/port.ts';

export interface ClientKeys {
  /** The app's key, or undefined for an unknown or revoked app. */
  get(clientId: string): Promise<Uint8Array | undefined>;
  evict(clientId: string): void;
}

const MAX_ENTRIES = 10_000;

export function createClientKeys(keyStore: KeyStore, opts: { ttlMs: number; now?: () => number }): ClientKeys {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { key: Uint8Array | undefined; until: number }>();
  const inflight = new Map<string, Promise<Uint8Array | undefined>>();
  /** Bumped by evict, so a read that started before a revocation is not cached after it. */
  const generation = new Map<string, number>();

  async function load(clientId: string): Promise<Uint8Array | undefined> {
    const gen = generation.get(clientId) ?? 0;
    const key = await keyStore.get(keyNames.client(clientId));
    if ((generation.get(clientId) ?? 0) === gen && opts.ttlMs > 0) {
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(clientId, { key, until: now() + opts.ttlMs });
    }
    return key;
  }

  return {
    get(clientId) {
      const hit = cache.get(clientId);
      if (hit && hit.until > now()) return Promise.resolve(hit.key);
      let pending = inflight.get(clientId);
      if (!pending) {
        const p: Promise<Uint8Array | undefined> = load(clientId).finally(() => {
          if (inflight.get(clientId) === p) inflight.delete(clientId);
        });
        inflight.set(clientId, p);
        pending = p;
      }
      return pending;
    },
    evict(clientId) {
      cache.delete(clientId);
      inflight.delete(clientId);
      generation.set(clientId, (generation.get(clientId) ?? 0) + 1);
    },
  };
}
