/**
 * Audit throughput: ballots verified per second by the independent verifier over an exported log
 * (leaf hashes, checkpoints, lifecycle replay and, per ballot, r^e mod n = c0 plus the authority's
 * RSA-PSS signature: two RSA public operations), next to raw RSA-2048 public operations per second
 * measured in the same run on all cores. Goal (issue 6): 100,000 ballots in under 10 s.
 *
 * The election is generated with the real crypto into a scratch PostgreSQL database, signed by the
 * real projection and checkpointer, and exported to an NDJSON file in the temporary folder, which
 * later runs with the same number of ballots reuse (generating 100,000 ballots takes minutes and is
 * not what is measured; `--fresh` regenerates). The file is read into memory, then audited from
 * memory (no disk in the timing).
 * Besides wall-clock rates (shared machine: every note carries the 1-minute load average), the CPU
 * time of the audit (this process, every thread: main + workers) per ballot is compared with the CPU
 * cost of two raw public operations: that ratio does not move with other processes' load. The main
 * thread's own CPU time is reported apart (Linux /proc), since it is the one part that cannot be
 * spread over the cores.
 * Run alone: `npx tsx bench/audit.ts [ballots] [--rounds N] [--fresh]`, e.g. `npx tsx bench/audit.ts 100000`.
 */
import { performance } from 'node:perf_hooks';
import { constants, publicEncrypt, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { createPgClient } from '../src/sql/client.ts';
import { createScratchPgDatabase } from '../test/support/scratch-db.ts';
import { createSqlEventStore } from '../src/eventstore/sql-event-store.ts';
import { createSqlKeyStore } from '../src/keystore/sql-key-store.ts';
import { createProjectionRunner } from '../src/projections/runner.ts';
import { transparencyLogProjection } from '../src/projections/transparency-log-projection.ts';
import { silentLogger } from '../src/runtime/log.ts';
import { createCheckpointer } from '../src/audit/checkpointer.ts';
import { electionLogLines } from '../src/audit/export.ts';
import { verifyLog } from '../src/audit/verify.ts';
import { canonicalJson } from '../src/crypto/canonical.ts';
import { generateRsaKeyPair, rsaPublicNumbers } from '../src/crypto/rsa.ts';
import { writeElection } from '../test/audit/election-fixture.ts';
import type { BenchResult } from './harness.ts';
import { threadCpuNanos } from '../src/runtime/thread-cpu.ts';

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

/** Fields of a /proc stat file after the command name (which may contain spaces); undefined off Linux. */
function procStat(path: string): string[] | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

// Clock ticks; USER_HZ is 100 on Linux. cutime, cstime (children waited for: the esbuild run that
// bundles the workers) are the 14th and 15th fields after the name.
const ticks = (fields: string[] | undefined, a: number, b: number) => (fields ? (Number(fields[a]) + Number(fields[b])) / 100 : undefined);
const mainThreadCpuSeconds = () => {
  const ns = threadCpuNanos();
  return ns === undefined ? undefined : ns / 1e9;
};
const childrenCpuSeconds = () => ticks(procStat(`/proc/${process.pid}/stat`), 13, 14) ?? 0;

/** Generates an election of `ballots` voters with the real crypto and returns its export lines. */
async function generateExport(ballots: number): Promise<string[]> {
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
      await runner.waitFor(await store.headPosition(), 600_000);
      const { rows } = await sql.query<{ size: number; checkpoint_size: number }>('SELECT size, checkpoint_size FROM log_trees WHERE election_id = $1', [fixture.electionId]);
      if (rows[0] && rows[0].size === rows[0].checkpoint_size) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await checkpointer.stop();
    await runner.stop();
    const lines: string[] = [];
    for await (const l of electionLogLines(store, fixture.electionId)) lines.push(canonicalJson(l));
    return lines;
  } finally {
    await sql.close();
    await db.drop();
  }
}

/** The export file of a generated election with `ballots` voters, reused across runs. */
export const auditExportFile = (ballots: number) => path.join(tmpdir(), `evote-audit-bench-${ballots}.ndjson`);

/** The export lines: read from the cached file when present (unless `fresh`), else generated and written there. */
export async function auditExportLines(ballots: number, fresh = false): Promise<{ lines: string[]; reused: boolean }> {
  const file = auditExportFile(ballots);
  if (!fresh && existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    return { lines: text.split('\n').filter((l) => l !== ''), reused: true };
  }
  const lines = await generateExport(ballots);
  // Written aside, then renamed: an interrupted run never leaves a truncated export to be reused.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, lines.join('\n') + '\n');
  renameSync(partial, file);
  return { lines, reused: false };
}

export async function auditBench(ballots = 2000, opts: { fresh?: boolean; rounds?: number } = {}): Promise<BenchResult[]> {
  const { lines } = await auditExportLines(ballots, opts.fresh);
  const results: BenchResult[] = [];
  for (let round = 0; round < (opts.rounds ?? 1); round++) {
    // The raw limit right before the audit: the load of a shared machine drifts.
    const { wall: raw, cpuRate: rawCpuRate } = rawRsaPublicOps();
    const loadAtStart = load();
    const cpu0 = process.cpuUsage();
    const children0 = childrenCpuSeconds();
    const main0 = mainThreadCpuSeconds();
    const elu0 = performance.eventLoopUtilization();
    const t0 = performance.now();
    const report = await verifyLog(lines);
    const seconds = (performance.now() - t0) / 1000;
    const elu = performance.eventLoopUtilization(elu0);
    const main1 = mainThreadCpuSeconds();
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6 + (childrenCpuSeconds() - children0);
    if (!report.ok) throw new Error(`the benchmark election did not audit clean: ${JSON.stringify(report.failures[0])}`);
    const rate = report.ballotsCounted / seconds;
    const audit: BenchResult = {
      name: `audit, ${report.ballotsCounted} ballots / ${report.events} events`,
      rate,
      unit: 'ballots',
      note: `${seconds.toFixed(2)} s incl. worker start${ballots < 100_000 ? ', which a small election cannot amortise: `npx tsx bench/audit.ts 100000` measures the goal' : ''}; ${loadAtStart} at start, ${load()} at end`,
      // Two public operations per ballot: the bound is raw / 2.
      against: { name: 'raw RSA public ops / 2', rate: raw.rate / 2, ratio: rate / (raw.rate / 2) },
    };
    const mainSeconds = main0 !== undefined && main1 !== undefined ? main1 - main0 : undefined;
    const mainNote = mainSeconds === undefined ? '' : `; main thread ${mainSeconds.toFixed(2)} s CPU (${((mainSeconds * 1e6) / report.events).toFixed(1)} µs per event), workers and their bundling ${(cpuSeconds - mainSeconds).toFixed(2)} s (${(((cpuSeconds - mainSeconds) * 1e6) / report.ballotsCounted).toFixed(0)} µs per ballot)`;
    const cpuRate = report.ballotsCounted / cpuSeconds;
    const auditCpu: BenchResult = {
      name: 'audit, CPU time (main thread + workers + bundling them)',
      rate: cpuRate,
      unit: 'ballots/CPU',
      note: `${cpuSeconds.toFixed(2)} s of CPU, ${((cpuSeconds * 1e6) / report.ballotsCounted).toFixed(0)} µs per ballot${mainNote}; main event loop ${(elu.utilization * 100).toFixed(0)} % busy`,
      against: { name: 'raw public ops per CPU-s / 2', rate: rawCpuRate / 2, ratio: cpuRate / (rawCpuRate / 2) },
    };
    results.push(raw, audit, auditCpu);
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const ballots = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--rounds') ?? 2000);
  const results = await auditBench(ballots, { fresh: args.includes('--fresh'), rounds: Number(option('--rounds') ?? 1) });
  for (const r of results) console.log(`${r.name}: ${Math.round(r.rate).toLocaleString('en-US')} ${r.unit}/s${r.note ? ` (${r.note})` : ''}${r.against ? ` = ${r.against.ratio.toFixed(2)}× ${r.against.name}` : ''}`);
}
