/**
 * The shared tally, 1 process against 2 (each with 1 worker), on copies of one ended election, with
 * the raw RSA private op of 1 thread and of 2 threads at once measured around every round. Each
 * process is a real child (test/tally/run-tally-child.ts) on its own connections; both start
 * together once connected. Rounds alternate 1 and 2 processes so they share the load window.
 *   sharedTallyBench(ballots = 8_000) — alone: `npx tsx bench/tally.ts 8000 --shared`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createPgClient, type SqlClient } from '../src/sql/client.ts';
import { createSqlEventStore } from '../src/eventstore/sql-event-store.ts';
import { createSqlKeyStore } from '../src/keystore/sql-key-store.ts';
import { keyNames } from '../src/keystore/port.ts';
import { privateKeyFromPkcs8 } from '../src/commands/election-keys.ts';
import { rsaPublicKeyOf } from '../src/crypto/rsa.ts';
import { createTallyPool, type TallyPool } from '../src/tally/pool.ts';
import { tallyStreamId } from '../src/domain/streams.ts';
import { DEFAULT_RANGE_SIZE } from '../src/tally/tally-run.ts';
import { createScratchPgDatabase } from '../test/support/scratch-db.ts';
import { cloneWorld } from '../test/tally/fixture.ts';
import { ballotElection } from './tally.ts';
import type { BenchResult } from './harness.ts';

const CHILD = fileURLToPath(new URL('../test/tally/run-tally-child.ts', import.meta.url));
const PROBE_MS = 400;
const load = () => `load ${loadavg()[0]?.toFixed(1)}`;

interface Timing {
  /** From "go" to the last process's exit. */
  endToEnd: number;
  /** From the first VoteCounted append to TallyPublished (database clock): the counting itself. */
  counting: number;
  countedInWindow: number;
}

function child(databaseUrl: string, masterKey: string, electionId: string): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: databaseUrl, MASTER_KEY: masterKey, ELECTION_ID: electionId, WORKERS: '1', WAIT_FOR_GO: '1' },
  });
}

/** `processes` tally processes on one copy of the election, started together once all are connected. */
async function sharedRun(databaseUrl: string, sql: SqlClient, masterKey: string, electionId: string, ballots: number, processes: number): Promise<Timing> {
  const children = Array.from({ length: processes }, () => child(databaseUrl, masterKey, electionId));
  const outs = children.map(() => '');
  let stderr = '';
  for (const [i, c] of children.entries()) {
    c.stdout?.on('data', (d: Buffer) => (outs[i] += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  }
  const exits = children.map((c) => new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code))));
  while (!outs.every((o) => o.startsWith('ready\n'))) {
    if (children.some((c) => c.exitCode !== null)) throw new Error(`a tally process failed to start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const t0 = performance.now();
  for (const c of children) c.stdin?.end('go\n');
  const codes = await Promise.all(exits);
  const endToEnd = (performance.now() - t0) / 1000;
  if (codes.some((code) => code !== 0)) throw new Error(`a tally process failed: ${stderr}`);
  // The first append is range 0 whole (DEFAULT_RANGE_SIZE ≤ the default append batch): the window starts at its last event.
  const firstAppend = Math.min(DEFAULT_RANGE_SIZE, ballots);
  const { rows } = await sql.query<{ first: Date; published: Date }>(
    `select max(recorded_at) filter (where revision = $2) as first, max(recorded_at) filter (where type = 'TallyPublished') as published
     from evote_events where stream_id = $1`,
    [tallyStreamId(electionId), firstAppend],
  );
  const r = rows[0] as { first: Date; published: Date };
  return { endToEnd, counting: (r.published.getTime() - r.first.getTime()) / 1000, countedInWindow: ballots - firstAppend };
}

/** Raw private ops per second of every worker of `pool` at once. */
const rawRate = async (pool: TallyPool) => (await pool.probeRaw(PROBE_MS)).reduce((sum, p) => sum + p.ops / p.seconds, 0);

export async function sharedTallyBench(ballots = 8_000, rounds = 2): Promise<BenchResult[]> {
  const source = await createScratchPgDatabase();
  const sql = createPgClient(source.url);
  const store = await createSqlEventStore(sql);
  const masterKey = randomBytes(32);
  const keyStore = await createSqlKeyStore(sql, new Uint8Array(masterKey));
  const pools: TallyPool[] = [];
  try {
    const election = await ballotElection(store, keyStore, ballots);
    const counterPkcs8 = (await keyStore.get(keyNames.counter(election.electionId))) as Uint8Array;
    const authorityPkcs8 = (await keyStore.get(keyNames.authority(election.electionId))) as Uint8Array;
    const authoritySpki = new Uint8Array(rsaPublicKeyOf(privateKeyFromPkcs8(authorityPkcs8)).export({ format: 'der', type: 'spki' }));
    for (const size of [1, 2]) {
      pools.push(await createTallyPool({ electionId: election.electionId, size, measureCpu: true, counterPrivateKeyPkcs8: new Uint8Array(counterPkcs8), authorityPublicKeySpki: authoritySpki }));
    }
    const [pool1, pool2] = pools as [TallyPool, TallyPool];
    await rawRate(pool1);
    await rawRate(pool2);

    const raw = { one: [] as number[], two: [] as number[] };
    const runs: Record<1 | 2, Timing[]> = { 1: [], 2: [] };
    for (let round = 0; round < rounds; round++) {
      for (const processes of [1, 2] as const) {
        const copy = await createScratchPgDatabase();
        const copySql = createPgClient(copy.url);
        const copyStore = await createSqlEventStore(copySql);
        try {
          await cloneWorld({ store, keyStore }, { store: copyStore, keyStore: await createSqlKeyStore(copySql, new Uint8Array(masterKey)) }, election.electionId);
          raw.one.push(await rawRate(pool1));
          raw.two.push(await rawRate(pool2));
          runs[processes].push(await sharedRun(copy.url, copySql, masterKey.toString('base64'), election.electionId, ballots, processes));
          raw.one.push(await rawRate(pool1));
          raw.two.push(await rawRate(pool2));
        } finally {
          await copyStore.close();
          await copySql.close();
          await copy.drop();
        }
      }
    }

    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const raw1 = mean(raw.one);
    const raw2 = mean(raw.two);
    const rawOne: BenchResult = { name: 'raw private op, 1 thread (around the shared-tally rounds)', rate: raw1, unit: 'ops', note: load() };
    const rawTwo: BenchResult = { name: 'raw private op, 2 threads at once (around the shared-tally rounds)', rate: raw2, unit: 'ops', note: `${(raw2 / raw1).toFixed(2)}× one thread: the machine's 2-thread limit, ${load()}` };
    const rateOf = (ts: Timing[]) => ts.reduce((a, t) => a + t.countedInWindow, 0) / ts.reduce((a, t) => a + t.counting, 0);
    const endToEndOf = (ts: Timing[]) => (ballots * ts.length) / ts.reduce((a, t) => a + t.endToEnd, 0);
    const rows: BenchResult[] = [rawOne, rawTwo];
    for (const processes of [1, 2] as const) {
      const ts = runs[processes];
      const rate = rateOf(ts);
      const limit = processes === 1 ? rawOne : rawTwo;
      rows.push({
        name: `shared tally, ${processes} process${processes > 1 ? 'es' : ''} × 1 worker`,
        rate,
        unit: 'ballots',
        against: { name: limit.name, rate: limit.rate, ratio: rate / limit.rate },
        note: `${ballots} ballots × ${ts.length} rounds; first VoteCounted to TallyPublished; from the start signal to exit (worker start, log read): ${Math.round(endToEndOf(ts))} ballots/s, ${ts.map((t) => `${t.endToEnd.toFixed(1)} s`).join(', ')}`,
      });
    }
    const s1 = rateOf(runs[1]);
    const s2 = rateOf(runs[2]);
    rows.push({
      name: 'shared tally, scaling 1 → 2 processes',
      rate: s2,
      unit: 'ballots',
      against: { name: 'shared tally, 1 process', rate: s1, ratio: s2 / s1 },
      note: `raw op 1 → 2 threads in the same window: ${(raw2 / raw1).toFixed(2)}×, so ${((s2 / s1 / (raw2 / raw1)) * 100).toFixed(0)} % of what the machine gave; from the start signal to exit ${(endToEndOf(runs[2]) / endToEndOf(runs[1])).toFixed(2)}×; ${load()}`,
    });
    return rows;
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    await store.close();
    await sql.close();
    await source.drop();
  }
}
