/**
 * Audit throughput: ballots verified per second by the independent verifier over an exported log
 * (leaf hashes, checkpoints, lifecycle replay and, per ballot, r^e mod n = c0 plus the authority's
 * RSA-PSS signature: two RSA public operations), next to raw RSA-2048 public operations per second
 * measured in the same run on all cores. Goal (issue 6): 100,000 ballots in under 10 s.
 *
 * The election is generated with the real crypto into a scratch PostgreSQL database, signed by the
 * real projection and checkpointer, exported, then audited from memory (no disk in the timing).
 * Besides wall-clock rates (shared machine: every note carries the 1-minute load average), the CPU
 * time of the audit (this process, every thread: main + workers) per ballot is compared with the CPU
 * cost of two raw public operations: that ratio does not move with other processes' load.
 * Run alone: `npx tsx bench/audit.ts [ballots]`.
 */
import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { createPgClient, createScratchPgDatabase } from '../src/sql/client.ts';
import { createSqlEventStore } from '../src/eventstore/sql-event-store.ts';
import { createSqlKeyStore } from '../src/keystore/sql-key-store.ts';
import { createProjectionRunner } from '../src/projections/runner.ts';
import { transparencyLogProjection } from '../src/projections/transparency-log-projection.ts';
import { silentLogger } from '../src/app/log.ts';
import { createCheckpointer } from '../src/audit/checkpointer.ts';
import { electionLogLines } from '../src/audit/export.ts';
import { verifyLog } from '../src/audit/verify.ts';
import { canonicalJson } from '../src/crypto/canonical.ts';
import { generateRsaKeyPair, rsaPublicNumbers } from '../src/crypto/rsa.ts';
import { writeElection } from '../test/audit/election-fixture.ts';
import type { BenchResult } from './harness.ts';

const load = () => `load ${loadavg()[0]?.toFixed(1)}`;

/** Raw RSA-2048 public operations (x^e mod n, OpenSSL) per second on one core, times the cores; and per CPU-second. */
function rawRsaPublicOps(): { wall: BenchResult; cpuRate: number } {
  const { publicKey } = generateRsaKeyPair(2048);
  const x = Buffer.alloc(rsaPublicNumbers(publicKey).modulusBytes, 0);
  randomBytes(200).copy(x, 56);
  let ops = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    for (let i = 0; i < 100; i++) publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, x);
    ops += 100;
  }
  const perCore = (ops * 1000) / (performance.now() - t0);
  const cpu = process.cpuUsage(cpu0);
  const cores = availableParallelism();
  return {
    wall: { name: `raw RSA-2048 public ops (${cores} cores)`, rate: perCore * cores, unit: 'ops', note: `${Math.round(perCore)}/s per core, ${load()}` },
    cpuRate: ops / ((cpu.user + cpu.system) / 1e6),
  };
}

export async function auditBench(ballots = 2000): Promise<BenchResult[]> {
  const db = await createScratchPgDatabase();
  const sql = createPgClient(db.url);
  try {
    const store = await createSqlEventStore(sql);
    const keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
    const runner = createProjectionRunner({ store, sql, projections: [transparencyLogProjection()], log: silentLogger });
    await runner.start();
    const checkpointer = createCheckpointer({ sql, store, keyStore, log: silentLogger, now: () => new Date(), pollMs: 50 });
    checkpointer.start();
    const fixture = await writeElection(store, keyStore, { voters: ballots, badBallots: false, lateBallot: false });
    for (;;) {
      await runner.waitFor(await store.headPosition(), 120_000);
      const { rows } = await sql.query<{ size: number; checkpoint_size: number }>('SELECT size, checkpoint_size FROM log_trees WHERE election_id = $1', [fixture.electionId]);
      if (rows[0] && rows[0].size === rows[0].checkpoint_size) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await checkpointer.stop();
    await runner.stop();
    const lines: string[] = [];
    for await (const l of electionLogLines(store, fixture.electionId)) lines.push(canonicalJson(l));
    // The raw limit right before the audit: the load of a shared machine drifts.
    const { wall: raw, cpuRate: rawCpuRate } = rawRsaPublicOps();
    const loadAtStart = load();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await verifyLog(lines);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (!report.ok) throw new Error(`the benchmark election did not audit clean: ${JSON.stringify(report.failures[0])}`);
    const rate = report.ballotsCounted / seconds;
    const audit: BenchResult = {
      name: `audit, ${report.ballotsCounted} ballots / ${report.events} events`,
      rate,
      unit: 'ballots',
      note: `${seconds.toFixed(2)} s incl. worker start; 100k ballots ≈ ${(100_000 / rate).toFixed(1)} s; ${loadAtStart}`,
      // Two public operations per ballot: the bound is raw / 2.
      against: { name: 'raw RSA public ops / 2', rate: raw.rate / 2, ratio: rate / (raw.rate / 2) },
    };
    const cpuRate = report.ballotsCounted / cpuSeconds;
    const auditCpu: BenchResult = {
      name: 'audit, CPU time (main thread + workers)',
      rate: cpuRate,
      unit: 'ballots/CPU',
      note: `${((cpuSeconds * 1e6) / report.ballotsCounted).toFixed(0)} µs of CPU per ballot (${((cpuSeconds * 1e6) / report.events).toFixed(1)} per event)`,
      against: { name: 'raw public ops per CPU-s / 2', rate: rawCpuRate / 2, ratio: cpuRate / (rawCpuRate / 2) },
    };
    return [raw, audit, auditCpu];
  } finally {
    await sql.close();
    await db.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = await auditBench(Number(process.argv[2] ?? 2000));
  for (const r of results) console.log(`${r.name}: ${Math.round(r.rate).toLocaleString('en-US')} ${r.unit}/s${r.note ? ` (${r.note})` : ''}${r.against ? ` = ${r.against.ratio.toFixed(2)}× ${r.against.name}` : ''}`);
}
