/**
 * Runs the login load in `processes` child processes (bench/login-load-process.ts), each with its
 * share of the connections and logins, started together once all are warm. Measures, over the
 * timed part only, the wall time, this process's CPU time and event-loop utilisation (the gateway
 * under test runs here, and nothing else does during the run) and each child's own CPU time.
 * EVOTE_BENCH_LOGIN_PROFILE=file.cpuprofile writes a CPU profile of the server's main thread over
 * the timed part alone (set-up and warm-up left out), for Chrome DevTools or speedscope.
 */
import { performance } from 'node:perf_hooks';
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import type { LoginLoadInput, LoginLoadReport } from './login-drive.ts';
import type { FromLoadProcess } from './login-load-process.ts';
import { threadCpuNanos } from '../src/runtime/thread-cpu.ts';
import { serverCpuSince, serverCpuSnapshot } from './server-cpu.ts';
import { nextFromChild } from './child-ipc.ts';

/** This (main) thread's CPU time in ms: the gateway's event loop, the serial bottleneck. */
const mainThreadCpuMs = (): number | undefined => {
  const ns = threadCpuNanos();
  return ns === undefined ? undefined : ns / 1e6;
};

export interface ProcessLoadResult {
  logins: number;
  seconds: number;
  /** CPU time of this (the server's) process over the timed part. */
  serverCpuMs: number;
  /** Event-loop utilisation of this process's main thread (the gateway's) over the timed part. */
  serverElu: number;
  /** CPU time of the gateway's thread alone (Linux; undefined elsewhere): the serial bottleneck. */
  serverMainThreadCpuMs: number | undefined;
  /** CPU time of every load process together. */
  clientCpuMs: number;
  /** CPU time of the Redis server over the timed part (Linux; undefined elsewhere). */
  redisCpuMs: number | undefined;
}

const ENTRY = fileURLToPath(new URL('./login-load-process.ts', import.meta.url));

const next = (child: ChildProcess) => nextFromChild<FromLoadProcess>(child, 'login load process');

export async function loginLoadProcesses(processes: number, input: LoginLoadInput, execArgv: string[] = []): Promise<ProcessLoadResult> {
  // EVOTE_BENCH_LOAD_PROFILE_DIR=dir: CPU profiles of the load processes too (whole run, warm-up included).
  const profileDir = process.env.EVOTE_BENCH_LOAD_PROFILE_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const children = Array.from({ length: processes }, () => fork(ENTRY, [], { execArgv: ['--import', 'tsx', ...profile, ...execArgv], stdio: 'inherit' }));
  try {
    const share = (total: number, i: number) => Math.floor(total / processes) + (i < total % processes ? 1 : 0);
    // Each process gets its own slice of the voters, so no two log the same voter in at once.
    const slice = Math.ceil(input.creds.length / processes);
    const ready = children.map((child, i) => {
      const waiting = next(child);
      child.send({ input: { ...input, creds: input.creds.slice(i * slice, (i + 1) * slice), logins: share(input.logins, i), connections: share(input.connections, i) } });
      return waiting;
    });
    await Promise.all(ready);
    const reports = children.map((child) => next(child));
    const profiler = await startProfile(process.env.EVOTE_BENCH_LOGIN_PROFILE);
    const thread0 = mainThreadCpuMs();
    const redis0 = serverCpuSnapshot('redis-server');
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    const start = performance.now();
    for (const child of children) child.send('go');
    const done = (await Promise.all(reports)).map((m) => (m as { report: LoginLoadReport }).report);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const thread1 = mainThreadCpuMs();
    const redisCpuMs = serverCpuSince('redis-server', redis0);
    const elu = performance.eventLoopUtilization(elu0);
    await profiler?.();
    return {
      logins: done.reduce((n, r) => n + r.logins, 0),
      seconds,
      serverCpuMs: (cpu.user + cpu.system) / 1000,
      serverElu: elu.utilization,
      serverMainThreadCpuMs: thread0 !== undefined && thread1 !== undefined ? thread1 - thread0 : undefined,
      clientCpuMs: done.reduce((n, r) => n + r.cpuMs, 0),
      redisCpuMs,
    };
  } finally {
    // A load process exits by itself once it has reported (and writes its CPU profile as it exits):
    // only one that is still running a moment later is killed.
    await Promise.all(children.map((child) => exitedWithin(child, 3000)));
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

function exitedWithin(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts the inspector's CPU profiler; the returned function stops it and writes `file`. */
export async function startProfile(file: string | undefined): Promise<(() => Promise<void>) | undefined> {
  if (!file) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
