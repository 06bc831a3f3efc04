import { describe, it, expect, afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { createRedisPubSub } from '../../src/pubsub/redis-pubsub.ts';
import type { PubSub } from '../../src/pubsub/port.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `evote-test-pubsub-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;

/** Collects messages until `count` arrived (or fails after a timeout). */
function collector(count: number, timeoutMs = 5_000) {
  const got: unknown[] = [];
  let resolve!: (v: unknown[]) => void;
  const done = new Promise<unknown[]>((r) => (resolve = r));
  const timer = setTimeout(() => resolve(got), timeoutMs);
  return {
    got,
    done,
    push(m: unknown) {
      got.push(m);
      if (got.length === count) {
        clearTimeout(timer);
        resolve(got);
      }
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('memory pub/sub', () => {
  it('delivers JSON copies in publish order and isolates a throwing subscriber', async () => {
    const ps = createMemoryPubSub();
    const c = collector(100);
    await ps.subscribe('ch', () => {
      throw new Error('bad subscriber');
    });
    await ps.subscribe('ch', (m) => c.push(m));
    const original = { n: -1, at: new Date(0) };
    await ps.publish('ch', original);
    original.n = 999;
    for (let i = 0; i < 99; i++) await ps.publish('ch', { n: i });
    const got = await c.done;
    expect(got[0]).toEqual({ n: -1, at: '1970-01-01T00:00:00.000Z' });
    expect(got.slice(1).map((m) => (m as { n: number }).n)).toEqual([...Array(99).keys()]);
    await ps.close();
  });

  it('stops delivering after unsubscribe and keeps channels apart', async () => {
    const ps = createMemoryPubSub();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const unsubA = await ps.subscribe('a', (m) => a.push(m));
    await ps.subscribe('b', (m) => b.push(m));
    await ps.publish('a', 1);
    await ps.publish('b', 2);
    await sleep(0);
    await unsubA();
    await ps.publish('a', 3);
    await sleep(0);
    expect(a).toEqual([1]);
    expect(b).toEqual([2]);
    await ps.close();
  });
});

describe('redis pub/sub across two processes', () => {
  const instances: PubSub[] = [];
  afterAll(async () => {
    await Promise.all(instances.map((p) => p.close()));
  });

  it('a message published on one instance reaches subscribers of both, in order', async () => {
    const one = createRedisPubSub(REDIS_URL, { prefix: PREFIX });
    const two = createRedisPubSub(REDIS_URL, { prefix: PREFIX });
    instances.push(one, two);
    const N = 500;
    const onOne = collector(N);
    const onTwo = collector(N);
    await one.subscribe('election:x', (m) => onOne.push(m));
    await two.subscribe('election:x', (m) => onTwo.push(m));
    await Promise.all(Array.from({ length: N }, (_, i) => one.publish('election:x', { seq: i, text: `m${i}` })));
    const [gotOne, gotTwo] = await Promise.all([onOne.done, onTwo.done]);
    const expected = Array.from({ length: N }, (_, i) => ({ seq: i, text: `m${i}` }));
    expect(gotOne).toEqual(expected);
    expect(gotTwo).toEqual(expected);
  });

  it('drops a malformed message without breaking the subscription, and honours the prefix', async () => {
    const ps = createRedisPubSub(REDIS_URL, { prefix: PREFIX });
    instances.push(ps);
    const c = collector(2);
    await ps.subscribe('chan', (m) => c.push(m));
    const raw = new Redis(REDIS_URL);
    try {
      await raw.publish(`${PREFIX}chan`, '{not json');
      // Same channel name without our prefix: another deployment's traffic, must not arrive.
      await raw.publish('chan', JSON.stringify({ foreign: true }));
      await ps.publish('chan', { ok: 1 });
      await ps.publish('chan', { ok: 2 });
      expect(await c.done).toEqual([{ ok: 1 }, { ok: 2 }]);
    } finally {
      raw.disconnect();
    }
  });

  it('unsubscribe stops delivery while other channels keep flowing', async () => {
    const ps = createRedisPubSub(REDIS_URL, { prefix: PREFIX });
    instances.push(ps);
    const a: unknown[] = [];
    const b = collector(2);
    const unsubA = await ps.subscribe('a', (m) => a.push(m));
    await ps.subscribe('b', (m) => b.push(m));
    await ps.publish('a', 'first');
    await ps.publish('b', 'b1');
    await sleep(100);
    await unsubA();
    await ps.publish('a', 'second');
    await ps.publish('b', 'b2');
    expect(await b.done).toEqual(['b1', 'b2']);
    expect(a).toEqual(['first']);
  });
});
