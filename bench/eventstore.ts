/**
 * Event-store append throughput on PostgreSQL: one writer, 50 concurrent writers (group commit),
 * and batched appends. One event per append unless stated.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore } from '../src/eventstore/port.ts';
import type { BenchResult } from './harness.ts';
import { measure } from './harness.ts';

const event = (i: number) => ({ type: 'BenchEvent', data: { i, pad: 'x'.repeat(64) } });

export async function singleWriterAppends(store: EventStore, count = 3_000): Promise<BenchResult> {
  const stream = `bench-single-${randomUUID()}`;
  const { rate } = await measure(async () => {
    for (let i = 0; i < count; i++) await store.append(stream, [event(i)], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
    return count;
  });
  return { name: 'appends, 1 writer, 1 event each', rate, unit: 'events' };
}

export async function concurrentWriterAppends(store: EventStore, writers = 50, perWriter = 400): Promise<BenchResult> {
  const run = randomUUID();
  const { rate } = await measure(async () => {
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const stream = `bench-conc-${run}-${w}`;
        for (let i = 0; i < perWriter; i++) await store.append(stream, [event(i)], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
      }),
    );
    return writers * perWriter;
  });
  return { name: `appends, ${writers} concurrent writers, 1 event each`, rate, unit: 'events' };
}

export async function batchedAppends(store: EventStore, batches = 1_000, perBatch = 100): Promise<BenchResult> {
  const stream = `bench-batch-${randomUUID()}`;
  const { rate } = await measure(async () => {
    for (let b = 0; b < batches; b++) {
      const events = Array.from({ length: perBatch }, (_, i) => event(b * perBatch + i));
      await store.append(stream, events, { expectedRevision: b === 0 ? 'no_stream' : b * perBatch - 1 });
    }
    return batches * perBatch;
  });
  return { name: `batched appends, ${perBatch} events each, 1 writer`, rate, unit: 'events' };
}
