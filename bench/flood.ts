/**
 * A well-behaved client's round trip while another client floods the gateway, against the same
 * client's round trip with the gateway idle, in the same run; the figure is the ratio of the two
 * p99s (goal: under 10×). Two floods, each from a child process so its CPU is not the server's:
 * large and malformed frames (bench/flood-process.ts), then valid queries sent as fast as one
 * connection can, never waiting for replies (bench/query-flood-process.ts), once on one connection
 * and once connecting again whenever the gateway cuts it. The gateway runs at its default limits.
 * Alone: `npm run bench -- flood`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EvoteConnection } from '../src/client/connection.ts';
import type { BenchResult } from './harness.ts';
import { threadCpuNanos } from '../src/runtime/thread-cpu.ts';
import { DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION } from '../src/gateway/ws-protocol.ts';
import { nextFromChild } from './child-ipc.ts';
import type { FloodInput, FloodReport } from './flood-process.ts';
import type { QueryFloodInput, QueryFloodReport } from './query-flood-process.ts';

const HOSTILE_ENTRY = fileURLToPath(new URL('./flood-process.ts', import.meta.url));
const QUERY_ENTRY = fileURLToPath(new URL('./query-flood-process.ts', import.meta.url));

export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

function stats(ms: number[]): LatencyStats {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! };
}

/** The measuring client starts a round trip at most this often: 500/s, half its connection's request rate. */
const PACE_MS = 2;

/** Sequential `election.get` round trips for `ms`, one at a time and paced, as a busy observer's client would. */
async function roundTrips(conn: EvoteConnection, electionId: string, ms: number): Promise<number[]> {
  const out: number[] = [];
  const deadline = performance.now() + ms;
  let next = performance.now();
  while (performance.now() < deadline) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const t0 = performance.now();
    next = t0 + PACE_MS;
    await conn.request('query', 'election.get', { electionId });
    out.push(performance.now() - t0);
  }
  return out;
}

type FromFloodChild<R> = 'ready' | { report: R } | { error: string };
const fromChild = <R>(child: ReturnType<typeof fork>) => nextFromChild<FromFloodChild<R>>(child, 'flood process');

/**
 * Starts the flood in a child, runs `during` while it floods, and returns both; also the server
 * thread's CPU over the flood (this process's main thread: the gateway and the measuring client).
 */
async function whileFlooding<R, T>(entry: string, input: object, during: () => Promise<T>): Promise<{ report: R; during: T; cpuMs?: number }> {
  const child = fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    const ready = fromChild<R>(child);
    child.send(input);
    await ready;
    const done = fromChild<R>(child);
    const cpu0 = threadCpuNanos();
    child.send('go');
    const result = await during();
    const { report } = (await done) as { report: R };
    const cpu1 = threadCpuNanos();
    return { report, during: result, cpuMs: cpu0 !== undefined && cpu1 !== undefined ? (cpu1 - cpu0) / 1e6 : undefined };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

export interface FloodBenchOptions {
  /** Length of each phase (idle, flood). Default 5 s. */
  ms?: number;
  /** Bound on the flood's frames. Default 200,000. */
  maxFrames?: number;
  /** Bound on the query flood's frames. Default 2,000,000. */
  maxQueryFrames?: number;
}

export async function floodBench(sys: { url: string; adminToken: string }, opts: FloodBenchOptions = {}): Promise<BenchResult[]> {
  const ms = opts.ms ?? 5_000;
  const conn = await EvoteConnection.connect(sys.url);
  try {
    const { electionId } = await conn.request<{ electionId: string }>('command', 'election.create', { theme: 'Flood', choices: ['a', 'b'], expectedVoters: 10 }, { token: sys.adminToken });
    await roundTrips(conn, electionId, 500); // warm-up
    const idle = stats(await roundTrips(conn, electionId, ms));
    const f = (n: number) => n.toFixed(2);
    const idleResult: BenchResult = { name: `well-behaved round trips (election.get, one at a time, at most one per ${PACE_MS} ms), gateway idle`, rate: (idle.count / ms) * 1000, unit: 'round trips', note: `p50 ${f(idle.p50)} ms, p99 ${f(idle.p99)} ms` };
    const duringFlood = (name: string, under: LatencyStats): BenchResult => ({
      name,
      rate: (under.count / ms) * 1000,
      unit: 'round trips',
      note: `p50 ${f(under.p50)} ms, p99 ${f(under.p99)} ms: **${f(under.p99 / idle.p99)}× the idle p99** (goal < 10×)`,
      against: { name: idleResult.name, rate: idleResult.rate, ratio: under.count / idle.count },
    });
    const describe = (label: string, under: LatencyStats) =>
      `  well-behaved election.get: idle p50 ${f(idle.p50)} ms, p99 ${f(idle.p99)} ms (${idle.count}); ${label} p50 ${f(under.p50)} ms, p99 ${f(under.p99)} ms, max ${f(under.max)} ms (${under.count})\n` +
      `  p99 ${label} / idle p99: ${f(under.p99 / idle.p99)}× (goal < 10×)`;

    const hostileInput: FloodInput = { url: sys.url, ms, maxFrames: opts.maxFrames ?? 200_000 };
    const hostile = await whileFlooding<FloodReport, number[]>(HOSTILE_ENTRY, hostileInput, () => roundTrips(conn, electionId, ms));
    const report = hostile.report;
    const underHostile = stats(hostile.during);
    const replies = Object.entries(report.replies).map(([code, n]) => `${code} ${n}`).join(', ');
    console.error(
      `  flood: ${report.frames} frames, ${(report.bytes / 2 ** 20).toFixed(0)} MiB in ${f(report.seconds)} s (${replies}; ${report.drops} connections dropped, ${report.refusedUpgrades} reconnections refused)\n` +
        describe('under the flood', underHostile),
    );

    const queryFlood = async (reconnect: boolean) => {
      const input: QueryFloodInput = { url: sys.url, electionId, ms, maxFrames: opts.maxQueryFrames ?? 2_000_000, reconnect };
      const run = await whileFlooding<QueryFloodReport, number[]>(QUERY_ENTRY, input, () => roundTrips(conn, electionId, ms));
      const q = run.report;
      const cpuPerFrame = run.cpuMs !== undefined ? `; gateway thread ${f((run.cpuMs * 1000) / q.sent)} µs of CPU per flood frame` : '';
      const ended = q.closedWith ? `, closed ${q.closedWith}` : '';
      const again = reconnect ? `; ${q.connections} connections, ${q.refusedUpgrades} reconnections refused at the upgrade` : '';
      const outcome = `${q.answered} answered, ${q.refused} refused TOO_MANY_IN_FLIGHT (cap ${DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION}), ${q.rateRefused} refused TOO_MANY_REQUESTS, ${q.other} other, ${q.unanswered} unanswered${ended}${again}`;
      const label = reconnect ? 'under the reconnecting query flood' : 'under the query flood';
      console.error(`  query flood${reconnect ? ' (reconnecting)' : ''}: ${q.sent} election.get in ${f(q.seconds)} s (${outcome}${cpuPerFrame})\n` + describe(label, stats(run.during)));
      return { q, under: stats(run.during), note: `${outcome}${cpuPerFrame}` };
    };
    const single = await queryFlood(false);
    const again = await queryFlood(true);

    return [
      { name: 'flood of large and malformed frames from one client (each refused)', rate: report.frames / report.seconds, unit: 'frames', note: `${(report.bytes / 2 ** 20 / report.seconds).toFixed(0)} MiB/s` },
      idleResult,
      duringFlood('well-behaved round trips during the flood', underHostile),
      { name: 'flood of valid election.get from one connection, never waiting for replies', rate: single.q.sent / single.q.seconds, unit: 'queries', note: single.note },
      duringFlood('well-behaved round trips during the query flood', single.under),
      { name: 'the same flood connecting again whenever it is cut (per-source limits at their defaults)', rate: again.q.sent / again.q.seconds, unit: 'queries', note: again.note },
      duringFlood('well-behaved round trips during the reconnecting query flood', again.under),
    ];
  } finally {
    await conn.close();
  }
}
