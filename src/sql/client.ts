/**
 * The small SQL surface shared by the event store, the projections and (later) the key store.
 * Two implementations: a `pg` pool against a real PostgreSQL server, and embedded PGlite
 * (a real Postgres compiled to WASM). The SQL written against this interface is the same for both.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { createPgliteDataDir } from './pglite-data-dir.ts';

export interface SqlResult<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
}

export interface SqlExecutor {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<SqlResult<R>>;
}

export interface SqlClient extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction on one connection; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` on one connection held until it settles, outside any transaction: for work that
   * spans statements on one session (a session-level advisory lock, BEGIN/COMMIT sent by knex).
   */
  session<T>(fn: (conn: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for each NOTIFY on `channel` (from any process on Postgres). Returns an unlisten function.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** PGlite only: the bytes of its WASM memory, which grows and never shrinks (a metric). */
  wasmMemoryBytes?(): number | undefined;
  close(): Promise<void>;
}

let pgModule: typeof pg | undefined;
/** node-postgres, loaded on first use: an embedded server never needs it (docs/operations.md, "Memory"). */
function loadPg(): typeof pg {
  if (!pgModule) {
    pgModule = createRequire(import.meta.url)('pg') as typeof pg;
    // bigint (int8) columns come back as numbers: positions and revisions stay far below 2^53.
    pgModule.types.setTypeParser(20, (v: string) => Number(v));
  }
  return pgModule;
}

export function createPgClient(connectionString: string, opts: { max?: number } = {}): SqlClient {
  const pg = loadPg();
  const pool = new pg.Pool({ connectionString, max: opts.max ?? 10 });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  let listener: pg.Client | undefined;
  const handlers = new Map<string, Set<(payload: string) => void>>();

  return {
    kind: 'postgres',
    async query<R>(sql: string, params?: unknown[]) {
      const res = await pool.query(sql, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const tx: SqlExecutor = {
          async query<R>(sql: string, params?: unknown[]) {
            const res = await conn.query(sql, params as unknown[]);
            return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
          },
        };
        const out = await fn(tx);
        await conn.query('COMMIT');
        return out;
      } catch (err) {
        await conn.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        conn.release();
      }
    },
    async session<T>(fn: (conn: SqlExecutor) => Promise<T>): Promise<T> {
      const conn = await pool.connect();
      let failed = false;
      try {
        return await fn({
          async query<R>(sql: string, params?: unknown[]) {
            const res = await conn.query(sql, params as unknown[]);
            return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
          },
        });
      } catch (err) {
        failed = true;
        throw err;
      } finally {
        // A failed session may hold a lock or an open transaction: close the connection, do not reuse it.
        conn.release(failed);
      }
    },
    async listen(channel, onNotify) {
      if (!listener) {
        listener = new pg.Client({ connectionString });
        listener.on('error', () => {});
        await listener.connect();
        listener.on('notification', (msg) => {
          for (const h of handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
        });
      }
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await listener.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      }
      set.add(onNotify);
      return async () => {
        set.delete(onNotify);
      };
    },
    async close() {
      if (listener) await listener.end().catch(() => {});
      await pool.end();
    },
  };
}

/**
 * PGlite's postgres sized for an embedded server: its WASM memory never shrinks, so every buffer
 * postgres fills stays resident (defaults and figures: docs/operations.md, "Memory").
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  wal_buffers: '1MB',
  temp_buffers: '2MB',
  maintenance_work_mem: '16MB',
};

const pgliteStartParams = Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]);

/** Embedded PostgreSQL: in memory, or under `dataDir` (created by a child process when new). */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient> {
  if (dataDir) await createPgliteDataDir(dataDir, pgliteStartParams);
  const db = await PGlite.create({ ...(dataDir ? { dataDir } : {}), startParams: [...PGlite.defaultStartParams, ...pgliteStartParams] });
  // `mod` is PGlite's Emscripten module, protected in its types: read for the metric only.
  const wasmHeap = () => (db as unknown as { mod?: { HEAPU8?: Uint8Array } }).mod?.HEAPU8?.byteLength;
  // PGlite is one connection: transactions must not interleave with other queries.
  let chain: Promise<unknown> = Promise.resolve();
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => {});
    return run;
  };
  const exec = async <R>(q: { query: PGlite['query'] }, sql: string, params?: unknown[]) => {
    const res = await q.query<R>(sql, params as unknown[]);
    return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
  };
  return {
    kind: 'pglite',
    query: (sql, params) => serialize(() => exec(db, sql, params)),
    transaction: (fn) =>
      serialize(() => db.transaction((tx) => fn({ query: (sql, params) => exec(tx as unknown as { query: PGlite['query'] }, sql, params) }))),
    session: (fn) => serialize(() => fn({ query: (sql, params) => exec(db, sql, params) })),
    async listen(channel, onNotify) {
      const unsub = await db.listen(channel, onNotify);
      return async () => {
        await unsub();
      };
    },
    wasmMemoryBytes: wasmHeap,
    async close() {
      await db.close();
    },
  };
}
