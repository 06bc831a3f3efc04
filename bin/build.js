#!/usr/bin/env node
/**
 * The built artifact: src/ compiled by tsc (tsconfig.build.json) into dist/, with every non-TypeScript
 * file under src/ copied beside its module, the browser front end built by Vite into dist/web (web/build.js), and a stamp holding a hash of the sources it was built
 * from. `npm run build` type-checks and emits; `ensureBuilt()` (bin/start.js, bin/evote.js) rebuilds
 * only when dist/ is missing or its stamp's hash differs from the sources', emitting without the
 * type check (tsc --noCheck: same JavaScript, a third of the time; `npm run lint` checks types).
 * Plain JavaScript: node runs it before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const SRC = path.join(ROOT, 'src');
const WEB = path.join(ROOT, 'web');
const STAMP = '.build-stamp.json';
/** Besides src/, what changes the emitted JavaScript. */
const BUILD_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Every file under `dir`, relative to the root and sorted (the hash must not depend on directory order). */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}
const sourceFiles = () => filesUnder(SRC);

/** SHA-256 over the paths and contents of src/, web/ and the build's configuration. */
export function sourceHash() {
  const hash = createHash('sha256');
  for (const file of [...sourceFiles(), ...filesUnder(WEB), ...BUILD_INPUTS]) {
    hash.update(file.split(path.sep).join('/')).update('\0').update(readFileSync(path.join(ROOT, file))).update('\0');
  }
  return hash.digest('hex');
}

/** Why dist/ must be (re)built, or null when it matches the sources. */
export function staleReason() {
  const stampFile = path.join(DIST, STAMP);
  if (!existsSync(stampFile)) return 'dist/ is missing';
  // A dist shipped without its sources (a deployed artifact) is taken as it is.
  if (!existsSync(SRC)) return null;
  const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  return stamp.sourceHash === sourceHash() ? null : 'the sources changed since dist/ was built';
}

function tscPath() {
  const require = createRequire(import.meta.url);
  try {
    return require.resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

/**
 * Compiles into a fresh folder and swaps it in, so a process starting meanwhile never sees half a
 * dist/ and two concurrent builds each leave a whole one.
 */
export function build({ typeCheck = true } = {}) {
  const tsc = tscPath();
  if (!tsc) {
    throw new Error('evote: cannot build dist/: TypeScript is not installed (a production install, npm ci --omit=dev, needs `npm run build` beforehand)');
  }
  const hash = sourceHash();
  const out = path.join(ROOT, `dist.building-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  try {
    const args = [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', out, ...(typeCheck ? [] : ['--noCheck'])];
    const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) throw new Error(`evote: tsc failed (exit ${run.status ?? run.signal}); dist/ left as it was`);
    for (const file of sourceFiles()) {
      if (file.endsWith('.ts')) continue;
      cpSync(path.join(ROOT, file), path.join(out, path.relative('src', file)));
    }
    const web = spawnSync(process.execPath, [path.join(WEB, 'build.js'), path.join(out, 'web')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (web.status !== 0) throw new Error(`evote: the web build failed (exit ${web.status ?? web.signal}); dist/ left as it was`);
    writeFileSync(path.join(out, STAMP), JSON.stringify({ sourceHash: hash, builtAt: new Date().toISOString() }) + '\n');
    rmSync(DIST, { recursive: true, force: true });
    try {
      renameSync(out, DIST);
    } catch (err) {
      // Another build swapped its dist/ in between: fine if it was built from these sources.
      if (staleReason() !== null) throw err;
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Builds dist/ (without the type check) when it is missing or stale, saying so on stderr; a build
 * that cannot run or fails ends the process with its one-line reason (exit 1).
 */
export function ensureBuilt() {
  const reason = staleReason();
  if (reason === null) return;
  process.stderr.write(`evote: building dist/ (${reason})…\n`);
  try {
    build({ typeCheck: false });
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    build({ typeCheck: !process.argv.includes('--no-check') });
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  }
}
