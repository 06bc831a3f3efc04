/**
 * Builds the browser front end with Vite into `<outDir>`: the booth (vote.html) alone in one script
 * and one stylesheet, so its hash covers a fixed set of files, then the board, the console and the
 * home page. Writes `booth.json`, the booth bundle's hash (docs/web.md, "Trusting the booth").
 * Plain JavaScript: bin/build.js runs it before anything is compiled.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export const WEB = path.dirname(fileURLToPath(import.meta.url));

const shared = (outDir) => ({
  root: WEB,
  mode: 'production',
  configFile: false,
  base: '/',
  logLevel: 'warn',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir, emptyOutDir: false, sourcemap: false, reportCompressedSize: false, modulePreload: { polyfill: false }, target: 'es2022' },
});

/** The booth's files, relative to outDir, as vote.html references them (script, stylesheet, worker). */
export function boothFiles(outDir) {
  const html = readFileSync(path.join(outDir, 'vote.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]);
  return ['vote.html', ...new Set(refs)].sort();
}

/** SHA-256 over each booth file's path and SHA-256: what `evote booth hash` recomputes from a server. */
export function boothHash(files) {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) h.update(`${f.path}\0${f.sha256}\n`);
  return h.digest('hex');
}

/** Builds into outDir; the bytes depend only on web/, src/ and the locked packages. */
export async function buildWeb(outDir) {
  // Vite reads NODE_ENV (vitest sets it to "test") and changes the output with it: pin it.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await buildAll(outDir);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

async function buildAll(outDir) {
  const { build } = await import('vite');
  const base = shared(outDir);
  await build({
    ...base,
    build: {
      ...base.build,
      emptyOutDir: true,
      rollupOptions: { input: { vote: path.join(WEB, 'vote.html') }, output: { codeSplitting: false, entryFileNames: 'assets/booth-[hash].js', assetFileNames: 'assets/booth-[hash][extname]' } },
    },
  });
  await build({
    ...base,
    build: {
      ...base.build,
      rollupOptions: {
        input: { index: path.join(WEB, 'index.html'), board: path.join(WEB, 'board.html'), admin: path.join(WEB, 'admin.html') },
      },
    },
  });
  const files = boothFiles(outDir).map((p) => ({ path: p, sha256: createHash('sha256').update(readFileSync(path.join(outDir, p))).digest('hex') }));
  writeFileSync(path.join(outDir, 'booth.json'), JSON.stringify({ sha256: boothHash(files), files }, null, 2) + '\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node web/build.js <outDir>\n');
    process.exit(2);
  }
  buildWeb(path.resolve(out)).catch((err) => {
    process.stderr.write(`evote: the web build failed: ${err.message}\n`);
    process.exit(1);
  });
}
