/**
 * One suite, both adapters: the in-memory store (embedded mode) and the Redis store on the real
 * Redis at 127.0.0.1:6379 (a random key prefix per run). TTLs are short and really elapse.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemorySessionStore } from '../../src/auth/memory-session-store.ts';
import { createRedisSessionStore } from '../../src/auth/redis-session-store.ts';
import { hashForKey, type SessionStore } from '../../src/auth/session-store.ts';
import { REDIS_URL } from '../support/system.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const adapters: [string, (prefix: string) => SessionStore][] = [
  ['memory', () => createMemorySessionStore({ sweepIntervalMs: 50 })],
  ['redis', (prefix) => createRedisSessionStore(REDIS_URL, { prefix })],
];

describe.each(adapters)('session store: %s', (name, make) => {
  const prefix = `evote-test-auth-${randomBytes(6).toString('hex')}:`;
  let store: SessionStore;
  beforeAll(() => {
    store = make(prefix);
  });
  afterAll(async () => {
    await store.close();
  });
  // One counter: the single-key case of incrementAll.
  const increment = async (key: string, windowMs: number) => (await store.incrementAll([{ key, windowMs }]))[0]!;

  it('sets, gets and deletes', async () => {
    await store.set('a', 'one', 10_000);
    await store.set('b', 'two', 10_000);
    expect(await store.get('a')).toBe('one');
    expect(await store.delete('a', 'b', 'absent')).toBe(2);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.ping()).toBe(true);
  });

  it('forgets an entry when its TTL elapses', async () => {
    // A second of TTL: on a loaded machine the read right after the write can take over 100 ms.
    await store.set('short', 'x', 1_000);
    expect(await store.get('short')).toBe('x');
    await sleep(1_500);
    expect(await store.get('short')).toBeUndefined();
    expect(await store.take('short')).toBeUndefined();
  });

  it('take is get-and-delete: of many concurrent takes exactly one gets the value', async () => {
    await store.set('once', 'secret-ish', 10_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.take('once')));
    expect(results.filter((r) => r === 'secret-ish')).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(19);
    expect(await store.get('once')).toBeUndefined();
  });

  it('compareAndSwap replaces only the expected value, and only one concurrent swap wins', async () => {
    await store.set('cas', 'v1', 10_000);
    expect(await store.compareAndSwap('cas', 'nope', 'v2')).toBe(false);
    expect(await store.get('cas')).toBe('v1');
    const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => store.compareAndSwap('cas', 'v1', `v2-${i}`)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await store.compareAndSwap('absent', 'v1', 'v2')).toBe(false);
    expect(await store.get('absent')).toBeUndefined();
  });

  it('compareAndSwap keeps the remaining TTL unless given a new one', async () => {
    await store.set('keep', 'a', 200);
    expect(await store.compareAndSwap('keep', 'a', 'b')).toBe(true);
    await sleep(320);
    expect(await store.get('keep')).toBeUndefined();

    await store.set('renew', 'a', 200);
    expect(await store.compareAndSwap('renew', 'a', 'b', 10_000)).toBe(true);
    await sleep(320);
    expect(await store.get('renew')).toBe('b');
  });

  it('increment counts in a fixed window that later increments do not extend', async () => {
    const first = await increment('ctr', 300);
    expect(first.count).toBe(1);
    expect(first.ttlMs).toBeGreaterThan(200);
    expect(first.ttlMs).toBeLessThanOrEqual(300);
    await sleep(150);
    const second = await increment('ctr', 300);
    expect(second.count).toBe(2);
    expect(second.ttlMs).toBeLessThanOrEqual(160);
    await sleep(250);
    expect((await increment('ctr', 300)).count).toBe(1);
  });

  it('concurrent increments are all counted', async () => {
    const counts = await Promise.all(Array.from({ length: 50 }, () => increment('many', 10_000)));
    expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('incrementAll counts every counter at once, each in its own window, in the order given', async () => {
    const first = await store.incrementAll([
      { key: 'all-a', windowMs: 300 },
      { key: 'all-b', windowMs: 10_000 },
    ]);
    expect(first.map((c) => c.count)).toEqual([1, 1]);
    expect(first[0]!.ttlMs).toBeLessThanOrEqual(300);
    expect(first[1]!.ttlMs).toBeGreaterThan(300);
    await increment('all-b', 10_000);
    const second = await store.incrementAll([
      { key: 'all-b', windowMs: 10_000 },
      { key: 'all-a', windowMs: 300 },
    ]);
    expect(second.map((c) => c.count)).toEqual([3, 2]);
    await sleep(400);
    // all-a's window ended: it starts over; all-b's did not.
    expect((await store.incrementAll([{ key: 'all-a', windowMs: 300 }, { key: 'all-b', windowMs: 10_000 }])).map((c) => c.count)).toEqual([1, 4]);
    expect(await store.incrementAll([])).toEqual([]);
  });

  it('concurrent incrementAll calls are all counted on every counter', async () => {
    const counts = await Promise.all(Array.from({ length: 40 }, () => store.incrementAll([{ key: 'pair-x', windowMs: 10_000 }, { key: 'pair-y', windowMs: 10_000 }])));
    const expected = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(counts.map((c) => c[0]!.count).sort((a, b) => a - b)).toEqual(expected);
    expect(counts.map((c) => c[1]!.count).sort((a, b) => a - b)).toEqual(expected);
  });

  it('setAll writes every entry with its own TTL', async () => {
    await store.set('sall-b', 'old', 10_000);
    await store.setAll([
      { key: 'sall-a', value: 'one', ttlMs: 150 },
      { key: 'sall-b', value: 'two', ttlMs: 10_000 },
    ]);
    expect(await store.get('sall-a')).toBe('one');
    expect(await store.get('sall-b')).toBe('two');
    await sleep(300);
    expect(await store.get('sall-a')).toBeUndefined();
    expect(await store.get('sall-b')).toBe('two');
    await expect(store.setAll([{ key: 'sall-c', value: 'x', ttlMs: 1_000 }, { key: 'sall-d', value: 'y', ttlMs: 0 }])).rejects.toThrow(RangeError);
    expect(await store.get('sall-c')).toBeUndefined();
  });

  it('takeThenSetAll writes the entries only when it takes the key, and only one of concurrent calls does', async () => {
    expect(await store.takeThenSetAll('tsa-absent', [{ key: 'tsa-x', value: 'x', ttlMs: 10_000 }])).toBe(false);
    expect(await store.get('tsa-x')).toBeUndefined();
    await store.set('tsa-key', 'session', 10_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.takeThenSetAll('tsa-key', [{ key: `tsa-${i}`, value: String(i), ttlMs: 150 }, { key: `tsa-long-${i}`, value: 'l', ttlMs: 10_000 }])),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.get('tsa-key')).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(await store.get(`tsa-${i}`)).toBe(i === winner ? String(i) : undefined);
    expect(await store.get(`tsa-long-${winner}`)).toBe('l');
    // Each entry keeps its own TTL.
    await sleep(300);
    expect(await store.get(`tsa-${winner}`)).toBeUndefined();
    expect(await store.get(`tsa-long-${winner}`)).toBe('l');
  });

  it('takeThenSetAll does not take an expired key', async () => {
    await store.set('tsa-short', 'session', 100);
    await sleep(250);
    expect(await store.takeThenSetAll('tsa-short', [{ key: 'tsa-late', value: 'x', ttlMs: 10_000 }])).toBe(false);
    expect(await store.get('tsa-late')).toBeUndefined();
  });

  it('refuses a non-positive TTL', async () => {
    await expect(store.set('bad', 'x', 0)).rejects.toThrow(RangeError);
  });

  if (name === 'redis') {
    it('really sets a PX TTL in Redis, under the prefix', async () => {
      const redis = new Redis(REDIS_URL);
      try {
        await store.set('ttl-check', 'x', 5_000);
        const pttl = await redis.pttl(`${prefix}ttl-check`);
        expect(pttl).toBeGreaterThan(4_000);
        expect(pttl).toBeLessThanOrEqual(5_000);
      } finally {
        await redis.quit();
      }
    });
  }
});

describe('hashForKey', () => {
  it('is SHA-256 base64url and never contains the secret', () => {
    const secret = randomBytes(32).toString('base64url');
    const h = hashForKey(secret);
    expect(h).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(h).not.toContain(secret.slice(0, 8));
    expect(hashForKey(secret)).toBe(h);
  });
});
