/**
 * Starts a worker_threads Worker from a TypeScript entry (`new URL('./worker.ts', import.meta.url)`);
 * used by the tally, audit, QR, x25519 and signing pools. Two running modes, same sources:
 *
 * - compiled (`npm start`, `evote`: this module is dist/…/worker-thread.js): the entry's `.js`
 *   sibling in dist is loaded as it is; no esbuild or tsx at run time.
 * - sources (vitest, tsx): the entry and its imports are bundled once per process into one
 *   CommonJS script by esbuild; when esbuild cannot be loaded, a bootstrap registers tsx's ESM loader
 *   in the thread (on Node 20 `--import tsx` in a worker's execArgv is not applied to its entry).
 *   Both are devDependencies, loaded only on this path. Costs: docs/architecture.md, "Running modes".
 *
 * In the bundle every module's import.meta.url is the entry's URL: enough for createRequire, not
 * for reading files next to a module.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

type Esbuild = typeof import('esbuild');

/** True when this module runs compiled (from dist), false under vitest or tsx. */
export const runningCompiled: boolean = import.meta.url.endsWith('.js');

/** The entry's compiled sibling: `x.ts` → `x.js` in the same folder. */
function compiledEntry(entry: URL): URL {
  return new URL(entry.href.replace(/\.ts$/, '.js'));
}

/** entry href → bundled script, or null when bundling is not possible (then: the tsx loader). */
const bundles = new Map<string, string | null>();

/** The entry bundled into one script (cached per process), or null when esbuild is not usable. */
export function bundleWorkerEntry(entry: URL): string | null {
  const cached = bundles.get(entry.href);
  if (cached !== undefined) return cached;
  const code = tryBundle(entry);
  bundles.set(entry.href, code);
  return code;
}

function tryBundle(entry: URL): string | null {
  try {
    const esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
    const out = esbuild.buildSync({
      entryPoints: [fileURLToPath(entry)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // A CommonJS bundle has no import.meta: every module of it sees the entry's URL instead, so
      // createRequire(import.meta.url) still resolves packages from the sources' node_modules.
      define: { 'import.meta.url': JSON.stringify(entry.href) },
      write: false,
      logLevel: 'silent',
    });
    return out.outputFiles[0]?.text ?? null;
  } catch {
    return null;
  }
}

let bootstrapApi: string | undefined;

/** The ESM build of `tsx/esm/api` (require.resolve would pick its CommonJS build). */
function tsxEsmApiUrl(): string {
  if (bootstrapApi) return bootstrapApi;
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as { exports: Record<string, { import?: { default?: string } }> };
  const entry = exports['./esm/api']?.import?.default;
  if (!entry) throw new Error('tsx does not export ./esm/api for import');
  bootstrapApi = pathToFileURL(path.join(path.dirname(manifest), entry)).href;
  return bootstrapApi;
}

/** A worker running `entry` (a `.ts` URL next to the caller), in whichever mode this process runs. */
export function startWorkerThread(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (runningCompiled) return new Worker(compiledEntry(entry), options);
  const code = bundleWorkerEntry(entry);
  if (code !== null) return new Worker(code, { ...options, eval: true });
  const source = `import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(source, { ...options, eval: true });
}
