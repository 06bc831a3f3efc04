/**
 * The booth's bytes must not depend on where or when they are built: an auditor compares the hash a
 * server serves (`evote booth hash --url`) with a build from a fresh clone. Two builds, one from a
 * copy of web/ at another path, must give identical files.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { boothFiles, boothHash, buildWeb, WEB } from '../../web/build.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'evote-web-build-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = readFileSync(path.join(e.parentPath, e.name)).toString('base64');
  }
  return out;
}

describe('the web build', () => {
  it('gives the same bytes from another checkout path and another output directory', async () => {
    const first = path.join(scratch, 'out-a');
    await buildWeb(first);

    // Another checkout: web/ copied elsewhere, resolving packages through a node_modules link.
    const checkout = path.join(scratch, 'elsewhere', 'clone');
    cpSync(WEB, path.join(checkout, 'web'), { recursive: true });
    cpSync(path.join(WEB, '..', 'src'), path.join(checkout, 'src'), { recursive: true });
    // package.json's "type": "module" decides how CommonJS packages are wrapped in the bundle.
    for (const f of ['package.json', 'tsconfig.json']) cpSync(path.join(WEB, '..', f), path.join(checkout, f));
    symlinkSync(path.join(WEB, '..', 'node_modules'), path.join(checkout, 'node_modules'));
    const other = (await import(pathToFileURL(path.join(checkout, 'web', 'build.js')).href)) as { buildWeb: (out: string) => Promise<void> };
    const second = path.join(scratch, 'out-b');
    await other.buildWeb(second);

    const a = tree(first);
    expect(Object.keys(a)).toContain('vote.html');
    const b = tree(second);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect(b[k], k).toBe(a[k]);
  }, 120_000);

  it("records the booth's hash over exactly the files vote.html loads", async () => {
    const out = path.join(scratch, 'out-a');
    const manifest = JSON.parse(readFileSync(path.join(out, 'booth.json'), 'utf8')) as { sha256: string; files: { path: string; sha256: string }[] };
    expect(manifest.files.map((f) => f.path)).toEqual(boothFiles(out));
    expect(manifest.files.some((f) => /^assets\/booth-.*\.js$/.test(f.path))).toBe(true);
    expect(boothHash(manifest.files)).toBe(manifest.sha256);
    // One changed byte in any booth file changes the hash.
    const changed = manifest.files.map((f, i) => (i === 0 ? { ...f, sha256: f.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0')) } : f));
    expect(boothHash(changed)).not.toBe(manifest.sha256);
  });
});
