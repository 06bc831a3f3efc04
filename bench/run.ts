/**
 * `npm run bench [-- part ...]`: parts are eventstore, projections, gateway (default: all).
 * Needs PostgreSQL on 127.0.0.1:5432 and Redis on :6379 (as the tests do); works in a scratch
 * database that it drops afterwards. Prints a Markdown table for BENCHMARKS.md.
 */
import os from 'node:os';
import { createPgClient, createScratchPgDatabase } from '../src/sql/client.ts';
import { createSqlEventStore } from '../src/eventstore/sql-event-store.ts';
import { startSystem } from '../src/app/bootstrap.ts';
import { silentLogger } from '../src/app/log.ts';
import { against, renderTable, type BenchResult } from './harness.ts';
import { rawBatchInserts, rawSingleRowInserts } from './raw-postgres.ts';
import { batchedAppends, concurrentWriterAppends, singleWriterAppends } from './eventstore.ts';
import { projectionThroughput } from './projections.ts';
import { commandRoundTrips, queryRoundTrips } from './gateway.ts';

const parts = new Set(process.argv.slice(2).filter((a) => !a.startsWith('-')));
const want = (p: string) => parts.size === 0 || parts.has(p);
const results: BenchResult[] = [];
const say = (r: BenchResult) => {
  results.push(r);
  console.error(`  ${r.name}: ${Math.round(r.rate).toLocaleString('en-US')} ${r.unit}/s${r.against ? ` (${r.against.ratio.toFixed(2)}× ${r.against.name})` : ''}`);
};

const db = await createScratchPgDatabase();
try {
  console.error(`evote benchmarks on ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const rawSingle = await rawSingleRowInserts(db.url);
  say(rawSingle);
  const rawBatch = await rawBatchInserts(db.url);
  say(rawBatch);

  const sql = createPgClient(db.url, { max: 20 });
  const store = await createSqlEventStore(sql);
  if (want('eventstore')) {
    say(against(await singleWriterAppends(store), rawSingle));
    say(against(await concurrentWriterAppends(store), rawSingle));
    say(against(await batchedAppends(store), rawBatch));
  }
  if (want('projections')) say(against(await projectionThroughput(store, sql), rawBatch));
  await store.close();
  await sql.close();

  if (want('gateway')) {
    const system = await startSystem(
      {
        host: '127.0.0.1',
        port: 0,
        dataDir: './data/unused',
        databaseUrl: db.url,
        redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        adminToken: "bench-admin-token-0123456789",
        masterKey: Buffer.alloc(32, 7).toString("base64"),
        maxFrameBytes: 32 * 1024 * 1024,
      },
      { gateway: true, log: silentLogger, redisPrefix: `evote-bench-${process.pid}:` },
    );
    try {
      say(against(await commandRoundTrips(system.gateway!.url, system.adminToken), rawSingle));
      say(against(await queryRoundTrips(system.gateway!.url), rawSingle));
    } finally {
      await system.close();
    }
  }
} finally {
  await db.drop();
}
console.log(renderTable(results));
