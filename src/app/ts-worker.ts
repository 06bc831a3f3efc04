/**
 * Starts a worker_threads Worker whose entry is a TypeScript module. On Node 20 `--import tsx` in a
 * worker's execArgv is not applied to its entry module, so the worker runs a one-line JavaScript
 * bootstrap that registers tsx's ESM loader in the thread and then imports the entry.
 * Used by the tally, the audit and the QR renderer pools.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

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
  const source = `import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(source, { ...options, eval: true });
}
