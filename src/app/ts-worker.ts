/**
 * Starts a worker_threads Worker whose entry is a TypeScript module; used by the tally, the audit
 * and the QR renderer pools.
 *
 * First choice: the entry and everything it imports bundled once per process into one plain
 * CommonJS script by esbuild (~0.1 s), so a worker starts in ~0.05 s. Fallback, when esbuild cannot
 * be loaded or the bundle fails: a one-line JavaScript bootstrap that registers tsx's ESM loader in
 * the thread and then imports the entry (on Node 20 `--import tsx` in a worker's execArgv is not
 * applied to its entry module). The loader costs each worker 0.3-0.8 s of CPU before its first job
 * (a hooks thread, a transform per module, a synchronous round trip per import), which a tally or
 * an audit pays at every start. Same sources, same code either way: only the loading differs.
 * In the bundle (CommonJS) every module's import.meta.url is the entry's URL: enough for
 * createRequire, not for reading files next to a module.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

type Esbuild = typeof import('esbuild');

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

export function startTsWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const code = bundleWorkerEntry(entry);
  if (code !== null) return new Worker(code, { ...options, eval: true });
  const source = `import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(source, { ...options, eval: true });
}
