/**
 * The raw limits of this machine's PostgreSQL, measured with plain `pg` and no evote code:
 * single-row INSERT commits per second on one connection (fsync-bound), and 100-row INSERTs.
 */
import pg from 'pg';
import type { BenchResult } from './harness.ts';
import { measure } from './harness.ts';

async function withTable<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('create table if not exists bench_raw (id bigserial primary key, stream text not null, data jsonb not null)');
    await c.query('truncate bench_raw');
    return await fn(c);
  } finally {
    await c.query('drop table if exists bench_raw');
    await c.end();
  }
}

export async function rawSingleRowInserts(url: string, count = 3_000): Promise<BenchResult> {
  const { rate } = await withTable(url, (c) =>
    measure(async () => {
      for (let i = 0; i < count; i++) {
        await c.query('insert into bench_raw (stream, data) values ($1, $2)', [`s-${i % 50}`, { i, pad: 'x'.repeat(64) }]);
      }
      return count;
    }),
  );
  return { name: 'raw single-row INSERT commits, 1 connection', rate, unit: 'rows' };
}

export async function rawBatchInserts(url: string, batches = 500, rowsPerBatch = 100): Promise<BenchResult> {
  const { rate } = await withTable(url, (c) =>
    measure(async () => {
      for (let b = 0; b < batches; b++) {
        const streams: string[] = [];
        const datas: string[] = [];
        for (let i = 0; i < rowsPerBatch; i++) {
          streams.push(`s-${i % 50}`);
          datas.push(JSON.stringify({ i, pad: 'x'.repeat(64) }));
        }
        await c.query('insert into bench_raw (stream, data) select * from unnest($1::text[], $2::jsonb[])', [streams, datas]);
      }
      return batches * rowsPerBatch;
    }),
  );
  return { name: `raw ${rowsPerBatch}-row INSERT commits, 1 connection`, rate, unit: 'rows' };
}
