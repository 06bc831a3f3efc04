/**
 * The shared tail (src/projections/shared-tail.ts) delivers to each reader exactly what a private
 * subscription from the same position would: every event above it, in order, once — also when the
 * reader starts behind the window, falls behind it, or joins while others are live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventStore, EventSubscription, RecordedEvent } from '../../src/eventstore/port.ts';
import { SharedTail } from '../../src/projections/shared-tail.ts';

let db: Awaited<ReturnType<typeof createScratchPgDatabase>>;
let sql: SqlClient;
let store: EventStore;

beforeAll(async () => {
  db = await createScratchPgDatabase();
  sql = createPgClient(db.url, { max: 5 });
  store = await createSqlEventStore(sql, { pollIntervalMs: 50 });
});
afterAll(async () => {
  await store.close();
  await sql.close();
  await db.drop();
});

async function appendN(n: number, tag: string): Promise<number> {
  let last = 0;
  for (let i = 0; i < n; i += 50) {
    const results = await store.appendMany(
      Array.from({ length: Math.min(50, n - i) }, (_, k) => ({ streamId: `tail-${tag}-${i + k}`, events: [{ type: 'T', data: { i: i + k } }], expectedRevision: 'no_stream' as const })),
    );
    last = Math.max(last, ...results.map((r) => r.position));
  }
  return last;
}

async function take(sub: EventSubscription, untilPosition: number): Promise<RecordedEvent[]> {
  // The iterator directly: breaking out of for-await would close the subscription.
  const it = sub[Symbol.asyncIterator]();
  const out: RecordedEvent[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return out;
    out.push(r.value);
    if (r.value.position >= untilPosition) return out;
  }
}

describe('SharedTail', () => {
  it('gives each reader the same events as its own subscription, in order, once', async () => {
    const start = await store.headPosition();
    const firstHalf = await appendN(120, 'a');
    const tail = new SharedTail(store, 16); // a tiny window: readers must fall back and rejoin
    const expected = (from: number, to: number) => store.readAll({ fromPosition: from, limit: 10_000 }).then((es) => es.filter((e) => e.position <= to));

    const live = tail.subscribe(firstHalf); // starts the upstream at the head
    const behind = tail.subscribe(start); // behind the window from the start
    const liveRead = take(live, firstHalf + 1);
    const end = await appendN(200, 'b');
    const [liveGot, behindGot] = await Promise.all([
      liveRead.then(async (first) => [...first, ...(await take(live, end))]),
      take(behind, end),
    ]);
    const positions = (es: RecordedEvent[]) => es.map((e) => e.position);
    expect(positions(behindGot)).toEqual(positions(await expected(start, end)));
    expect(positions(liveGot)).toEqual(positions(await expected(firstHalf, end)));

    // A reader joining late, from the middle, while the others stay subscribed.
    const middle = behindGot[150]!.position;
    const late = tail.subscribe(middle);
    expect(positions(await take(late, end))).toEqual(positions(await expected(middle, end)));
    await Promise.all([live.close(), behind.close(), late.close()]);
    await tail.close();
  });

  it('ends a reader that is closed while it waits for new events', async () => {
    const tail = new SharedTail(store);
    const sub = tail.subscribe(await store.headPosition());
    const waiting = sub[Symbol.asyncIterator]().next();
    await new Promise((r) => setTimeout(r, 100));
    await sub.close();
    expect((await waiting).done).toBe(true);
    await tail.close();
  });
});
