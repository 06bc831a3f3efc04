/**
 * Blind signatures through the real gateway (Redis sessions, PostgreSQL and the ballot pool, the
 * signing workers) against the raw limit of two threads measured in the same run: the bare RSA
 * private op on two worker threads at once, right before and right after the window.
 *
 * The voters' devices run in a child process (bench/signing-load-process.ts) that logs every voter
 * in and blinds every ballot before the window, so the window holds only `ballot.blindSign`. The
 * CPU of the window is split by component from /proc: the gateway's thread, the signing workers,
 * the server's other threads, PostgreSQL (this database's backends, and all its processes),
 * Redis, the load generator, and whatever else ran on the machine. From those costs follows the
 * best rate two cores could give, printed next to the measured one.
 * `npm run bench -- signing`; EVOTE_BENCH_SIGNATURES (default 6,000), EVOTE_BENCH_SIGNING_CONNECTIONS (default 200);
 * EVOTE_BENCH_SIGNING_PROFILE=file.cpuprofile profiles the gateway's thread over the window alone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { System } from '../src/app/bootstrap.ts';
import type { VoterCredential } from '../src/client/client-login.ts';
import { keyNames } from '../src/keystore/port.ts';
import { against, type BenchResult } from './harness.ts';
import { plantSecretCodes, registerClientApp, startedElection, type BenchSystem } from './election-setup.ts';
import { startRawThreads } from './raw-threads.ts';
import { deltaMs, machineCpuMs, processCpuMs, threadCpuMs } from './cpu-split.ts';
import { serverCpuSince, serverCpuSnapshot } from './server-cpu.ts';
import { startProfile } from './login-load-processes.ts';
import { nextFromChild } from './child-ipc.ts';
import type { FromSigningLoad, SigningLoadInput, SigningLoadReport } from './signing-load-process.ts';

const ENTRY = fileURLToPath(new URL('./signing-load-process.ts', import.meta.url));
const PROBE_MS = 1_000;

const next = (child: ChildProcess) => nextFromChild<FromSigningLoad>(child, 'signing load process');

interface DbCounters {
  commits: number;
  inserted: number;
  updated: number;
  deleted: number;
}

/** This database's transaction and row counters (pg_stat_database; they lag by up to the stats flush, ~1 s at most). */
async function dbCounters(sys: System): Promise<DbCounters> {
  const { rows } = await sys.sql.query<Record<keyof DbCounters, string>>(
    'SELECT xact_commit AS commits, tup_inserted AS inserted, tup_updated AS updated, tup_deleted AS deleted FROM pg_stat_database WHERE datname = current_database()',
  );
  const r = rows[0]!;
  return { commits: Number(r.commits), inserted: Number(r.inserted), updated: Number(r.updated), deleted: Number(r.deleted) };
}

async function backendPids(sys: System): Promise<number[]> {
  const { rows } = await sys.sql.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  return rows.map((r) => Number(r.pid));
}

export interface SigningBenchOptions {
  signatures?: number;
  connections?: number;
}

export async function signingBench(sys: System & BenchSystem, opts: SigningBenchOptions = {}): Promise<BenchResult[]> {
  const signatures = opts.signatures ?? Number(process.env.EVOTE_BENCH_SIGNATURES ?? 6_000);
  const connections = opts.connections ?? Number(process.env.EVOTE_BENCH_SIGNING_CONNECTIONS ?? 200);
  const warmup = Math.min(400, connections * 2);
  const election = await startedElection(sys, warmup + signatures);
  const codes = await plantSecretCodes(sys, election.electionId, election.voterIds);
  const client = await registerClientApp(sys);
  const creds: VoterCredential[] = election.voterIds.map((voterId, i) => ({ electionId: election.electionId, voterId, secretCode: codes[i]! }));
  const der = await sys.keyStore.get(keyNames.authority(election.electionId));
  if (!der) throw new Error('no authority key');
  const raw = await startRawThreads(der, 2);
  const child = fork(ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    const input: SigningLoadInput = {
      url: sys.url,
      electionId: election.electionId,
      authorityPublicKey: election.created.authorityPublicKey,
      ballotPublicKey: election.created.ballotPublicKey,
      creds,
      client,
      warmup,
      connections,
    };
    const loggedIn = next(child);
    child.send({ input });
    await loggedIn;
    // The signing workers are the threads that appear while the warm-up signs.
    const beforeWarmup = new Set(threadCpuMs().keys());
    const warmed = next(child);
    child.send('warm');
    await warmed;
    const signingThreads = [...threadCpuMs().keys()].filter((tid) => !beforeWarmup.has(tid));

    const rawBefore = await raw.probe(PROBE_MS);
    const load0 = loadavg()[0]!;
    const pg = await backendPids(sys);
    const db0 = await dbCounters(sys);
    const t0 = { threads: threadCpuMs(), backends: processCpuMs(pg), postgres: serverCpuSnapshot('postgres'), redis: serverCpuSnapshot('redis-server'), machine: machineCpuMs(), process: process.cpuUsage(), wall: performance.now() };
    const profiler = await startProfile(process.env.EVOTE_BENCH_SIGNING_PROFILE);
    const reported = next(child);
    child.send('go');
    const { report } = (await reported) as { report: SigningLoadReport };
    await profiler?.();
    const pgAfter = [...new Set([...pg, ...(await backendPids(sys))])];
    const t1 = { threads: threadCpuMs(), backends: processCpuMs(pgAfter), machine: machineCpuMs(), process: process.cpuUsage(t0.process), wall: performance.now() };
    const postgresAll = serverCpuSince('postgres', t0.postgres);
    const redis = serverCpuSince('redis-server', t0.redis);
    const rawAfter = await raw.probe(PROBE_MS);
    // After the probe: PostgreSQL has flushed its statistics of the window by then.
    const db1 = await dbCounters(sys);
    if (report.failures > 0) throw new Error(`${report.failures} signatures failed (first: ${report.firstFailure})`);

    const n = report.signatures;
    const perSig = (ms: number | undefined) => (ms === undefined ? Number.NaN : (ms * 1000) / n);
    const mainThread = deltaMs(t0.threads, t1.threads, [process.pid]);
    const workers = deltaMs(t0.threads, t1.threads, signingThreads);
    const serverAll = (t1.process.user + t1.process.system) / 1000;
    const otherThreads = serverAll - mainThread - workers;
    const backends = deltaMs(t0.backends, t1.backends);
    const machineBusy = t0.machine && t1.machine ? t1.machine.busy - t0.machine.busy : undefined;
    const windowMs = t1.wall - t0.wall;
    const known = serverAll + backends + (redis ?? 0) + report.cpuMs;
    const others = machineBusy === undefined ? undefined : machineBusy - known;
    const perRow = (x: number) => (x / n).toFixed(2);
    const us = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '?' : x.toFixed(0));

    const rawRate = (rawBefore.rate + rawAfter.rate) / 2;
    const limit: BenchResult = {
      name: 'raw RSA-2048 private operations, 2 threads at once (same key, measured before and after the window)',
      rate: rawRate,
      unit: 'ops',
      note: `${Math.round(rawBefore.rate)} before, ${Math.round(rawAfter.rate)} after; ${us(rawBefore.cpuMicrosPerOp)} µs CPU per op; load ${load0.toFixed(1)}`,
    };
    const split =
      `${n} signatures in ${report.seconds.toFixed(2)} s, ${report.verified} sampled and verified; CPU µs per signature: ` +
      `gateway thread ${us(perSig(mainThread))}, signing workers ${us(perSig(workers))} (${signingThreads.length} threads), other server threads ${us(perSig(otherThreads))}, ` +
      `PostgreSQL ${us(perSig(backends))} in this database's backends (${us(perSig(postgresAll))} all its processes), Redis ${us(perSig(redis))}, ` +
      `load generator ${us(perSig(report.cpuMs))}, other processes ${us(perSig(others))}; machine ${machineBusy === undefined ? '?' : (machineBusy / windowMs).toFixed(2)} of 2 cores busy; ` +
      `per signature PostgreSQL committed ${perRow(db1.commits - db0.commits)} transactions, inserted ${perRow(db1.inserted - db0.inserted)}, updated ${perRow(db1.updated - db0.updated)}, deleted ${perRow(db1.deleted - db0.deleted)} rows`;
    const measured = against({ name: `WS ballot.blindSign through the gateway, ${connections} connections, voters' devices in a child process`, rate: n / report.seconds, unit: 'signatures', note: split }, limit);
    // What two cores could give if this election's work had them alone (the load generator is the
    // voters' devices, elsewhere in a real election): 2 cores over the CPU one signature costs,
    // against 2 cores over the CPU one bare private op costs. Both are CPU time, so the machine's
    // other load moves them far less than the wall-clock rates above.
    const rawCpuPerOp = ((rawBefore.cpuMicrosPerOp ?? Number.NaN) + (rawAfter.cpuMicrosPerOp ?? Number.NaN)) / 2;
    const cpuLimit: BenchResult = { name: 'raw RSA-2048 private operations per thread-CPU second × 2 cores (same probes)', rate: 2_000_000 / rawCpuPerOp, unit: 'ops', note: `${us(rawCpuPerOp)} µs CPU per op` };
    const serverSide = serverAll + backends + (redis ?? 0);
    const ceiling = against(
      {
        name: "WS ballot.blindSign per CPU second × 2 cores (server, this database's PostgreSQL backends, Redis; no load generator)",
        rate: 2_000_000 / perSig(serverSide),
        unit: 'signatures',
        note: `${us(perSig(serverSide))} µs CPU per signature, of which the signing workers ${us(perSig(workers))}`,
      },
      cpuLimit,
    );
    return [limit, measured, cpuLimit, ceiling];
  } finally {
    await raw.close();
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
