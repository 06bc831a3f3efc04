/**
 * A knex instance whose one connection is a session of our SqlClient: knex compiles PostgreSQL
 * with its `pg` dialect and sends each statement through `SqlExecutor`, so its migrator runs the
 * same on `pg` and on PGlite. It overrides knex internals (`_query`, connection acquisition), which
 * is why knex is pinned to an exact version in package.json.
 */
import knex, { type Knex } from 'knex';
import type { SqlExecutor } from './client.ts';

// knex exports its base Client, not its pg dialect: an unconnected pg instance hands the class over.
const PgDialect = Object.getPrototypeOf(knex({ client: 'pg' }).client).constructor as typeof knex.Client;

interface CompiledQuery {
  sql: string;
  bindings?: unknown[];
  response?: unknown;
}

const silent = { warn() {}, error() {}, debug() {}, deprecate() {} };

/** knex over one session; every query, BEGIN and COMMIT included, goes to `conn`. Call `destroy()` after. */
export function knexOverSession(conn: SqlExecutor): Knex {
  class SessionClient extends PgDialect {
    override acquireConnection() {
      return Promise.resolve(conn);
    }

    override releaseConnection() {
      return Promise.resolve();
    }

    async _query(connection: SqlExecutor, obj: CompiledQuery): Promise<CompiledQuery> {
      const res = await connection.query(obj.sql, obj.bindings ?? []);
      // The pg dialect's processResponse reads the statement's command tag, which SqlResult lacks.
      obj.response = { ...res, command: /^\s*(\w+)/.exec(obj.sql)?.[1]?.toUpperCase() };
      return obj;
    }
  }
  // Errors are thrown to the caller; knex's own console warnings would only repeat them.
  return knex({ client: SessionClient, log: silent });
}
