/**
 * In-process session store for embedded mode; entries expire on access and by a periodic sweep.
 * Each method body runs without interleaving, which makes the compound operations atomic.
 */
import type { CounterState, SessionEntry, SessionStore } from './session-store.ts';

interface Entry {
  value: string;
  expiresAt: number;
}

export interface MemorySessionStoreOptions {
  /** Milliseconds clock; injectable so tests can move time. Default Date.now. */
  now?: () => number;
  /** How often expired entries are swept. Default 30 s; 0 disables the sweep. */
  sweepIntervalMs?: number;
}

export function createMemorySessionStore(opts: MemorySessionStoreOptions = {}): SessionStore {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();

  const live = (key: string): Entry | undefined => {
    const e = entries.get(key);
    if (e && e.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  const positiveTtl = (ttlMs: number) => {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('a session TTL must be a positive number of milliseconds');
    return Math.ceil(ttlMs);
  };

  const sweepMs = opts.sweepIntervalMs ?? 30_000;
  const sweeper =
    sweepMs > 0
      ? setInterval(() => {
          const t = now();
          for (const [k, e] of entries) if (e.expiresAt <= t) entries.delete(k);
        }, sweepMs)
      : undefined;
  sweeper?.unref();

  const increment = (key: string, windowMs: number): CounterState => {
    const e = live(key);
    const t = now();
    if (!e) {
      const window = positiveTtl(windowMs);
      entries.set(key, { value: '1', expiresAt: t + window });
      return { count: 1, ttlMs: window };
    }
    const count = Number(e.value) + 1;
    e.value = String(count);
    return { count, ttlMs: e.expiresAt - t };
  };
  // Every TTL is checked before anything is written: all or nothing, as the Redis scripts.
  const checkedTtls = (list: readonly SessionEntry[]) => list.map((e) => positiveTtl(e.ttlMs));
  const writeAll = (list: readonly SessionEntry[], ttls: readonly number[]) => {
    list.forEach((e, i) => entries.set(e.key, { value: e.value, expiresAt: now() + ttls[i]! }));
  };

  return {
    async set(key, value, ttlMs) {
      entries.set(key, { value, expiresAt: now() + positiveTtl(ttlMs) });
    },
    async setAll(list) {
      writeAll(list, checkedTtls(list));
    },
    async takeThenSetAll(key, list) {
      const ttls = checkedTtls(list);
      if (!live(key)) return false;
      entries.delete(key);
      writeAll(list, ttls);
      return true;
    },
    async get(key) {
      return live(key)?.value;
    },
    async delete(...keys) {
      let n = 0;
      for (const k of keys) if (live(k) && entries.delete(k)) n++;
      return n;
    },
    async take(key) {
      const e = live(key);
      if (!e) return undefined;
      entries.delete(key);
      return e.value;
    },
    async compareAndSwap(key, expected, next, ttlMs) {
      const e = live(key);
      if (!e || e.value !== expected) return false;
      entries.set(key, { value: next, expiresAt: ttlMs === undefined ? e.expiresAt : now() + positiveTtl(ttlMs) });
      return true;
    },
    async incrementAll(counters) {
      counters.forEach((c) => positiveTtl(c.windowMs));
      return counters.map((c) => increment(c.key, c.windowMs));
    },
    async ping() {
      return true;
    },
    async close() {
      if (sweeper) clearInterval(sweeper);
      entries.clear();
    },
  };
}
