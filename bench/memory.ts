/**
 * Memory of the real server per running mode (issue 16): the server is spawned as a child process
 * (compiled as `npm start` runs it, and from the sources through tsx), its VmRSS and VmHWM read
 * from /proc/<pid>/status idle after start, under load (a whole election driven through the client
 * library from this process: import, letters by e-mail, voters logging in and casting at once,
 * tally, audit) and idle again after it, then after a restart on the same data. Heap, external
 * memory and PGlite's WASM memory come from the server's /metrics. Each figure is printed against
 * the 250 MB bound on an idle embedded server, as a ratio.
 * Alone: `npx tsx bench/memory.ts [voters] [compiled|sources|services ...]`; in `npm run bench -- memory`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser } from 'mailparser';
import { EvoteAdmin } from '../src/client/admin.ts';
import { audit } from '../src/client/auditor.ts';
import { readCredentialLetter, vote, type Credential } from '../src/client/voter.ts';
import { startLocalSmtpServer } from '../scripts/local-smtp-server.ts';
import { createScratchPgDatabase } from '../test/support/scratch-db.ts';
import { freePort } from '../test/support/free-port.ts';
import { spread } from './election-setup.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The issue's bound on an idle embedded server's resident memory. */
export const IDLE_RSS_BOUND_MB = 250;
const MB = 2 ** 20;

type Loading = 'compiled' | 'sources';
/** The server runs measured: embedded compiled (`npm start`), embedded from the sources, PostgreSQL + Redis compiled. */
export const MEMORY_MODES = ['compiled', 'sources', 'services'] as const;
export type MemoryMode = (typeof MEMORY_MODES)[number];
const ARGS: Record<Loading, string[]> = { compiled: ['bin/start.js'], sources: ['--import', 'tsx', 'src/main.ts'] };

interface Mode {
  name: string;
  loading: Loading;
  /** The database and Redis of the mode; none for embedded. */
  services?: { databaseUrl: string; redisUrl: string };
}

/** One reading of the server's memory. */
export interface MemoryRow {
  mode: string;
  phase: string;
  rssMb: number;
  /** Peak resident memory since the process started (VmHWM), or the peak sampled during the phase. */
  peakMb: number;
  heapUsedMb?: number;
  externalMb?: number;
  pgliteWasmMb?: number;
  /** Idle phases of the embedded mode are held to the bound; the others are shown against it. */
  bound: boolean;
}

/** VmRSS and VmHWM of a process, in MiB. */
export function procMemory(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** A few gauges from the server's /metrics (prom-client's defaults and evote's PGlite gauge). */
async function metricsOf(httpBase: string): Promise<Pick<MemoryRow, 'heapUsedMb' | 'externalMb' | 'pgliteWasmMb'>> {
  const text = await fetch(`${httpBase}/metrics`).then((r) => r.text(), () => '');
  const gauge = (name: string) => {
    const v = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
    return v === undefined ? undefined : Number(v) / MB;
  };
  return { heapUsedMb: gauge('nodejs_heap_size_used_bytes'), externalMb: gauge('nodejs_external_memory_bytes'), pgliteWasmMb: gauge('evote_pglite_wasm_memory_bytes') };
}

interface Server {
  child: ChildProcess;
  url: string;
  httpBase: string;
  stop(): Promise<void>;
}

export async function startServer(mode: Mode, env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, ARGS[mode.loading], {
    cwd: ROOT,
    env: {
      ...process.env,
      EVOTE_PORT: String(port),
      EVOTE_HOST: '127.0.0.1',
      EVOTE_LOG_LEVEL: 'warn',
      DATABASE_URL: mode.services?.databaseUrl ?? '',
      REDIS_URL: mode.services?.redisUrl ?? '',
      EVENTSTORE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const httpBase = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${mode.name}: the server exited (${child.exitCode}): ${stderr.trim()}`);
    if (await fetch(`${httpBase}/readyz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${mode.name}: the server was not ready within 300 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url: `ws://127.0.0.1:${port}/ws`, httpBase, stop };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function idleReading(server: Server, mode: Mode, phase: string, settleMs: number): Promise<MemoryRow> {
  await sleep(settleMs);
  const mem = procMemory(server.child.pid!);
  return { mode: mode.name, phase, rssMb: mem.rssMb, peakMb: mem.hwmMb, ...(await metricsOf(server.httpBase)), bound: !mode.services };
}

/** Samples VmRSS every `everyMs` until stopped; returns the highest. */
function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let peak = 0;
  const take = () => {
    try {
      peak = Math.max(peak, procMemory(pid).rssMb);
    } catch {
      // The process is gone: the peak so far stands.
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}

/** A whole election through the client library, as an operator and `voters` voters would run it. */
export async function runElection(server: Server, adminToken: string, letters: Map<string, string>, voters: number, concurrency: number): Promise<void> {
  const admin = await EvoteAdmin.connect(server.url, adminToken);
  try {
    const tag = randomBytes(4).toString('hex');
    const { electionId } = await admin.createElection({ theme: 'Memory bench', choices: ['A', 'B', 'C'], expectedVoters: voters });
    const csv = ['name,email', ...Array.from({ length: voters }, (_, i) => `Voter ${i},v${i}.${tag}@bench.example`)].join('\n') + '\n';
    await admin.importVoters({ electionId, csv });
    const client = await admin.registerClient('memory bench');
    await admin.startVoting(electionId);
    const issued = await admin.issueCredentials({ electionId, channel: 'email' });
    if (issued.issued !== voters) throw new Error(`issued ${issued.issued} of ${voters} letters`);
    const credentials: Credential[] = await Promise.all(
      Array.from({ length: voters }, (_, i) => {
        const uri = letters.get(`v${i}.${tag}@bench.example`);
        return uri ? readCredentialLetter(uri) : Promise.reject(new Error(`voter ${i} got no letter`));
      }),
    );
    await spread(voters, concurrency, async (i) => {
      await vote({ url: server.url, credential: credentials[i]!, client, choice: ['A', 'B', 'C'][i % 3]! });
    });
    const deadline = Date.now() + 60_000;
    while ((await admin.getElection(electionId)).status !== 'VOTE_ENDED') {
      if (Date.now() > deadline) throw new Error('the election did not close itself after the last ballot');
      await sleep(50);
    }
    const tally = await admin.runTally({ electionId });
    if (tally.ballots !== voters) throw new Error(`tallied ${tally.ballots} of ${voters} ballots`);
    // The checkpoint that covers the tally is signed shortly after it: until then the log is INCOMPLETE.
    for (;;) {
      const report = await audit({ from: server.url, electionId });
      if (report.ok) break;
      if (report.verdict !== 'INCOMPLETE' || Date.now() > deadline + 60_000) throw new Error(`the audit failed: ${report.failures[0]?.message ?? report.verdict}`);
      await sleep(500);
    }
  } finally {
    await admin.close();
  }
}

export interface MemoryBenchOptions {
  voters?: number;
  concurrency?: number;
  /** Quiet time before each idle reading. */
  settleMs?: number;
  /** Default all; `services` needs PostgreSQL and Redis on 127.0.0.1. */
  modes?: readonly MemoryMode[];
}

export async function memoryBench(opts: MemoryBenchOptions = {}): Promise<MemoryRow[]> {
  const voters = opts.voters ?? 200;
  const concurrency = opts.concurrency ?? 50;
  // Past the X25519 worker's 10 s idle end (X25519_WORKER_IDLE_MS): idle means no login for a while.
  const settleMs = opts.settleMs ?? 15_000;
  // As `npm start` would, but before the measurements: a stale dist/ is rebuilt here, not in the server.
  const build = spawnSync(process.execPath, ['--input-type=module', '-e', "(await import('./bin/build.js')).ensureBuilt()"], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('building dist/ failed');
  const letters = new Map<string, string>();
  const smtp = await startLocalSmtpServer({
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const uri = /evote:credential\?\S+/.exec(mail.text ?? '')?.[0];
          if (uri) letters.set(session.envelope.rcptTo[0]?.address ?? '', uri);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  const rows: MemoryRow[] = [];
  const wanted = opts.modes ?? MEMORY_MODES;
  const modes: Mode[] = (['compiled', 'sources'] as const).filter((m) => wanted.includes(m)).map((loading) => ({ name: `embedded (PGlite), ${loading}`, loading }));
  let db: Awaited<ReturnType<typeof createScratchPgDatabase>> | undefined;
  if (wanted.includes('services')) {
    db = await createScratchPgDatabase();
    modes.push({ name: 'PostgreSQL + Redis, compiled', loading: 'compiled', services: { databaseUrl: db.url, redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' } });
  }
  try {
    for (const mode of modes) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'evote-memory-'));
      const env: NodeJS.ProcessEnv = {
        EVOTE_DATA_DIR: dataDir,
        EVOTE_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
        EVOTE_MASTER_KEY: randomBytes(32).toString('base64'),
        EVOTE_AUTH_REDIS_PREFIX: `evote-bench-${randomBytes(6).toString('hex')}:`,
        SMTP_URL: smtp.url,
      };
      try {
        let server = await startServer(mode, env);
        try {
          rows.push(await idleReading(server, mode, 'idle after start (fresh data)', settleMs));
          const sampler = sampleRss(server.child.pid!);
          await runElection(server, env.EVOTE_ADMIN_TOKEN!, letters, voters, concurrency);
          const peak = sampler.stop();
          rows.push({ mode: mode.name, phase: `under load (${voters} voters, ${concurrency} at once)`, rssMb: peak, peakMb: procMemory(server.child.pid!).hwmMb, bound: false });
          rows.push(await idleReading(server, mode, 'idle after the election', settleMs));
        } finally {
          await server.stop();
        }
        server = await startServer(mode, env);
        try {
          rows.push(await idleReading(server, mode, 'idle after a restart', settleMs));
        } finally {
          await server.stop();
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
      for (const r of rows.filter((row) => row.mode === mode.name)) console.error(`  ${renderRow(r)}`);
    }
  } finally {
    await smtp.close();
    await db?.drop();
  }
  return rows;
}

const mb = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '–' : n.toFixed(0));

function renderRow(r: MemoryRow): string {
  return `${r.mode}, ${r.phase}: VmRSS ${mb(r.rssMb)} MB (${(r.rssMb / IDLE_RSS_BOUND_MB).toFixed(2)}× the ${IDLE_RSS_BOUND_MB} MB bound${r.bound ? '' : ', not held to it'}), peak ${mb(r.peakMb)} MB`;
}

/** The rows as a Markdown table for BENCHMARKS.md. */
export function renderMemoryTable(rows: MemoryRow[]): string {
  const lines = [
    `| mode | phase | VmRSS | ratio to ${IDLE_RSS_BOUND_MB} MB | VmHWM | V8 heap used | external | PGlite WASM memory |`,
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const ratio = `${(r.rssMb / IDLE_RSS_BOUND_MB).toFixed(2)}×${r.bound ? '' : ' (not bound)'}`;
    lines.push(`| ${r.mode} | ${r.phase} | ${mb(r.rssMb)} MB | ${ratio} | ${mb(r.peakMb)} MB | ${mb(r.heapUsedMb)} MB | ${mb(r.externalMb)} MB | ${r.pgliteWasmMb === undefined ? '–' : `${mb(r.pgliteWasmMb)} MB`} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.error(`memory on ${os.cpus().length} cores, Node ${process.version}; load ${os.loadavg()[0]!.toFixed(2)}`);
  const [voters, ...modes] = process.argv.slice(2);
  const rows = await memoryBench({ voters: Number(voters ?? 200), ...(modes.length > 0 ? { modes: modes.filter((m): m is MemoryMode => (MEMORY_MODES as readonly string[]).includes(m)) } : {}) });
  console.error(`load after: ${os.loadavg()[0]!.toFixed(2)}`);
  console.log(renderMemoryTable(rows));
}
