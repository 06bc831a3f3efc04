/**
 * Creates a PGlite data directory (initdb) in a child process. initdb in the server's own process
 * leaves ~450 MB behind: a second WASM instance, a copy of its heap, and malloc arenas that a
 * worker thread's exit does not return either (docs/operations.md, "Memory").
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Run by `node -e` in the child: argv holds PGlite's module, the data dir and the start parameters. */
const INITDB_SCRIPT = `
const [modulePath, dataDir, params] = process.argv.slice(1);
const { PGlite } = require(modulePath);
PGlite.create({ dataDir, startParams: [...PGlite.defaultStartParams, ...JSON.parse(params)] })
  .then((db) => db.close())
  .catch((err) => { process.stderr.write(String((err && err.message) || err)); process.exit(1); });
`;

/** True when `dataDir` already holds a database (PGlite looks for the same file). */
export function pgliteDataDirExists(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

/** Runs PGlite's initdb for `dataDir` in a child process, unless it already holds a database. */
export async function createPgliteDataDir(dataDir: string, startParams: readonly string[]): Promise<void> {
  if (pgliteDataDirExists(dataDir)) return;
  // PGlite's CommonJS build: `node -e` runs a script, and a path needs no URL.
  const modulePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const child = spawn(process.execPath, ['-e', INITDB_SCRIPT, modulePath, path.resolve(dataDir), JSON.stringify(startParams)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) throw new Error(`creating the PGlite database in ${dataDir} failed (exit ${code}): ${stderr.trim()}`);
}
