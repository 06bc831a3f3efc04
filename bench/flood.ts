/**
 * A well-behaved client's round trip while another client floods the gateway with large and
 * malformed frames (bench/flood-process.ts, a child process, so the flood's own CPU is not the
 * server's), against the same client's round trip with the gateway idle, in the same run. The
 * figure is the ratio of the two p99s (goal: under 10×). The gateway runs at its default frame
 * limit. Alone: `npm run bench -- flood`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EvoteConnection } from '../src/client/connection.ts';
import type { BenchResult } from './harness.ts';
import type { FloodInput, FloodReport, FromFlood } from './flood-process.ts';

const ENTRY = fileURLToPath(new URL('./flood-process.ts', import.meta.url));

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

/** Sequential `election.get` round trips for `ms`, one at a time, as a voter's client would. */
async function roundTrips(conn: EvoteConnection, electionId: string, ms: number): Promise<number[]> {
  const out: number[] = [];
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const t0 = performance.now();
    await conn.request('query', 'election.get', { electionId });
    out.push(performance.now() - t0);
  }
  return out;
}

function fromChild(child: ReturnType<typeof fork>): Promise<FromFlood> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`flood process exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (m: FromFlood) => {
      child.off('exit', onExit);
      if (typeof m === 'object' && 'error' in m) reject(new Error(`flood process failed: ${m.error}`));
      else resolve(m);
    });
  });
}

export interface FloodBenchOptions {
  /** Length of each phase (idle, flood). Default 5 s. */
  ms?: number;
  /** Bound on the flood's frames. Default 200,000. */
  maxFrames?: number;
}

export async function floodBench(sys: { url: string; adminToken: string }, opts: FloodBenchOptions = {}): Promise<BenchResult[]> {
  const ms = opts.ms ?? 5_000;
  const conn = await EvoteConnection.connect(sys.url);
  const child = fork(ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    const { electionId } = await conn.request<{ electionId: string }>('command', 'election.create', { theme: 'Flood', choices: ['a', 'b'], expectedVoters: 10 }, { token: sys.adminToken });
    await roundTrips(conn, electionId, 500); // warm-up
    const idle = stats(await roundTrips(conn, electionId, ms));

    const input: FloodInput = { url: sys.url, ms, maxFrames: opts.maxFrames ?? 200_000 };
    const ready = fromChild(child);
    child.send(input);
    await ready;
    const done = fromChild(child);
    child.send('go');
    const underFlood = stats(await roundTrips(conn, electionId, ms));
    const { report } = (await done) as { report: FloodReport };

    const ratio = underFlood.p99 / idle.p99;
    const f = (n: number) => n.toFixed(2);
    const replies = Object.entries(report.replies).map(([code, n]) => `${code} ${n}`).join(', ');
    console.error(
      `  flood: ${report.frames} frames, ${(report.bytes / 2 ** 20).toFixed(0)} MiB in ${f(report.seconds)} s (${replies}; ${report.drops} connections dropped)\n` +
        `  well-behaved election.get: idle p50 ${f(idle.p50)} ms, p99 ${f(idle.p99)} ms (${idle.count}); under the flood p50 ${f(underFlood.p50)} ms, p99 ${f(underFlood.p99)} ms, max ${f(underFlood.max)} ms (${underFlood.count})\n` +
        `  p99 under the flood / idle p99: ${f(ratio)}× (goal < 10×)`,
    );
    const idleResult: BenchResult = { name: 'well-behaved round trips (election.get, one at a time), gateway idle', rate: (idle.count / ms) * 1000, unit: 'round trips', note: `p50 ${f(idle.p50)} ms, p99 ${f(idle.p99)} ms` };
    return [
      { name: 'flood of large and malformed frames from one client (each refused)', rate: report.frames / report.seconds, unit: 'frames', note: `${(report.bytes / 2 ** 20 / report.seconds).toFixed(0)} MiB/s` },
      idleResult,
      {
        name: 'well-behaved round trips during the flood',
        rate: (underFlood.count / ms) * 1000,
        unit: 'round trips',
        note: `p50 ${f(underFlood.p50)} ms, p99 ${f(underFlood.p99)} ms: **${f(ratio)}× the idle p99** (goal < 10×)`,
        against: { name: idleResult.name, rate: idleResult.rate, ratio: underFlood.count / idle.count },
      },
    ];
  } finally {
    await conn.close();
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
