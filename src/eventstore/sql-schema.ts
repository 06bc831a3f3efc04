/**
 * Tables of the SQL event store and the advisory-lock keys it uses. The same DDL runs on
 * PostgreSQL and PGlite. Advisory-lock keys share one namespace per database with every other
 * component, so they are fixed, documented constants (docs/eventstore.md).
 */
import type { SqlClient } from '../sql/client.ts';

/** Serialises schema creation when several processes start at once. */
export const SCHEMA_LOCK_KEY = 7_302_846_110;
/**
 * Taken (transaction-scoped) at the start of every append transaction: appenders commit one after
 * another, in position order, so readers never see a later position before an earlier one.
 */
export const APPEND_LOCK_KEY = 7_302_846_111;
/** NOTIFY channel carrying the last committed position, to wake subscribers in other processes. */
export const EVENTS_CHANNEL = 'evote_events';

const DDL = [
  `create table if not exists evote_events (
     position    bigint      primary key,
     id          uuid        not null unique,
     stream_id   text        not null,
     revision    bigint      not null,
     type        text        not null,
     data        jsonb       not null,
     metadata    jsonb       not null,
     recorded_at timestamptz not null default clock_timestamp(),
     unique (stream_id, revision)
   )`,
  `create table if not exists evote_streams (
     stream_id text   primary key,
     revision  bigint not null,
     position  bigint not null
   )`,
];

/** Creates the tables when absent. Idempotent; concurrent callers queue on an advisory lock. */
export async function ensureEventStoreSchema(sql: SqlClient): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`);
    for (const statement of DDL) await tx.query(statement);
  });
}
