/**
 * `npm run bench [-- part ...]`: parts are eventstore, projections, gateway, flood, ballots, signing, auth,
 * letters, tally, trustee, trustee-tally, trustee-e2e (not in the default set: TRUSTEE_E2E_BALLOTS, default 100,000), counting
 * (COUNTING_BALLOTS, default 100,000), audit, witness, startup, browser, reads, memory (default: all). Needs PostgreSQL on 127.0.0.1:5432 and Redis on :6379 (as the tests
 * do); works in scratch databases that it drops afterwards. Every figure is printed next to the raw
 * limit measured in the same run, as a ratio, and the whole run ends with a Markdown table for
 * BENCHMARKS.md. Speed is measured here, never asserted in tests.
 */
import os from 'node:os';
import { createPgClient } from '../src/sql/client.ts';
import { createScratchPgDatabase } from '../test/support/scratch-db.ts';
import { createSqlEventStore } from '../src/eventstore/sql-event-store.ts';
import type { System } from '../src/app/bootstrap.ts';
import { startTestCluster } from '../test/support/system.ts';
import { against, renderTable, type BenchResult } from './harness.ts';
import { rawBatchInserts, rawSingleRowInserts } from './raw-postgres.ts';
import { batchedAppends, concurrentWriterAppends, singleWriterAppends } from './eventstore.ts';
import { projectionThroughput } from './projections.ts';
import { commandRoundTrips, queryRoundTrips } from './gateway.ts';
import { blindSignBench, castBench, castLatencyBench, rawRsaPrivateOps } from './ballots.ts';
import { loginBench } from './auth.ts';
import { signingBench } from './signing.ts';
import { letterBench } from './letters.ts';
import { tallyBench } from './tally.ts';
import { sharedTallyBench } from './tally-shared.ts';
import { auditBench } from './audit.ts';
import { witnessBench } from './witness.ts';
import { trusteeBench } from './trustee.ts';
import { trusteeTallyBench } from './trustee-tally.ts';
import { trusteeE2eBench } from './trustee-e2e.ts';
import { countingBench } from './counting.ts';
import { floodBench } from './flood.ts';
import { readsBench } from './reads.ts';
import { startupBench } from './startup.ts';
import { browserBench, renderSizeTable, type SizeRow } from './browser.ts';
import { memoryBench, renderMemoryTable, type MemoryRow } from './memory.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../src/gateway/input-bounds.ts';
import { DEFAULT_MAX_CONNECTIONS_PER_SOURCE, DEFAULT_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE } from '../src/gateway/source-connection-limiter.ts';
import type { Config } from '../src/app/config.ts';
import { DEFAULT_POOL_K } from '../src/commands/ballot-pool.ts';
import type { BenchSystem } from './election-setup.ts';

const parts = new Set(process.argv.slice(2).filter((a) => !a.startsWith('-')));
const want = (p: string) => parts.size === 0 || parts.has(p);
const results: BenchResult[] = [];
let boothSizes: SizeRow[] = [];
let memoryRows: MemoryRow[] = [];
const say = (...rs: BenchResult[]) => {
  for (const r of rs) {
    // Several parts report the same raw limit they measured once: list it once.
    if (results.some((seen) => seen.name === r.name && seen.rate === r.rate)) continue;
    results.push(r);
    console.error(`  ${r.name}: ${Math.round(r.rate).toLocaleString('en-US')} ${r.unit}/s${r.against ? ` (${r.against.ratio.toFixed(2)}× ${r.against.name})` : ''}`);
  }
};

/**
 * A whole system (gateway included) on a scratch database of its own, as the tests start one: a
 * part must not measure the read models catching up on the events that earlier parts appended.
 */
async function withSystem(fn: (sys: System & BenchSystem) => Promise<void>, config?: Partial<Config>): Promise<void> {
  // The load generators play thousands of voters from one address: the per-source limits are for real clients.
  const cluster = await startTestCluster({ config: { maxConnectionsPerSource: 1_000_000, newConnectionsPerSecondPerSource: 1_000_000, ...config } });
  try {
    const system = cluster.systems[0]!;
    await fn(Object.assign(system, { url: system.gateway!.url, adminToken: cluster.adminToken }));
  } finally {
    await cluster.close();
  }
}

console.error(`evote benchmarks on ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load ${os.loadavg()[0]!.toFixed(2)}`);
const db = await createScratchPgDatabase();
try {
  const rawSingle = await rawSingleRowInserts(db.url);
  const rawBatch = await rawBatchInserts(db.url);
  say(rawSingle, rawBatch);

  if (want('eventstore') || want('projections')) {
    const sql = createPgClient(db.url, { max: 20 });
    const store = await createSqlEventStore(sql);
    if (want('eventstore')) {
      say(against(await singleWriterAppends(store), rawSingle));
      say(against(await concurrentWriterAppends(store), rawSingle));
      say(against(await batchedAppends(store), rawBatch));
      // The CSV import appends 1,000 events per batch.
      say(against(await batchedAppends(store, 100, 1_000), rawBatch));
    }
    if (want('projections')) say(against(await projectionThroughput(store, sql), rawBatch));
    await store.close();
    await sql.close();
  }

  if (want('gateway')) {
    await withSystem(async (sys) => {
      say(against(await commandRoundTrips(sys.url, sys.adminToken), rawSingle));
      say(against(await queryRoundTrips(sys.url), rawSingle));
    });
  }
  if (want('reads')) await withSystem(async (sys) => say(...(await readsBench(sys))));
  // The flood meets the limits a real client does: the per-source defaults too.
  if (want('flood')) {
    const defaults = { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES, maxConnectionsPerSource: DEFAULT_MAX_CONNECTIONS_PER_SOURCE, newConnectionsPerSecondPerSource: DEFAULT_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE };
    await withSystem(async (sys) => say(...(await floodBench(sys))), defaults);
  }
  if (want('ballots')) {
    await withSystem(async (sys) => {
      const raw = rawRsaPrivateOps();
      say(raw, ...(await blindSignBench(sys, { raw })), ...(await castBench(sys, { raw, connections: 200, label: `ballot pool k=${sys.config.poolK ?? DEFAULT_POOL_K}` })));
      say(await castLatencyBench(sys, `pool k=${sys.config.poolK ?? DEFAULT_POOL_K}`));
    });
    // The same casts with the pool off: what the pool adds to a cast's round trip.
    await withSystem(async (sys) => say(await castLatencyBench(sys, 'pool off (k=0)')), { poolK: 0 });
  }
  if (want('signing')) await withSystem(async (sys) => say(...(await signingBench(sys))));
  if (want('auth')) await withSystem(async (sys) => say(...(await loginBench(sys))));
  if (want('letters')) await withSystem(async (sys) => say(...(await letterBench(sys))));
  if (want('tally')) say(...(await tallyBench(2_000)), ...(await sharedTallyBench(8_000)));
  if (want('trustee')) say(...(await trusteeBench()));
  if (want('trustee-tally')) say(...(await trusteeTallyBench(Number(process.env.TRUSTEE_TALLY_BALLOTS ?? 2_000))));
  // Minutes of trustee CPU at its default size: only when named.
  if (parts.has('trustee-e2e')) say(...(await trusteeE2eBench(Number(process.env.TRUSTEE_E2E_BALLOTS ?? 100_000))).rows);
  if (want('counting')) say(...(await countingBench()));
  if (want('audit')) say(...(await auditBench(2_000)));
  if (want('witness')) say(...(await witnessBench(5_000)));
  if (want('startup')) say(...(await startupBench()));
  if (want('browser')) {
    const browser = await browserBench();
    say(...browser.results);
    boothSizes = browser.sizes;
    console.error(renderSizeTable(boothSizes).replace(/^/gm, '  '));
    for (const s of browser.skipped) console.error(`  browser: not measured: ${s}`);
  }
  if (want('memory')) memoryRows = await memoryBench();
} finally {
  await db.drop();
}
console.log(renderTable(results));
if (boothSizes.length > 0) console.log('\n' + renderSizeTable(boothSizes));
if (memoryRows.length > 0) console.log('\n' + renderMemoryTable(memoryRows));
