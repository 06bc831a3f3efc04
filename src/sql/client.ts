/**
 * The small SQL surface shared by the event store, the projections and (later) the key store.
 * Two implementations: a `pg` pool against a real PostgreSQL server, and embedded PGlite
 * (a real Postgres compiled to WASM). The SQL written against this interface is the same for both.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { DATABASE_CONNECT_TIMEOUT_MS, databaseError } from './unavailable.ts';
import { isServiceUnavailable } from '../runtime/service-unavailable.ts';
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

interface PgModule {
  pg: typeof pg;
  /** A client whose connection attempt gives up after DATABASE_CONNECT_TIMEOUT_MS (a server that does not answer). */
  BoundedConnectClient: typeof pg.Client;
}
let pgModule: PgModule | undefined;
/** node-postgres, loaded on first use: an embedded server never needs it (docs/operations.md, "Memory"). */
function loadPg(): PgModule {
  if (!pgModule) {
    const pg = createRequire(import.meta.url)('pg') as typeof import('pg');
    // bigint (int8) columns come back as numbers: positions and revisions stay far below 2^53.
    pg.types.setTypeParser(20, (v: string) => Number(v));
    class BoundedConnectClient extends pg.Client {
      constructor(config: import('pg').ClientConfig = {}) {
        super({ ...config, connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT_MS });
      }
    }
    pgModule = { pg, BoundedConnectClient };
  }
  return pgModule;
}

/** How often a lost LISTEN connection is re-opened; appends are still seen by polling meanwhile. */
const LISTEN_RETRY_MS = 1_000;

/**
 * A `pg` pool. An outage (refused, terminated, timed-out connection) rejects with
 * ServiceUnavailableError('database') within about a second (docs/resilience.md); other errors as pg gives them.
 */
export function createPgClient(connectionString: string, opts: { max?: number } = {}): SqlClient {
  const { pg, BoundedConnectClient } = loadPg();
  // Only opening a connection is bounded: a pool busy under load keeps its queue, as before.
  const pool = new pg.Pool({ connectionString, max: opts.max ?? 10, Client: BoundedConnectClient });
  // An idle client's error (server restart) must not crash the process; the pool replaces it. A client
  // checked out when its backend is terminated emits 'error' too: its query rejects, the event is noise.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const connect = () => pool.connect().catch((err: unknown) => Promise.reject(databaseError(err)));
  const run = async <R>(q: { query: pg.Pool['query'] }, sql: string, params?: unknown[]) => {
    try {
      const res = await q.query(sql, params as unknown[]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
    } catch (err) {
      throw databaseError(err);
    }
  };
  let listener: Promise<pg.Client> | undefined;
  let closed = false;
  const handlers = new Map<string, Set<(payload: string) => void>>();

  // Re-opened after the server drops it (restart, outage), with every channel listened to again.
  const openListener = (): Promise<pg.Client> => {
    const client = new BoundedConnectClient({ connectionString });
    client.on('error', () => {});
    client.on('notification', (msg) => {
      for (const h of handlers.get(msg.channel) ?? []) h(msg.payload ?? '');
    });
    const opened = (async () => {
      await client.connect();
      for (const channel of handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return client;
    })();
    const reopen = () => {
      if (closed || listener !== opened) return;
      listener = undefined;
      setTimeout(() => {
        if (!closed && !listener && handlers.size > 0) listener = openListener();
      }, LISTEN_RETRY_MS).unref();
    };
    client.on('end', reopen);
    opened.catch(() => {
      void client.end().catch(() => {});
      reopen();
    });
    return opened;
  };

  return {
    kind: 'postgres',
    query: <R>(sql: string, params?: unknown[]) => run<R>(pool, sql, params),
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const conn = await connect();
      let lost = false;
      try {
        await run(conn, 'BEGIN');
        const out = await fn({ query: (sql, params) => run(conn, sql, params) });
        await run(conn, 'COMMIT');
        return out;
      } catch (err) {
        const mapped = databaseError(err);
        lost = mapped !== err || isServiceUnavailable(err);
        if (!lost) await conn.query('ROLLBACK').catch(() => {});
        throw mapped;
      } finally {
        // A connection that failed under us is discarded, not handed to the next caller.
        conn.release(lost);
      }
    },
    async session<T>(fn: (conn: SqlExecutor) => Promise<T>): Promise<T> {
      const conn = await connect();
      let failed = false;
      try {
        return await fn({ query: (sql, params) => run(conn, sql, params) });
      } catch (err) {
        failed = true;
        throw databaseError(err);
      } finally {
        // A failed session may hold a lock or an open transaction: close the connection, do not reuse it.
        conn.release(failed);
      }
    },
    async listen(channel, onNotify) {
      let set = handlers.get(channel);
      const first = !set;
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
      }
      set.add(onNotify);
      try {
        if (!listener) listener = openListener();
        const client = await listener;
        if (first) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      } catch (err) {
        set.delete(onNotify);
        if (set.size === 0) handlers.delete(channel);
        throw databaseError(err);
      }
      const own = set;
      return async () => {
        own.delete(onNotify);
      };
    },
    async close() {
      closed = true;
      const client = await listener?.catch(() => undefined);
      if (client) await client.end().catch(() => {});
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
