import { randomUUID } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createPgClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import type { SqlClient, SqlExecutor } from '../../src/sql/client.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import { migrateToLatest } from '../../src/sql/migrate.ts';
import { APPEND_LOCK_KEY } from '../../src/eventstore/sql-schema.ts';
import { isWrongExpectedRevision } from '../../src/eventstore/port.ts';
import type { EventStore, ExpectedRevision, RecordedEvent } from '../../src/eventstore/port.ts';
import { eventStoreContract } from './contract.ts';

eventStoreContract('postgres', async () => {
  const db = await createScratchPgDatabase();
  const sql = createPgClient(db.url);
  const store = await createSqlEventStore(sql, { pollIntervalMs: 200 });
  return {
    store,
    cleanup: async () => {
      await sql.close();
      await db.drop();
    },
  };
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Another process's append transaction: takes the append lock and holds it until released, then
 * runs `beforeCommit` (its own writes) and commits. Resolves once the lock is held.
 */
async function holdAppendLock(client: SqlClient, beforeCommit?: (tx: SqlExecutor) => Promise<void>): Promise<{ releaseHolder: () => void; holder: Promise<void> }> {
  let releaseHolder!: () => void;
  const mayCommit = new Promise<void>((r) => (releaseHolder = r));
  let hasLock!: () => void;
  const lockTaken = new Promise<void>((r) => (hasLock = r));
  const holder = client.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${APPEND_LOCK_KEY})`);
    hasLock();
    await mayCommit;
    await beforeCommit?.(tx);
  });
  await lockTaken;
  return { releaseHolder, holder };
}

describe('postgres event store: several processes', () => {
  let db: { url: string; drop: () => Promise<void> };
  const clients: SqlClient[] = [];
  let writerA: EventStore;
  let writerB: EventStore;
  let readerStore: EventStore;

  beforeAll(async () => {
    db = await createScratchPgDatabase({ migrated: false });
    // Three pools stand for three processes; they migrate the empty database at the same moment.
    for (let i = 0; i < 3; i++) clients.push(createPgClient(db.url, { max: 4 }));
    const stores = await Promise.all(
      clients.map(async (c) => {
        await migrateToLatest(c);
        return createSqlEventStore(c, { pollIntervalMs: 1_000 });
      }),
    );
    [writerA, writerB, readerStore] = stores as [EventStore, EventStore, EventStore];
  });
  afterAll(async () => {
    await Promise.all([writerA, writerB, readerStore].map((s) => s?.close()));
    await Promise.all(clients.map((c) => c.close()));
    await db?.drop();
  });

  it('two writer processes on shared streams and a subscriber in a third: no gap, no inversion, nothing twice', async () => {
    const base = `gap-${randomUUID().slice(0, 8)}`;
    const streams = Array.from({ length: 4 }, (_, i) => `${base}-s${i}`);
    const from = await readerStore.headPosition();
    const sub = readerStore.subscribe({ fromPosition: from, filter: { streamPrefixes: [`${base}-`] } });
    const delivered: RecordedEvent[] = [];
    let inversions = 0;
    const consumer = (async () => {
      for await (const e of sub) {
        if (delivered.length > 0 && e.position <= (delivered[delivered.length - 1] as RecordedEvent).position) inversions++;
        delivered.push(e);
      }
    })();

    const committed = new Set<string>();
    let conflicts = 0;
    const writer = async (store: EventStore, w: number) => {
      for (let k = 0; k < 60; k++) {
        const streamId = streams[(w + k) % streams.length] as string;
        for (;;) {
          const current = await store.readStream(streamId);
          const last = current[current.length - 1];
          const expectedRevision: ExpectedRevision = last ? last.revision : 'no_stream';
          const events = Array.from({ length: 1 + (k % 4) }, (_, i) => ({ id: randomUUID(), type: 'GapProbe', data: { w, k, i } }));
          try {
            await store.append(streamId, events, { expectedRevision });
            for (const e of events) committed.add(e.id);
            break;
          } catch (err) {
            if (!isWrongExpectedRevision(err)) throw err;
            conflicts++;
          }
        }
      }
    };
    // Independent distinct-stream appends too, so both processes' groups carry many streams.
    const burst = async (store: EventStore, tag: string) => {
      const ids = Array.from({ length: 300 }, () => randomUUID());
      await Promise.all(ids.map((id, i) => store.append(`${base}-burst-${tag}-${i}`, [{ id, type: 'Burst', data: {} }], { expectedRevision: 'no_stream' })));
      for (const id of ids) committed.add(id);
    };

    const started = performance.now();
    await Promise.all([
      ...[0, 1, 2, 3].map((w) => writer(writerA, w)),
      ...[4, 5, 6, 7].map((w) => writer(writerB, w)),
      burst(writerA, 'a'),
      burst(writerB, 'b'),
    ]);
    const writeMs = performance.now() - started;
    const deadline = Date.now() + 20_000;
    while (delivered.length < committed.size && Date.now() < deadline) await sleep(20);
    const lagMs = performance.now() - started - writeMs;
    await sleep(300);
    await sub.close();
    await consumer;

    expect(inversions).toBe(0);
    expect(delivered.length).toBe(committed.size);
    expect(new Set(delivered.map((e) => e.id))).toEqual(committed);
    let total = 0;
    for (const s of streams) {
      const events = await readerStore.readStream(s);
      total += events.length;
      expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    }
    expect(total + 600).toBe(committed.size);
    console.log(
      `[postgres, 2 writer pools] ${committed.size} events in ${writeMs.toFixed(0)} ms ` +
        `(${Math.round((committed.size * 1000) / writeMs)} events/s, ${conflicts} conflicts retried); subscriber caught up ${lagMs.toFixed(0)} ms after the last commit`,
    );
  });

  it('an append waits for another process’s append transaction, and readers see neither until both commit in order', async () => {
    const streamId = `lock-${randomUUID().slice(0, 8)}`;
    const from = await readerStore.headPosition();
    const sub = readerStore.subscribe({ fromPosition: from, filter: { streamPrefixes: [streamId] } });
    const it = sub[Symbol.asyncIterator]();
    // Another process in the middle of its append transaction (it holds the append lock).
    const { releaseHolder, holder } = await holdAppendLock(clients[0]!);
    let appended = false;
    const append = writerB.append(streamId, [{ type: 'AfterLock', data: {} }], { expectedRevision: 'no_stream' }).then((r) => {
      appended = true;
      return r;
    });
    const first = it.next();
    await sleep(400);
    expect(appended).toBe(false);
    expect(await Promise.race([first.then(() => 'delivered'), sleep(0).then(() => 'waiting')])).toBe('waiting');

    releaseHolder();
    await holder;
    const result = await append;
    const event = await first;
    expect(event.done).toBe(false);
    expect(event.done ? undefined : event.value.position).toBe(result.position);
    await sub.close();
  });

  it('an append planned before another process wrote is re-planned under the lock: a moved stream conflicts, a moved head shifts positions', async () => {
    const moved = `moved-${randomUUID().slice(0, 8)}`;
    const untouched = `untouched-${randomUUID().slice(0, 8)}`;
    // Another process's append transaction writes to `moved` while our appends wait for the lock,
    // after they planned on the streams' state (both absent).
    const { releaseHolder, holder } = await holdAppendLock(clients[0]!, async (tx) => {
      const { rows } = await tx.query<{ position: number }>(
        `insert into evote_events (position, id, stream_id, revision, type, data, metadata)
         select coalesce(max(position), 0) + 1, gen_random_uuid(), $1, 0, 'WrittenElsewhere', '{}', '{}' from evote_events
         returning position`,
        [moved],
      );
      await tx.query('insert into evote_streams (stream_id, revision, position) values ($1, 0, $2)', [moved, rows[0]!.position]);
    });
    const conflicting = writerA.append(moved, [{ type: 'Mine', data: {} }], { expectedRevision: 'no_stream' }).then(
      () => 'appended',
      (err: unknown) => (isWrongExpectedRevision(err) ? `conflict, actual ${String(err.actual)}` : `failed: ${String(err)}`),
    );
    const shifted = writerB.append(untouched, [{ type: 'Mine', data: {} }], { expectedRevision: 'no_stream' });
    await sleep(300);
    releaseHolder();
    await holder;

    expect(await conflicting).toBe('conflict, actual 0');
    const result = await shifted;
    const [stored] = await readerStore.readStream(untouched);
    expect(stored?.position).toBe(result.position);
    expect((await readerStore.readStream(moved)).map((e) => e.type)).toEqual(['WrittenElsewhere']);
  });
});

describe('sql event store specifics (postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let sql: SqlClient;
  let store: EventStore;
  beforeAll(async () => {
    db = await createScratchPgDatabase();
    sql = createPgClient(db.url);
    store = await createSqlEventStore(sql);
  });
  afterAll(async () => {
    await store?.close();
    await sql?.close();
    await db?.drop();
  });

  it('reports its kind and answers ping', async () => {
    expect(store.kind).toBe('postgres');
    expect(await store.ping()).toBe(true);
  });

  it('creating the store again on the same database keeps the events', async () => {
    const s = `again-${randomUUID()}`;
    await store.append(s, [{ type: 'A', data: { v: 1 } }], { expectedRevision: 'no_stream' });
    const second = await createSqlEventStore(sql);
    expect((await second.readStream(s)).map((e) => e.data)).toEqual([{ v: 1 }]);
    await second.close();
  });

  it('refuses malformed appends with INVALID_APPEND before touching the database', async () => {
    const head = await store.headPosition();
    const bad: [string, Promise<unknown>][] = [
      ['empty stream id', store.append('', [{ type: 'A', data: {} }], { expectedRevision: 'any' })],
      ['negative revision', store.append('x', [{ type: 'A', data: {} }], { expectedRevision: -1 })],
      ['fractional revision', store.append('x', [{ type: 'A', data: {} }], { expectedRevision: 1.5 })],
      ['unknown expectation', store.append('x', [{ type: 'A', data: {} }], { expectedRevision: 'latest' as ExpectedRevision })],
      ['empty type', store.append('x', [{ type: '', data: {} }], { expectedRevision: 'any' })],
      ['non-uuid id', store.append('x', [{ type: 'A', data: {}, id: 'not-a-uuid' }], { expectedRevision: 'any' })],
      ['id twice in one call', store.appendMany([
        { streamId: 'x', events: [{ type: 'A', data: {}, id: '00000000-0000-4000-8000-000000000001' }], expectedRevision: 'any' },
        { streamId: 'y', events: [{ type: 'A', data: {}, id: '00000000-0000-4000-8000-000000000001' }], expectedRevision: 'any' },
      ])],
    ];
    for (const [label, work] of bad) {
      await expect(work, label).rejects.toMatchObject({ code: 'INVALID_APPEND' });
    }
    expect(await store.headPosition()).toBe(head);
  });

  it('an empty append checks the expectation and writes nothing', async () => {
    const s = `empty-${randomUUID()}`;
    expect(await store.append(s, [], { expectedRevision: 'no_stream' })).toEqual({ nextExpectedRevision: -1, position: 0 });
    const written = await store.append(s, [{ type: 'A', data: {} }], { expectedRevision: 'no_stream' });
    expect(await store.append(s, [], { expectedRevision: 0 })).toEqual(written);
    await expect(store.append(s, [], { expectedRevision: 'no_stream' })).rejects.toMatchObject({ code: 'WRONG_EXPECTED_REVISION' });
  });

  it('one bad append in a group does not fail the others queued with it', async () => {
    const taken = randomUUID();
    await store.append(`dup-${randomUUID()}`, [{ id: taken, type: 'A', data: {} }], { expectedRevision: 'no_stream' });
    // Issued together, so they share one group commit; the duplicate id makes its INSERT fail.
    const outcomes = await Promise.allSettled([
      store.append(`ok1-${randomUUID()}`, [{ type: 'A', data: {} }], { expectedRevision: 'no_stream' }),
      store.append(`dup2-${randomUUID()}`, [{ id: taken, type: 'A', data: {} }], { expectedRevision: 'any' }),
      store.append(`ok2-${randomUUID()}`, [{ type: 'A', data: {} }], { expectedRevision: 'no_stream' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: { code: 'DUPLICATE_EVENT_ID' } });
  });

  it('requests to the same stream in one group see each other in queue order', async () => {
    const s = `queue-${randomUUID()}`;
    const outcomes = await Promise.allSettled([
      store.append(s, [{ type: 'A', data: {} }], { expectedRevision: 'no_stream' }),
      store.append(s, [{ type: 'B', data: {} }], { expectedRevision: 0 }),
      store.append(s, [{ type: 'C', data: {} }], { expectedRevision: 0 }),
      store.append(s, [{ type: 'D', data: {} }], { expectedRevision: 'no_stream' }),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect(outcomes[2]).toMatchObject({ reason: { code: 'WRONG_EXPECTED_REVISION', expected: 0, actual: 1 } });
    expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B']);
  });

  it('a large appendMany is written in chunks and read back whole', async () => {
    const prefix = `bulk-${randomUUID().slice(0, 8)}-`;
    const from = await store.headPosition();
    const requests = Array.from({ length: 1200 }, (_, i) => ({
      streamId: `${prefix}${i}`,
      events: [{ type: 'VoterRegisteredProbe', data: { i } }],
      expectedRevision: 'no_stream' as const,
    }));
    const started = performance.now();
    const results = await store.appendMany(requests);
    const ms = performance.now() - started;
    expect(results).toHaveLength(1200);
    const back = await store.readAll({ fromPosition: from, limit: 2000, filter: { streamPrefixes: [prefix] } });
    expect(back.map((e) => (e.data as { i: number }).i)).toEqual(requests.map((_, i) => i));
    console.log(`[postgres] appendMany of 1200 streams: ${ms.toFixed(0)} ms`);
  });

  it('after close, appends are refused, subscriptions end, and the client stays usable', async () => {
    const other = await createSqlEventStore(sql);
    const sub = other.subscribe({ fromPosition: await other.headPosition() });
    const pending = sub[Symbol.asyncIterator]().next();
    await other.close();
    expect((await pending).done).toBe(true);
    await expect(other.append('x', [{ type: 'A', data: {} }], { expectedRevision: 'any' })).rejects.toMatchObject({ code: 'EVENT_STORE_CLOSED' });
    expect(await store.ping()).toBe(true);
  });
});
