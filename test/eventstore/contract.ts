/**
 * The event-store contract: every adapter's test file runs this suite against its own store.
 * The factory's store may already hold events (a shared database, EventStoreDB's system streams),
 * so every test works on streams and event types carrying this run's random tag, and reads the
 * log from the head position it observed before writing.
 */
import { randomUUID } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { isWrongExpectedRevision, readStreams, WrongExpectedRevisionError } from '../../src/eventstore/port.ts';
import type { EventData, EventStore, EventSubscription, ExpectedRevision, RecordedEvent } from '../../src/eventstore/port.ts';

type Factory = () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>;

const NOTHING_MORE_MS = 300;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Pulls from one iterator of a subscription (adapters need not support several iterators). */
function reader(sub: EventSubscription) {
  const it = sub[Symbol.asyncIterator]();
  // A pull that poll() gave up waiting for stays here until someone consumes its result.
  let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
  const peek = () => (pending ??= it.next());
  const next = async () => {
    const r = await peek();
    pending = undefined;
    return r;
  };
  return {
    async take(n: number, timeoutMs = 10_000): Promise<RecordedEvent[]> {
      const out: RecordedEvent[] = [];
      while (out.length < n) {
        const r = await withTimeout(next(), timeoutMs, `event ${out.length + 1} of ${n}`);
        if (r.done) break;
        out.push(r.value);
      }
      return out;
    },
    /** 'nothing' when no event arrives within `ms` (the pending pull stays for the next call). */
    async poll(ms = NOTHING_MORE_MS): Promise<RecordedEvent | 'nothing' | 'done'> {
      const r = await Promise.race([peek(), new Promise<'nothing'>((resolve) => setTimeout(() => resolve('nothing'), ms))]);
      if (r === 'nothing') return r;
      pending = undefined;
      return r.done ? 'done' : r.value;
    },
    next,
  };
}

async function expectConflict(
  work: Promise<unknown>,
  expected: { streamId: string; expected: ExpectedRevision; actual: number | 'no_stream' },
): Promise<void> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the append should have been refused').toBeInstanceOf(WrongExpectedRevisionError);
  expect(isWrongExpectedRevision(err)).toBe(true);
  const conflict = err as WrongExpectedRevisionError;
  expect({ code: conflict.code, streamId: conflict.streamId, expected: conflict.expected, actual: conflict.actual }).toEqual({
    code: 'WRONG_EXPECTED_REVISION',
    ...expected,
  });
}

function strictlyIncreasing(positions: number[]): boolean {
  return positions.every((p, i) => i === 0 || p > (positions[i - 1] as number));
}

/** Every event of the filter after `from`, paging through readAll. */
async function readAllAfter(store: EventStore, from: number, filter: { streamPrefixes?: string[]; eventTypes?: string[] }) {
  const out: RecordedEvent[] = [];
  let cursor = from;
  for (;;) {
    const page = await store.readAll({ fromPosition: cursor, limit: 500, filter });
    out.push(...page);
    const last = page[page.length - 1];
    if (!last) return out;
    cursor = last.position;
  }
}

export function eventStoreContract(name: string, factory: Factory): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void> = async () => {};
    const run = `c${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    let n = 0;
    const stream = (label: string) => `${run}-${label}-${++n}`;
    const ev = (type: string, data: unknown = {}, extra: Partial<EventData> = {}): EventData => ({ type, data, ...extra });
    /** Adapters whose appendMany is one transaction and that recognise replays by event id. */
    const transactional = () => store.kind === 'postgres' || store.kind === 'pglite';

    beforeAll(async () => {
      ({ store, cleanup } = await factory());
    });
    afterAll(async () => {
      await store?.close();
      await cleanup();
    });

    describe('append and readStream', () => {
      it('appends to a new stream with no_stream and reads the events back in revision order', async () => {
        const s = stream('new');
        const data = { text: 'héllo ✓', n: 42, nested: { list: [1, null, 'x'] }, flag: true };
        const result = await store.append(s, [ev('A', data, { metadata: { correlationId: 'k1' } }), ev('B', null), ev('C', [1, 2])], {
          expectedRevision: 'no_stream',
        });
        expect(result.nextExpectedRevision).toBe(2);
        const events = await store.readStream(s);
        expect(events.map((e) => [e.streamId, e.revision, e.type])).toEqual([
          [s, 0, 'A'],
          [s, 1, 'B'],
          [s, 2, 'C'],
        ]);
        expect(events[0]?.data).toEqual(data);
        expect(events[0]?.metadata).toEqual({ correlationId: 'k1' });
        expect(events[1]?.data).toBeNull();
        expect(events[2]?.data).toEqual([1, 2]);
        expect(events[1]?.metadata).toEqual({});
        expect(events[2]?.position).toBe(result.position);
        expect(strictlyIncreasing(events.map((e) => e.position))).toBe(true);
        for (const e of events) {
          expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
          expect(e.recordedAt).toBeInstanceOf(Date);
          expect(Math.abs(e.recordedAt.getTime() - Date.now())).toBeLessThan(5 * 60_000);
        }
        expect(new Set(events.map((e) => e.id)).size).toBe(3);
      });

      it('reads several streams at once as readStream reads each (readStreams, with or without readManyStreams)', async () => {
        const a = stream('many-a');
        const b = stream('many-b');
        await store.append(a, [ev('A'), ev('B')], { expectedRevision: 'no_stream' });
        await store.append(b, [ev('C')], { expectedRevision: 'no_stream' });
        const missing = stream('many-missing');
        const many = await readStreams(store, [b, missing, a]);
        expect([...many.keys()].sort()).toEqual([a, b, missing].sort());
        for (const id of [a, b, missing]) expect(many.get(id)).toEqual(await store.readStream(id));
      });

      it('keeps the caller-supplied event id', async () => {
        const s = stream('id');
        const id = randomUUID();
        await store.append(s, [ev('A', {}, { id })], { expectedRevision: 'no_stream' });
        expect((await store.readStream(s))[0]?.id).toBe(id);
      });

      it('refuses no_stream on an existing stream with a typed conflict', async () => {
        const s = stream('exists');
        await store.append(s, [ev('A'), ev('B')], { expectedRevision: 'no_stream' });
        await expectConflict(store.append(s, [ev('C')], { expectedRevision: 'no_stream' }), { streamId: s, expected: 'no_stream', actual: 1 });
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it('appends at an exact revision and refuses a stale or premature one', async () => {
        const s = stream('exact');
        await store.append(s, [ev('A')], { expectedRevision: 'no_stream' });
        const r1 = await store.append(s, [ev('B'), ev('C')], { expectedRevision: 0 });
        expect(r1.nextExpectedRevision).toBe(2);
        await expectConflict(store.append(s, [ev('X')], { expectedRevision: 0 }), { streamId: s, expected: 0, actual: 2 });
        await expectConflict(store.append(s, [ev('X')], { expectedRevision: 5 }), { streamId: s, expected: 5, actual: 2 });
        const missing = stream('exact-missing');
        await expectConflict(store.append(missing, [ev('X')], { expectedRevision: 0 }), { streamId: missing, expected: 0, actual: 'no_stream' });
        expect(await store.readStream(missing)).toEqual([]);
        const r2 = await store.append(s, [ev('D')], { expectedRevision: 2 });
        expect(r2.nextExpectedRevision).toBe(3);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B', 'C', 'D']);
      });

      it('stream_exists requires at least one event', async () => {
        const s = stream('se');
        await expectConflict(store.append(s, [ev('A')], { expectedRevision: 'stream_exists' }), {
          streamId: s,
          expected: 'stream_exists',
          actual: 'no_stream',
        });
        await store.append(s, [ev('A')], { expectedRevision: 'no_stream' });
        const r = await store.append(s, [ev('B')], { expectedRevision: 'stream_exists' });
        expect(r.nextExpectedRevision).toBe(1);
      });

      it('any appends whatever the stream state', async () => {
        const s = stream('any');
        expect((await store.append(s, [ev('A')], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0);
        expect((await store.append(s, [ev('B'), ev('C')], { expectedRevision: 'any' })).nextExpectedRevision).toBe(2);
        expect((await store.readStream(s)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('readStream honours fromRevision and limit, and returns [] for a missing stream', async () => {
        const s = stream('page');
        await store.append(s, ['A', 'B', 'C', 'D', 'E'].map((t) => ev(t)), { expectedRevision: 'no_stream' });
        expect((await store.readStream(s, { fromRevision: 2 })).map((e) => e.type)).toEqual(['C', 'D', 'E']);
        expect((await store.readStream(s, { fromRevision: 1, limit: 2 })).map((e) => e.type)).toEqual(['B', 'C']);
        expect((await store.readStream(s, { limit: 1 })).map((e) => e.type)).toEqual(['A']);
        expect(await store.readStream(s, { fromRevision: 5 })).toEqual([]);
        expect(await store.readStream(stream('never'))).toEqual([]);
      });

      it('positions strictly increase across appends and match the append results', async () => {
        const results = [];
        const streams = [stream('pos'), stream('pos')];
        for (let i = 0; i < 6; i++) {
          const s = streams[i % 2] as string;
          results.push(await store.append(s, [ev('P', { i })], { expectedRevision: 'any' }));
        }
        expect(strictlyIncreasing(results.map((r) => r.position))).toBe(true);
        const stored = [...(await store.readStream(streams[0] as string)), ...(await store.readStream(streams[1] as string))].sort(
          (a, b) => a.position - b.position,
        );
        expect(stored.map((e) => e.position)).toEqual(results.map((r) => r.position));
        expect(stored.map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(results[5]?.position ?? Infinity);
      });
    });

    describe('readAll', () => {
      it('returns events in position order after an exclusive fromPosition, up to limit', async () => {
        const from = await store.headPosition();
        const prefix = `${run}-all-`;
        const a = stream('all');
        const b = stream('all');
        await store.append(a, [ev('A1'), ev('A2')], { expectedRevision: 'no_stream' });
        await store.append(b, [ev('B1')], { expectedRevision: 'no_stream' });
        await store.append(a, [ev('A3')], { expectedRevision: 1 });
        const all = await store.readAll({ fromPosition: from, filter: { streamPrefixes: [prefix] } });
        expect(all.map((e) => e.type)).toEqual(['A1', 'A2', 'B1', 'A3']);
        expect(strictlyIncreasing(all.map((e) => e.position))).toBe(true);
        expect(all.every((e) => e.position > from)).toBe(true);

        const second = all[1] as RecordedEvent;
        const after = await store.readAll({ fromPosition: second.position, filter: { streamPrefixes: [prefix] } });
        expect(after.map((e) => e.type)).toEqual(['B1', 'A3']);
        const limited = await store.readAll({ fromPosition: from, limit: 2, filter: { streamPrefixes: [prefix] } });
        expect(limited.map((e) => e.type)).toEqual(['A1', 'A2']);
        expect(await store.readAll({ fromPosition: (all[3] as RecordedEvent).position, filter: { streamPrefixes: [prefix] } })).toEqual([]);
      });

      it('without a filter, returns the whole log in strictly increasing position, limit applied', async () => {
        await store.append(stream('unfiltered'), [ev('U')], { expectedRevision: 'no_stream' });
        const page = await store.readAll({ limit: 5 });
        expect(page.length).toBeGreaterThan(0);
        expect(page.length).toBeLessThanOrEqual(5);
        expect(strictlyIncreasing(page.map((e) => e.position))).toBe(true);
        const from = await store.headPosition();
        const s = stream('unfiltered');
        await store.append(s, [ev('U1'), ev('U2')], { expectedRevision: 'no_stream' });
        const mine = (await store.readAll({ fromPosition: from })).filter((e) => e.streamId === s);
        expect(mine.map((e) => e.type)).toEqual(['U1', 'U2']);
      });

      it('filters by stream prefix, treating % and _ in the prefix literally', async () => {
        const from = await store.headPosition();
        const base = `${run}-pfx-${++n}`;
        await store.append(`${base}_x%-1`, [ev('In1')], { expectedRevision: 'no_stream' });
        await store.append(`${base}Qx%-2`, [ev('Out_underscore')], { expectedRevision: 'no_stream' }); // matches if _ were a wildcard
        await store.append(`${base}_xz-3`, [ev('Out_percent')], { expectedRevision: 'no_stream' }); // matches if % were a wildcard
        await store.append(`${base}-other-4`, [ev('In2')], { expectedRevision: 'no_stream' });
        await store.append(`${base}_x%-5`, [ev('In3')], { expectedRevision: 'no_stream' });
        const one = await store.readAll({ fromPosition: from, filter: { streamPrefixes: [`${base}_x%`] } });
        expect(one.map((e) => e.type)).toEqual(['In1', 'In3']);
        const two = await store.readAll({ fromPosition: from, filter: { streamPrefixes: [`${base}_x%`, `${base}-other`] } });
        expect(two.map((e) => e.type)).toEqual(['In1', 'In2', 'In3']);
      });

      it('filters by event type, and by prefix and type together', async () => {
        const from = await store.headPosition();
        const t1 = `${run}Voted`;
        const t2 = `${run}Closed`;
        const s1 = stream('types');
        const s2 = `${run}-elsewhere-${++n}`;
        await store.append(s1, [ev(t1, { k: 1 }), ev('Noise'), ev(t2, { k: 2 })], { expectedRevision: 'no_stream' });
        await store.append(s2, [ev(t1, { k: 3 })], { expectedRevision: 'no_stream' });
        const byType = await store.readAll({ fromPosition: from, filter: { eventTypes: [t1] } });
        expect(byType.map((e) => (e.data as { k: number }).k)).toEqual([1, 3]);
        const byTypes = await store.readAll({ fromPosition: from, filter: { eventTypes: [t1, t2] } });
        expect(byTypes.map((e) => (e.data as { k: number }).k)).toEqual([1, 2, 3]);
        const both = await store.readAll({ fromPosition: from, filter: { eventTypes: [t1], streamPrefixes: [`${run}-types-`] } });
        expect(both.map((e) => (e.data as { k: number }).k)).toEqual([1]);
      });
    });

    describe('appendMany', () => {
      it('appends to several streams and returns one result per request', async () => {
        const a = stream('many');
        const b = stream('many');
        await store.append(b, [ev('B0')], { expectedRevision: 'no_stream' });
        const results = await store.appendMany([
          { streamId: a, events: [ev('A0'), ev('A1')], expectedRevision: 'no_stream' },
          { streamId: b, events: [ev('B1')], expectedRevision: 0 },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([1, 1]);
        expect(results[1]!.position).toBeGreaterThan(results[0]!.position);
        expect((await store.readStream(a)).map((e) => e.type)).toEqual(['A0', 'A1']);
        expect((await store.readStream(b)).map((e) => e.type)).toEqual(['B0', 'B1']);
      });

      it('refuses the whole call when its first request conflicts', async () => {
        const a = stream('many-first');
        const b = stream('many-first');
        await store.append(a, [ev('A0')], { expectedRevision: 'no_stream' });
        await expectConflict(
          store.appendMany([
            { streamId: a, events: [ev('X')], expectedRevision: 'no_stream' },
            { streamId: b, events: [ev('Y')], expectedRevision: 'no_stream' },
          ]),
          { streamId: a, expected: 'no_stream', actual: 0 },
        );
        expect((await store.readStream(a)).map((e) => e.type)).toEqual(['A0']);
        expect(await store.readStream(b)).toEqual([]);
      });

      it('is atomic: a conflict in a later request writes none of the earlier ones', async (ctx) => {
        if (!transactional()) ctx.skip(); // EventStoreDB appends the requests one after another (port.ts)
        const a = stream('many-atomic');
        const b = stream('many-atomic');
        const c = stream('many-atomic');
        await store.append(c, [ev('C0'), ev('C1')], { expectedRevision: 'no_stream' });
        const head = await store.headPosition();
        await expectConflict(
          store.appendMany([
            { streamId: a, events: [ev('X1'), ev('X2')], expectedRevision: 'no_stream' },
            { streamId: b, events: [ev('Y')], expectedRevision: 'any' },
            { streamId: c, events: [ev('Z')], expectedRevision: 0 },
          ]),
          { streamId: c, expected: 0, actual: 1 },
        );
        expect(await store.readStream(a)).toEqual([]);
        expect(await store.readStream(b)).toEqual([]);
        expect(await store.readStream(c)).toHaveLength(2);
        expect(await store.readAll({ fromPosition: head, filter: { streamPrefixes: [`${run}-many-atomic-`] } })).toEqual([]);
        // The streams are untouched, so the same writes succeed with the right expectations.
        await store.appendMany([
          { streamId: a, events: [ev('X1')], expectedRevision: 'no_stream' },
          { streamId: c, events: [ev('Z')], expectedRevision: 1 },
        ]);
        expect((await store.readStream(c)).map((e) => e.type)).toEqual(['C0', 'C1', 'Z']);
      });

      it('applies two requests to the same stream in order', async (ctx) => {
        if (!transactional()) ctx.skip();
        const a = stream('many-same');
        const results = await store.appendMany([
          { streamId: a, events: [ev('A0')], expectedRevision: 'no_stream' },
          { streamId: a, events: [ev('A1')], expectedRevision: 0 },
        ]);
        expect(results.map((r) => r.nextExpectedRevision)).toEqual([0, 1]);
        expect((await store.readStream(a)).map((e) => e.type)).toEqual(['A0', 'A1']);
      });
    });

    describe('idempotent replays', () => {
      it('a retried append with the same event ids at the same place returns the first result and writes nothing', async (ctx) => {
        if (!transactional()) ctx.skip();
        const s = stream('idem');
        const events = [ev('A', { v: 1 }, { id: randomUUID() }), ev('B', { v: 2 }, { id: randomUUID() })];
        const first = await store.append(s, events, { expectedRevision: 'no_stream' });
        const again = await store.append(s, events, { expectedRevision: 'no_stream' });
        expect(again).toEqual(first);
        await store.append(s, [ev('C')], { expectedRevision: 1 });
        expect(await store.append(s, events, { expectedRevision: 'no_stream' })).toEqual(first);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
        // The same ids at another place are not a replay.
        await expect(store.append(stream('idem-other'), events, { expectedRevision: 'any' })).rejects.toMatchObject({ code: 'DUPLICATE_EVENT_ID' });
      });
    });

    describe('subscribe', () => {
      it('catches up, then delivers live events, each once', async () => {
        const from = await store.headPosition();
        const s = stream('sub');
        await store.append(s, [ev('E0'), ev('E1'), ev('E2')], { expectedRevision: 'no_stream' });
        const sub = store.subscribe({ fromPosition: from, filter: { streamPrefixes: [`${run}-sub-`] } });
        const r = reader(sub);
        try {
          const caughtUp = await r.take(3);
          expect(caughtUp.map((e) => e.type)).toEqual(['E0', 'E1', 'E2']);
          expect(await r.poll()).toBe('nothing');
          await store.append(s, [ev('E3')], { expectedRevision: 2 });
          await store.append(s, [ev('E4')], { expectedRevision: 3 });
          const live = await r.take(2);
          expect(live.map((e) => e.type)).toEqual(['E3', 'E4']);
          expect(strictlyIncreasing([...caughtUp, ...live].map((e) => e.position))).toBe(true);
          expect(await r.poll()).toBe('nothing');
        } finally {
          await sub.close();
        }
      });

      it('resumes after a checkpoint, exclusive', async () => {
        const s = stream('resume');
        await store.append(s, [ev('R0'), ev('R1'), ev('R2'), ev('R3')], { expectedRevision: 'no_stream' });
        const stored = await store.readStream(s);
        const checkpoint = (stored[1] as RecordedEvent).position;
        const sub = store.subscribe({ fromPosition: checkpoint, filter: { streamPrefixes: [s] } });
        try {
          expect((await reader(sub).take(2)).map((e) => e.type)).toEqual(['R2', 'R3']);
        } finally {
          await sub.close();
        }
      });

      it('applies the filter to catch-up and live events', async () => {
        const from = await store.headPosition();
        const wanted = `${run}Wanted`;
        const s = stream('subfilter');
        await store.append(s, [ev('Other'), ev(wanted, { k: 1 }), ev('Other')], { expectedRevision: 'no_stream' });
        const sub = store.subscribe({ fromPosition: from, filter: { eventTypes: [wanted] } });
        const r = reader(sub);
        try {
          expect((await r.take(1)).map((e) => e.data)).toEqual([{ k: 1 }]);
          await store.append(s, [ev('Other'), ev(wanted, { k: 2 })], { expectedRevision: 2 });
          await store.append(stream('subfilter'), [ev(wanted, { k: 3 })], { expectedRevision: 'no_stream' });
          expect((await r.take(2)).map((e) => e.data)).toEqual([{ k: 2 }, { k: 3 }]);
          expect(await r.poll()).toBe('nothing');
        } finally {
          await sub.close();
        }
      });

      it('close() ends the iteration promptly, resolving a pending next() as done', async () => {
        const sub = store.subscribe({ fromPosition: await store.headPosition(), filter: { streamPrefixes: [`${run}-silence-`] } });
        const r = reader(sub);
        expect(await r.poll()).toBe('nothing');
        const started = Date.now();
        await sub.close();
        const result = await withTimeout(r.next(), 2_000, 'pending next() after close');
        expect(result.done).toBe(true);
        expect(Date.now() - started).toBeLessThan(2_000);
        expect((await withTimeout(r.next(), 2_000, 'next() after close')).done).toBe(true);
      });

      it('breaking out of for await closes the subscription', async () => {
        const s = stream('break');
        await store.append(s, [ev('B0'), ev('B1')], { expectedRevision: 'no_stream' });
        const sub = store.subscribe({ filter: { streamPrefixes: [s] } });
        const seen: string[] = [];
        for await (const e of sub) {
          seen.push(e.type);
          break;
        }
        expect(seen).toEqual(['B0']);
        expect((await withTimeout(sub[Symbol.asyncIterator]().next(), 2_000, 'next() after break')).done).toBe(true);
      });
    });

    describe('concurrency', () => {
      it('many concurrent appends to distinct streams all commit with distinct positions', async () => {
        const count = 1000;
        const from = await store.headPosition();
        const started = performance.now();
        const results = await Promise.all(
          Array.from({ length: count }, (_, i) => store.append(`${run}-burst-${i}`, [ev('Burst', { i })], { expectedRevision: 'no_stream' })),
        );
        const ms = performance.now() - started;
        expect(new Set(results.map((r) => r.position)).size).toBe(count);
        expect(results.every((r) => r.nextExpectedRevision === 0 && r.position > from)).toBe(true);
        const stored = await readAllAfter(store, from, { streamPrefixes: [`${run}-burst-`] });
        expect(stored).toHaveLength(count);
        expect(stored.map((e) => e.position).sort((a, b) => a - b)).toEqual(results.map((r) => r.position).sort((a, b) => a - b));
        console.log(`[${name}] ${count} concurrent single-event appends: ${ms.toFixed(0)} ms (${Math.round((count * 1000) / ms)} appends/s)`);
      });

      it('8 writers on overlapping streams, with a live subscriber: every committed event delivered once, in order, no gaps', async () => {
        const writers = 8;
        const appendsPerWriter = 40;
        const base = `${run}-conc-${++n}`;
        const streams = Array.from({ length: 3 }, (_, i) => `${base}-s${i}`);
        const from = await store.headPosition();

        const sub = store.subscribe({ fromPosition: from, filter: { streamPrefixes: [`${base}-`] } });
        const delivered: RecordedEvent[] = [];
        let outOfOrder = 0;
        const consumer = (async () => {
          for await (const e of sub) {
            const prev = delivered[delivered.length - 1];
            if (prev && e.position <= prev.position) outOfOrder++;
            delivered.push(e);
          }
        })();

        const committed = new Map<string, { streamId: string; writer: number }>();
        let conflicts = 0;
        const writer = async (w: number) => {
          for (let k = 0; k < appendsPerWriter; k++) {
            const streamId = streams[(w + k) % streams.length] as string;
            const size = 1 + ((w * 7 + k) % 3);
            for (;;) {
              const current = await store.readStream(streamId);
              const last = current[current.length - 1];
              const expectedRevision: ExpectedRevision = last ? last.revision : 'no_stream';
              const events = Array.from({ length: size }, (_, i) => ev('Probe', { w, k, i }, { id: randomUUID() }));
              try {
                await store.append(streamId, events, { expectedRevision });
                for (const e of events) committed.set(e.id as string, { streamId, writer: w });
                break;
              } catch (err) {
                if (!isWrongExpectedRevision(err)) throw err;
                conflicts++;
              }
            }
          }
        };

        const started = performance.now();
        await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
        const writeMs = performance.now() - started;
        const deadline = Date.now() + 20_000;
        while (delivered.length < committed.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        const deliverMs = performance.now() - started;
        await new Promise((r) => setTimeout(r, NOTHING_MORE_MS)); // anything extra would show up now
        await sub.close();
        await withTimeout(consumer, 5_000, 'consumer to end after close');

        expect(committed.size).toBeGreaterThanOrEqual(writers * appendsPerWriter);
        expect(outOfOrder).toBe(0);
        expect(delivered.length).toBe(committed.size);
        expect(new Set(delivered.map((e) => e.id)).size).toBe(delivered.length);
        expect(delivered.every((e) => committed.get(e.id)?.streamId === e.streamId)).toBe(true);

        // The subscriber saw exactly the log, in the log's order.
        const log = await readAllAfter(store, from, { streamPrefixes: [`${base}-`] });
        expect(delivered.map((e) => [e.id, e.position])).toEqual(log.map((e) => [e.id, e.position]));

        let total = 0;
        for (const s of streams) {
          const events = await store.readStream(s);
          total += events.length;
          expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
          expect(strictlyIncreasing(events.map((e) => e.position))).toBe(true);
          const seen = delivered.filter((e) => e.streamId === s).map((e) => e.revision);
          expect(seen).toEqual(events.map((_, i) => i));
        }
        expect(total).toBe(committed.size);
        console.log(
          `[${name}] 8 writers, ${streams.length} shared streams: ${committed.size} events committed in ${writeMs.toFixed(0)} ms ` +
            `(${Math.round((committed.size * 1000) / writeMs)} events/s, ${conflicts} conflicts retried); ` +
            `all delivered after ${deliverMs.toFixed(0)} ms`,
        );
      });
    });
  });
}
