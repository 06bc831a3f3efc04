/**
 * The built artifact: `npm run build` compiles src/ into dist/; the compiled server (bin/start.js)
 * starts embedded and answers /readyz; a worker thread runs from compiled JavaScript with neither
 * esbuild nor tsx loaded; the compiled `evote` talks to that server. And bin/build.js's staleness
 * rule, on a scratch copy so that the real sources are never touched while other tests read them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'evote-build-'));
let server: ChildProcess | undefined;

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

beforeAll(() => {
  // The type check is `npm run lint`'s job (and slow on a shared host); the emit is the same.
  const built = spawnSync('npm', ['run', 'build', '--', '--no-check'], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
  expect(built.status, built.stderr).toBe(0);
}, 120_000);

afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
});

describe('the compiled artifact', () => {
  it('holds every module of src/ as JavaScript, with the build stamp', () => {
    const stamp = JSON.parse(readFileSync(path.join(ROOT, 'dist/.build-stamp.json'), 'utf8')) as { sourceHash: string };
    expect(stamp.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    const pool = readFileSync(path.join(ROOT, 'dist/tally/pool.js'), 'utf8');
    expect(pool).toContain('"../runtime/worker-thread.js"');
    expect(pool).not.toMatch(/from\s+["'][^"']+\.ts["']/);
  });

  it('starts the server from dist/ on the embedded default and answers /readyz', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const dataDir = path.join(scratch, 'data');
    let stderr = '';
    server = spawn(process.execPath, ['bin/start.js'], {
      cwd: ROOT,
      env: { ...process.env, EVOTE_DATA_DIR: dataDir, EVOTE_PORT: String(port), DATABASE_URL: '', REDIS_URL: '', EVENTSTORE_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 80_000;
    let ready: Response | undefined;
    while (Date.now() < deadline && server.exitCode === null) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      if (ready?.ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready?.ok, `server exited ${server.exitCode}: ${stderr}`).toBe(true);
    expect(((await ready!.json()) as { status: string }).status).toBe('ready');
    expect(stderr, 'dist/ was fresh: no build at start').not.toContain('building dist/');

    // The pages come with the artifact: the booth as dist/web holds it.
    const booth = await fetch(`http://127.0.0.1:${port}/vote`);
    expect(booth.status).toBe(200);
    const script = /src="\/(assets\/booth-[^"]+\.js)"/.exec(await booth.text())?.[1];
    expect(script).toBeDefined();
    expect(readFileSync(path.join(ROOT, 'dist/web', script!), 'utf8').length).toBeGreaterThan(1000);

    // The compiled CLI, against the compiled server, with the admin token of its data directory.
    const cli = ['bin/evote.js', '--url', `ws://127.0.0.1:${port}/ws`, '--data-dir', dataDir, '--json', 'election'];
    const created = run([...cli, 'create', '--id', 'built', '--theme', 'Built', '--choice', 'A', '--choice', 'B', '--expected-voters', '3']);
    expect(created.status, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ electionId: 'built' });
    const list = run([...cli, 'list']);
    expect(list.status, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ electionId: 'built', theme: 'Built' }]);
  });

  it('runs `evote --help` compiled', () => {
    const help = run(['bin/evote.js', '--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: evote');
    expect(help.stderr).toBe('');
  });

  it('runs a worker thread from compiled JavaScript, without esbuild or tsx', () => {
    const loader = pathToFileURL(path.join(ROOT, 'dist/runtime/worker-thread.js')).href;
    const qr = pathToFileURL(path.join(ROOT, 'dist/credentials/qr.js')).href;
    const script = `
      import { once } from 'node:events';
      import { createRequire } from 'node:module';
      import { runningCompiled, startWorkerThread } from ${JSON.stringify(loader)};
      import { decodeQrPng } from ${JSON.stringify(qr)};
      const worker = startWorkerThread(new URL('../credentials/qr-render-worker.ts', ${JSON.stringify(loader)}));
      const uri = 'evote:credential?v=1&e=0190d6f2-7a3e-7c11-9f00-0123456789ab&id=0190d6f2-7a3e-7c11-9f00-0123456789cd&code=' + 'B'.repeat(64);
      worker.postMessage({ id: 1, uris: [uri] });
      const [reply] = await once(worker, 'message');
      await worker.terminate();
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => /node_modules[\\\\/](esbuild|tsx|typescript)[\\\\/]/.test(f));
      console.log(JSON.stringify({ runningCompiled, decoded: reply.pngs ? decodeQrPng(Buffer.from(reply.pngs[0])) === uri : reply.error, loaded }));
    `;
    const file = path.join(scratch, 'compiled-worker.mjs');
    writeFileSync(file, script);
    const child = run([file]);
    expect(child.status, child.stderr).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ runningCompiled: true, decoded: true, loaded: [] });
  });
});

describe('bin/build.js staleness', () => {
  it('is stale when dist/ is missing or any source differs from the stamp, not when a file is only touched', async () => {
    const copy = path.join(scratch, 'copy');
    mkdirSync(path.join(copy, 'bin'), { recursive: true });
    mkdirSync(path.join(copy, 'src/app'), { recursive: true });
    mkdirSync(path.join(copy, 'web/src'), { recursive: true });
    copyFileSync(path.join(ROOT, 'bin/build.js'), path.join(copy, 'bin/build.js'));
    const page = path.join(copy, 'web/src/main.tsx');
    writeFileSync(page, 'export const p = 1;\n');
    for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package.json']) copyFileSync(path.join(ROOT, f), path.join(copy, f));
    const source = path.join(copy, 'src/app/a.ts');
    writeFileSync(source, 'export const a = 1;\n');
    const b = (await import(pathToFileURL(path.join(copy, 'bin/build.js')).href)) as { staleReason(): string | null; sourceHash(): string };

    expect(b.staleReason()).toBe('dist/ is missing');
    mkdirSync(path.join(copy, 'dist'));
    writeFileSync(path.join(copy, 'dist/.build-stamp.json'), JSON.stringify({ sourceHash: b.sourceHash() }));
    expect(b.staleReason()).toBeNull();

    const later = new Date(Date.now() + 60_000);
    utimesSync(source, later, later);
    expect(b.staleReason(), 'a touched file compiles to the same JavaScript').toBeNull();

    writeFileSync(source, 'export const a = 2;\n');
    expect(b.staleReason()).toBe('the sources changed since dist/ was built');
    writeFileSync(source, 'export const a = 1;\n');
    writeFileSync(path.join(copy, 'src/app/b.json'), '{}');
    expect(b.staleReason(), 'a new file next to the modules').toBe('the sources changed since dist/ was built');
    rmSync(path.join(copy, 'src/app/b.json'));
    writeFileSync(page, 'export const p = 2;\n');
    expect(b.staleReason(), 'the front end is built into dist/web too').toBe('the sources changed since dist/ was built');

    rmSync(path.join(copy, 'src'), { recursive: true });
    expect(b.staleReason(), 'a dist/ shipped without its sources runs as it is').toBeNull();
  });
});
