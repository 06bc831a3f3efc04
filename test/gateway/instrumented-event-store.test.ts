import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import { instrumentEventStore, streamCategory } from '../../src/eventstore/instrumented-event-store.ts';
import { WrongExpectedRevisionError, type EventStore } from '../../src/eventstore/port.ts';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/runtime/metrics.ts';

let scratch: { url: string; drop: () => Promise<void> };
let sql: SqlClient;
let raw: EventStore;
let store: EventStore;
let metrics: MetricsRegistry;

const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"+]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

beforeAll(async () => {
  scratch = await createScratchPgDatabase();
  sql = createPgClient(scratch.url);
  raw = await createSqlEventStore(sql);
  metrics = createMetricsRegistry();
  store = instrumentEventStore(raw, metrics);
});

afterAll(async () => {
  await store?.close();
  await sql?.close();
  await scratch?.drop();
});

describe('instrumentEventStore (over the Postgres adapter)', () => {
  it('times appends and counts events by stream category, delegating everything else', async () => {
    const a = await store.append('election-e1', [{ type: 'A', data: { n: 1 } }, { type: 'A', data: { n: 2 } }], { expectedRevision: 'no_stream' });
    expect(a.nextExpectedRevision).toBe(1);
    await store.appendMany([
      { streamId: 'voter-e1-v1', events: [{ type: 'B', data: {} }], expectedRevision: 'no_stream' },
      { streamId: 'credential-e1-abc', events: [{ type: 'C', data: {} }], expectedRevision: 'no_stream' },
    ]);
    await expect(store.append('election-e1', [{ type: 'A', data: {} }], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);

    expect(store.kind).toBe(raw.kind);
    expect((await store.readStream('election-e1')).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await store.headPosition()).toBe(await raw.headPosition());
    expect(await store.ping()).toBe(true);

    const text = await metrics.renderPrometheus();
    expect(value(text, 'evote_appended_events_total{category="election"}')).toBe(2);
    expect(value(text, 'evote_appended_events_total{category="voter"}')).toBe(1);
    expect(value(text, 'evote_appended_events_total{category="credential"}')).toBe(1);
    expect(value(text, 'evote_append_duration_seconds_count{op="append",outcome="ok"}')).toBe(1);
    expect(value(text, 'evote_append_duration_seconds_count{op="appendMany",outcome="ok"}')).toBe(1);
    expect(value(text, 'evote_append_duration_seconds_count{op="append",outcome="conflict"}')).toBe(1);
    expect(value(text, 'evote_append_duration_seconds_sum{op="append",outcome="ok"}')).toBeGreaterThan(0);
    // Stream ids (which can carry hashes of secrets) never become labels.
    expect(text).not.toContain('abc');
    expect(text).not.toContain('v1');
  });

  it('reduces stream ids to a bounded category', () => {
    expect(streamCategory('election-123')).toBe('election');
    expect(streamCategory('tally-e1')).toBe('tally');
    expect(streamCategory('NoDash')).toBe('other');
    expect(streamCategory('Weird Stream-1')).toBe('other');
  });
});
