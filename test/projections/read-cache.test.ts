/**
 * The read cache's rules on their own: what invalidates an entry, what a settled entry still depends
 * on, the LRU bounds, and read-your-writes through `reflect`. The loads count how often the "database"
 * was asked; the cluster test (read-cache-cluster.test.ts) runs the same cache against the real one.
 */
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/eventstore/port.ts';
import { ReadCache, type CacheDependency } from '../../src/projections/read-cache.ts';

const event = (position: number, electionId: string): RecordedEvent =>
  ({ position, streamId: `ballot-${electionId}-x${position}`, type: 'BallotCast', data: { electionId }, revision: 0, recordedAt: new Date() }) as unknown as RecordedEvent;

function counter() {
  const loads: Record<string, number> = {};
  const cache = new ReadCache({ projections: ['votes', 'tally'] });
  const read = (key: string, deps: CacheDependency[], value: unknown = key, settled?: (v: unknown) => boolean) =>
    cache.read(
      key,
      deps,
      async () => {
        loads[key] = (loads[key] ?? 0) + 1;
        return value;
      },
      settled,
    );
  return { cache, loads, read };
}

describe('the read cache', () => {
  it('serves a read from memory until a batch of its election commits', async () => {
    const { cache, loads, read } = counter();
    const e1 = [{ projection: 'votes', electionId: 'e1' }];
    const e2 = [{ projection: 'votes', electionId: 'e2' }];
    await read('a', e1);
    await read('a', e1);
    await read('b', e2);
    expect(loads).toEqual({ a: 1, b: 1 });
    cache.applied('votes', [event(10, 'e1')], 10);
    await read('a', e1);
    await read('b', e2);
    expect(loads).toEqual({ a: 2, b: 1 });
    // Another projection's batch for the same election does not touch a votes read.
    cache.applied('tally', [event(11, 'e1')], 11);
    await read('a', e1);
    expect(loads.a).toBe(2);
  });

  it('keeps a settled value across batches but not across a worker restart', async () => {
    const { cache, loads, read } = counter();
    const deps: CacheDependency[] = [{ projection: 'votes', electionId: 'e1', untilSettled: true }, { projection: 'votes' }];
    await read('full', deps, { next: 5 }, () => true);
    await read('open', deps, { next: null }, () => false);
    cache.applied('votes', [event(10, 'e1')], 10);
    await read('full', deps, { next: 5 }, () => true);
    await read('open', deps, { next: null }, () => false);
    expect(loads).toEqual({ full: 1, open: 2 });
    cache.restarted('votes', 10);
    await read('full', deps, { next: 5 }, () => true);
    expect(loads.full).toBe(2);
  });

  it('does not keep a value loaded across an invalidation, nor share such a load', async () => {
    const cache = new ReadCache({ projections: ['votes'] });
    const deps = [{ projection: 'votes', electionId: 'e1' }];
    let release!: () => void;
    const slow = cache.read('k', deps, () => new Promise<string>((r) => (release = () => r('old'))));
    cache.applied('votes', [event(10, 'e1')], 10);
    // A read after the invalidation does not join the load that started before it.
    const fresh = cache.read('k', deps, async () => 'new');
    release();
    expect(await slow).toBe('old');
    expect(await fresh).toBe('new');
    expect(await cache.read('k', deps, async () => 'reloaded')).toBe('new');
    // The stale load finished last but was stored under the old generation: not served.
    let loads = 0;
    const cache2 = new ReadCache({ projections: ['votes'] });
    let release2!: () => void;
    const slow2 = cache2.read('k', deps, () => new Promise<string>((r) => (release2 = () => r('old'))));
    cache2.applied('votes', [event(10, 'e1')], 10);
    release2();
    await slow2;
    expect(await cache2.read('k', deps, async () => (loads++, 'new'))).toBe('new');
    expect(loads).toBe(1);
  });

  it('a notification invalidates unless this process already passed its position', async () => {
    const { cache, loads, read } = counter();
    const deps = [{ projection: 'votes', electionId: 'e1' }];
    cache.applied('votes', [], 20);
    await read('k', deps);
    cache.notified('votes', 'e1', 15);
    await read('k', deps);
    expect(loads.k).toBe(1);
    cache.notified('votes', 'e1', 25);
    await read('k', deps);
    expect(loads.k).toBe(2);
  });

  it('is bounded in entries and bytes, evicting the least recently used', async () => {
    const cache = new ReadCache({ projections: ['votes'], maxEntries: 3, maxBytes: 10_000 });
    const deps = [{ projection: 'votes', electionId: 'e1' }];
    let loads = 0;
    const read = (key: string, value: unknown = key) => cache.read(key, deps, async () => (loads++, value));
    for (const k of ['a', 'b', 'c']) await read(k);
    await read('a'); // a is now the most recent
    await read('d'); // evicts b
    expect(cache.stats().entries).toBe(3);
    loads = 0;
    await read('a');
    await read('c');
    await read('d');
    expect(loads).toBe(0);
    await read('b');
    expect(loads).toBe(1);

    const small = new ReadCache({ projections: ['votes'], maxEntries: 1000, maxBytes: 2_000 });
    for (let i = 0; i < 50; i++) await small.read(`k${i}`, deps, async () => 'x'.repeat(300));
    expect(small.stats().bytes).toBeLessThanOrEqual(2_000);
    expect(small.stats().entries).toBeLessThanOrEqual(6);
    // A value larger than the whole cache is served but not kept.
    await small.read('huge', deps, async () => 'x'.repeat(5_000));
    expect(small.stats().bytes).toBeLessThanOrEqual(2_000);
  });

  it('shares cached values frozen, so no reader can change another one', async () => {
    const { read } = counter();
    const v = (await read('obj', [{ projection: 'votes', electionId: 'e1' }], { ballots: [{ status: null }] })) as { ballots: { status: null }[] };
    expect(Object.isFrozen(v) && Object.isFrozen(v.ballots[0])).toBe(true);
  });

  it('reflect(p): waits for its own workers to pass p, else drops what they have not passed', async () => {
    const { cache, loads, read } = counter();
    const votes = [{ projection: 'votes', electionId: 'e1' }];
    const tally = [{ projection: 'tally', electionId: 'e1' }];
    cache.applied('votes', [], 5);
    cache.applied('tally', [], 5);
    await read('v', votes);
    await read('t', tally);
    // The votes worker passes 9 while reflect waits; the tally worker never does.
    setTimeout(() => cache.applied('votes', [], 9), 20);
    await cache.reflect(9, 200);
    await read('v', votes);
    await read('t', tally);
    expect(loads).toEqual({ v: 1, t: 2 });
  });
});
