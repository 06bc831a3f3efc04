/**
 * `evote booth hash`: the hash of the booth a running server serves (--url, bytes downloaded over
 * HTTP) equals the local build's, booth.json's and web/build.js's definition; a build changed after
 * it was made is refused; the server logs the same hash once at start-up.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boothFiles, boothHash } from '../../web/build.js';
import { builtWebRoot } from '../support/browser.ts';
import { runEvote } from '../support/run-cli.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';
import { createLogger } from '../../src/runtime/log.ts';

let root: string;
let cluster: TestCluster;
let scratch: string;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  root = await builtWebRoot();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'evote-booth-hash-'));
  const log = createLogger({ level: 'info', destination: { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) } });
  cluster = await startTestCluster({ log });
}, 180_000);

afterAll(async () => {
  await cluster?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

interface Out {
  sha256: string;
  source: string;
  files: { path: string; sha256: string }[];
}

describe('evote booth hash', () => {
  it('computes from the served bytes the same hash as the local build, booth.json and the build script; the server logged it', async () => {
    const recorded = JSON.parse(await readFile(path.join(root, 'booth.json'), 'utf8')) as { sha256: string };
    const definition = boothHash(
      await Promise.all(boothFiles(root).map(async (p) => ({ path: p, sha256: createHash('sha256').update(await readFile(path.join(root, p))).digest('hex') }))),
    );
    expect(recorded.sha256).toBe(definition);

    const local = await runEvote(['booth', 'hash', '--json'], { EVOTE_WEB_ROOT: root });
    expect(local.stderr).toBe('');
    expect(local.code).toBe(0);
    const l = JSON.parse(local.stdout) as Out;
    expect(l.sha256).toBe(recorded.sha256);
    expect(l.files.map((f) => f.path)).toEqual(boothFiles(root));
    expect(l.files.some((f) => f.path.endsWith('.js'))).toBe(true);

    const httpUrl = cluster.systems[0]!.gateway!.httpUrl;
    const served = await runEvote(['booth', 'hash', '--url', httpUrl, '--json'], {});
    expect(served.code).toBe(0);
    const s = JSON.parse(served.stdout) as Out;
    expect(s.sha256).toBe(recorded.sha256);
    expect(s.source).toBe(`${httpUrl}/vote`);
    // The gateway's WebSocket URL works too, and the human output leads with the hash.
    const human = await runEvote(['booth', 'hash', '--url', cluster.systems[0]!.gateway!.url], {});
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toBe(`booth hash  ${recorded.sha256}`);

    const logged = logLines.filter((l) => l.msg === 'booth bundle');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.boothHash).toBe(recorded.sha256);
  }, 120_000);

  it('refuses a local build whose files changed after booth.json was written, and reports an unreachable server', async () => {
    const copy = path.join(scratch, 'web');
    await cp(root, copy, { recursive: true });
    const js = boothFiles(copy).find((p) => p.endsWith('.js'))!;
    await writeFile(path.join(copy, js), (await readFile(path.join(copy, js), 'utf8')) + '\n/* changed */\n');
    const changed = await runEvote(['booth', 'hash', '--web-root', copy, '--json'], {});
    expect(changed.code).toBe(1);
    expect((JSON.parse(changed.stderr) as { error: { code: string } }).error.code).toBe('BOOTH_HASH_MISMATCH');

    const missing = await runEvote(['booth', 'hash', '--web-root', path.join(scratch, 'nothing')], {});
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('BOOTH_NOT_BUILT');

    const unreachable = await runEvote(['booth', 'hash', '--url', 'http://127.0.0.1:1'], {});
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('BOOTH_FETCH_FAILED');
  }, 60_000);
});
