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

/**
 * One group append in one statement (so one round trip, its COMMIT included when sent outside a
 * transaction): take the append lock, check that every stream of the group still has the revision
 * the group was planned on (`revision` null = no stream), then insert the planned rows shifted by
 * however far the head moved since planning, upsert the streams and notify. Returns the head the
 * rows were placed after, or null (nothing written) when a stream moved: the caller plans again.
 *
 * VOLATILE plpgsql runs each statement on a fresh snapshot (READ COMMITTED), so everything after
 * the lock sees every transaction that held it before: the same rule as the locked transaction.
 */
const APPEND_GROUP_FUNCTION = `create or replace function evote_append_group(
     expected_streams text, planned_head bigint, planned_last bigint, event_rows text, stream_rows text, channel text)
   returns bigint language plpgsql volatile as $fn$
   declare
     actual_head bigint;
     delta bigint;
   begin
     perform pg_advisory_xact_lock(${APPEND_LOCK_KEY});
     if exists (
       select 1 from jsonb_to_recordset(expected_streams::jsonb) as x(stream_id text, revision bigint)
       left join evote_streams s on s.stream_id = x.stream_id
       where s.revision is distinct from x.revision
     ) then
       return null;
     end if;
     select coalesce(max(position), 0) into actual_head from evote_events;
     delta := actual_head - planned_head;
     insert into evote_events (position, id, stream_id, revision, type, data, metadata)
       select x.position + delta, x.id, x.stream_id, x.revision, x.type, coalesce(x.data, 'null'::jsonb), x.metadata
       from jsonb_to_recordset(event_rows::jsonb)
         as x(position bigint, id uuid, stream_id text, revision bigint, type text, data jsonb, metadata jsonb);
     insert into evote_streams (stream_id, revision, position)
       select x.stream_id, x.revision, x.position + delta
       from jsonb_to_recordset(stream_rows::jsonb) as x(stream_id text, revision bigint, position bigint)
       on conflict (stream_id) do update set revision = excluded.revision, position = excluded.position;
     perform pg_notify(channel, (planned_last + delta)::text);
     return actual_head;
   end
   $fn$`;

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
  APPEND_GROUP_FUNCTION,
];

/** Creates the tables when absent. Idempotent; concurrent callers queue on an advisory lock. */
export async function ensureEventStoreSchema(sql: SqlClient): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`);
    for (const statement of DDL) await tx.query(statement);
  });
}
