/**
 * Start-up of the server on the embedded default (PGlite): seconds from spawn to /readyz answering
 * ready, from the TypeScript sources through tsx (`node --import tsx src/main.ts`, what `npm start`
 * ran before the build) and compiled (`node bin/start.js` on a fresh dist/), alternating the two so
 * both see the same load; the loading of the server's modules alone, each way; and the build itself
 * (`node bin/build.js`, with and without the type check). Each mode gets its own data directory,
 * created by a first start that is reported apart (it includes PGlite's initdb).
 * Alone: `npx tsx bench/startup.ts [runs]`; in `npm run bench -- startup`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult } from './harness.ts';
import { freePort } from '../test/support/free-port.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

const MODES = {
  tsx: ['--import', 'tsx', 'src/main.ts'],
  compiled: ['bin/start.js'],
} as const;
type Mode = keyof typeof MODES;

/** Seconds from spawn to a 200 from /readyz; the server is stopped (SIGTERM) before returning. */
async function timeStart(mode: Mode, dataDir: string): Promise<number> {
  const port = await freePort();
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...MODES[mode]], {
    cwd: ROOT,
    env: { ...process.env, EVOTE_DATA_DIR: dataDir, EVOTE_PORT: String(port), DATABASE_URL: '', REDIS_URL: '', EVENTSTORE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${mode}: the server exited with ${child.exitCode} before it was ready: ${log}`);
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      if (res?.ok) return Number(process.hrtime.bigint() - t0) / 1e9;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Seconds to load the server's modules (src/app/bootstrap.ts and all it imports) and exit. */
function timeImport(mode: Mode): number {
  const args = mode === 'tsx' ? ['--import', 'tsx', '-e', "await import('./src/app/bootstrap.ts')"] : ['--input-type=module', '-e', "await import('./dist/app/bootstrap.js')"];
  const t0 = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`${mode}: importing the server's modules failed`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function timeBuild(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['bin/build.js', ...args], { cwd: ROOT, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`bin/build.js ${args.join(' ')} failed`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (xs: number[]) => `median ${median(xs).toFixed(2)} s, min ${Math.min(...xs).toFixed(2)}, max ${Math.max(...xs).toFixed(2)}, ${xs.length} runs`;

export async function startupBench(runs = 5): Promise<BenchResult[]> {
  const buildChecked = timeBuild([]);
  const buildEmitOnly = timeBuild(['--no-check']);
  const dirs = { tsx: mkdtempSync(path.join(os.tmpdir(), 'evote-start-tsx-')), compiled: mkdtempSync(path.join(os.tmpdir(), 'evote-start-dist-')) };
  try {
    const first = { tsx: await timeStart('tsx', dirs.tsx), compiled: await timeStart('compiled', dirs.compiled) };
    const times: Record<Mode, number[]> = { tsx: [], compiled: [] };
    const imports: Record<Mode, number[]> = { tsx: [], compiled: [] };
    for (let i = 0; i < runs; i++) {
      for (const mode of i % 2 === 0 ? (['tsx', 'compiled'] as const) : (['compiled', 'tsx'] as const)) {
        times[mode].push(await timeStart(mode, dirs[mode]));
        imports[mode].push(timeImport(mode));
      }
    }
    console.error(`  build, type check and emit: ${buildChecked.toFixed(2)} s; emit only (--no-check): ${buildEmitOnly.toFixed(2)} s`);
    console.error(`  first start (fresh data dir): tsx ${first.tsx.toFixed(2)} s, compiled ${first.compiled.toFixed(2)} s`);
    for (const mode of ['tsx', 'compiled'] as const) console.error(`  start to /readyz, ${mode}: ${summary(times[mode])}`);
    for (const mode of ['tsx', 'compiled'] as const) console.error(`  loading the server's modules only, ${mode}: ${summary(imports[mode])}`);
    const tsx: BenchResult = { name: 'start to /readyz, PGlite, tsx', rate: 1 / median(times.tsx), unit: 'start', note: summary(times.tsx) };
    const compiled = 1 / median(times.compiled);
    return [
      tsx,
      { name: 'start to /readyz, PGlite, compiled', rate: compiled, unit: 'start', note: summary(times.compiled), against: { name: tsx.name, rate: tsx.rate, ratio: compiled / tsx.rate } },
      { name: 'build dist/ (tsc, type check)', rate: 1 / buildChecked, unit: 'build', note: `${buildChecked.toFixed(1)} s` },
      { name: 'build dist/ (tsc --noCheck, as npm start does)', rate: 1 / buildEmitOnly, unit: 'build', note: `${buildEmitOnly.toFixed(1)} s` },
    ];
  } finally {
    rmSync(dirs.tsx, { recursive: true, force: true });
    rmSync(dirs.compiled, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.error(`startup on ${os.cpus().length} cores, Node ${process.version}; load ${os.loadavg()[0]!.toFixed(2)}`);
  await startupBench(Number(process.argv[2] ?? 5));
  console.error(`load after: ${os.loadavg()[0]!.toFixed(2)}`);
}
