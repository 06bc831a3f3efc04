/**
 * Runs a bench load generator (login-load.ts, request-load.ts) on a worker thread. A worker's entry
 * cannot be a .ts file on Node 20, so a tiny bootstrap registers tsx's ESM loader first (as
 * src/tally/pool.ts does).
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function tsxBootstrap(entry: string): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const { exports } = require(manifest) as { exports: Record<string, { import?: { default?: string } }> };
  const api = pathToFileURL(path.join(path.dirname(manifest), exports['./esm/api']?.import?.default ?? '')).href;
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}

/** Starts `module` (a file next to this one) with `data` and resolves with the first message it posts. */
export async function runLoadWorker<T>(module: string, data: unknown): Promise<T> {
  const worker = new Worker(tsxBootstrap(new URL(module, import.meta.url).href), { eval: true, workerData: data });
  try {
    return await new Promise<T>((resolve, reject) => {
      worker.once('message', (m: T) => resolve(m));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`load worker ${module} exited with ${code} before reporting`)));
    });
  } finally {
    await worker.terminate();
  }
}
