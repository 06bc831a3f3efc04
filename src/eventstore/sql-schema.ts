/**
 * Tables of the SQL event store and its advisory-lock keys, fixed because they share one namespace
 * per database (docs/eventstore.md).
 */
import type { SqlClient } from '../sql/client.ts';

export const SCHEMA_LOCK_KEY = 7_302_846_110;
/** Taken by every append: appenders commit in position order, so readers never see a later one first. */
export const APPEND_LOCK_KEY = 7_302_846_111;
export const EVENTS_CHANNEL = 'evote_events';

/**
 * One group append in one statement: lock, check the planned-on revisions, insert the rows shifted to
 * the current head, notify. Null when a stream moved (docs/eventstore.md, step 3).
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

export async function ensureEventStoreSchema(sql: SqlClient): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`);
    for (const statement of DDL) await tx.query(statement);
  });
}
