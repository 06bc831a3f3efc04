/**
 * Schema version 1: the schema release 0.1.0 created at start-up, statement for statement. Every
 * statement is idempotent, so a database that release created adopts version 1 without a change.
 * Released migrations never change (docs/migrations.md).
 */
import type { Knex } from 'knex';
import { runStatements, type Migration } from './migration.ts';

const EVENT_STORE = [
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
  // 7302846111 is APPEND_LOCK_KEY (src/eventstore/sql-schema.ts); docs/eventstore.md explains the function.
  `create or replace function evote_append_group(
     expected_streams text, planned_head bigint, planned_last bigint, event_rows text, stream_rows text, channel text)
   returns bigint language plpgsql volatile as $fn$
   declare
     actual_head bigint;
     delta bigint;
   begin
     perform pg_advisory_xact_lock(7302846111);
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
   $fn$`,
];

const KEY_STORE = [
  `create table if not exists evote_keystore (
     name       text        primary key,
     nonce      bytea       not null,
     ciphertext bytea       not null,
     created_at timestamptz not null default now()
   )`,
];

const BALLOT_POOL = [
  `create table if not exists evote_pool (
     stream_id         text   primary key,
     election_id       text   not null,
     kind              text   not null,
     expected_revision bigint null,
     event             text   not null
   )`,
  `create index if not exists evote_pool_election on evote_pool (election_id, kind)`,
  `create table if not exists evote_pool_elections (
     election_id    text    primary key,
     admitted_casts integer not null default 0,
     closing        boolean not null default false
   )`,
];

const READ_MODELS = [
  `create table if not exists evote_projection_checkpoints (name text primary key, position bigint not null default 0)`,
  `create table if not exists elections (
     election_id text primary key,
     theme text not null,
     choices jsonb not null,
     expected_voters integer not null,
     status text not null,
     voter_count integer not null default 0,
     closes_at timestamptz null,
     created_at timestamptz not null,
     started_at timestamptz null,
     ended_at timestamptz null,
     position bigint not null,
     authority_public_key text not null,
     ballot_public_key text not null,
     log_public_key text not null
   )`,
  `create table if not exists voters (
     voter_id text primary key,
     election_id text not null,
     email_encrypted text not null,
     registered_at timestamptz not null,
     credential_status text not null default 'none',
     channel text null,
     issued_at timestamptz null,
     delivery_failure text null
   )`,
  `create index if not exists voters_election_registered_idx on voters (election_id, registered_at, voter_id)`,
  `create table if not exists credentials (
     hash_n1 text primary key,
     hash_n2 text not null,
     election_id text not null,
     used boolean not null default false,
     position bigint not null
   )`,
  `create index if not exists credentials_election_idx on credentials (election_id, used)`,
  `create table if not exists votes (
     position bigint primary key,
     ballot_hash text not null,
     election_id text not null,
     ciphertext text not null,
     submitted_at timestamptz not null
   )`,
  `create index if not exists votes_election_position on votes (election_id, position)`,
  `create index if not exists votes_ballot_hash on votes (ballot_hash)`,
  // Keyed per election: the same ciphertext bytes cast in two elections are two ballots.
  `create table if not exists counted_votes (
     election_id text not null,
     ballot_hash text not null,
     n2_commitment text null,
     choice text null,
     status text not null,
     position bigint not null,
     primary key (election_id, ballot_hash)
   )`,
  `create index if not exists counted_votes_by_commitment on counted_votes (election_id, n2_commitment, position)`,
  `create table if not exists results (
     election_id text not null,
     choice text not null,
     votes integer not null,
     primary key (election_id, choice)
   )`,
  `create table if not exists tally_status (
     election_id text primary key,
     status text not null,
     ballots integer not null,
     counted integer not null default 0,
     statuses jsonb null,
     started_at timestamptz not null,
     published_at timestamptz null,
     position bigint not null
   )`,
  `create table if not exists log_trees (
     election_id text primary key,
     size integer not null,
     frontier jsonb not null,
     root text not null,
     last_position bigint not null,
     checkpoint_size integer not null default 0,
     checkpoint_revision integer null,
     checkpointed_at timestamptz null
   )`,
  `create table if not exists log_leaves (
     election_id text not null,
     idx integer not null,
     position bigint not null,
     hash bytea not null,
     type text not null,
     ballot_hash text null,
     n2_commitment text null,
     status text null,
     choice text null,
     primary key (election_id, idx)
   )`,
  `create index if not exists log_leaves_ballot on log_leaves (election_id, ballot_hash) where ballot_hash is not null`,
  `create index if not exists log_leaves_n2_commitment on log_leaves (election_id, n2_commitment) where n2_commitment is not null`,
  `create table if not exists log_heads (
     election_id text not null,
     size integer not null,
     root text not null,
     last_position bigint not null,
     primary key (election_id, size)
   )`,
  `create table if not exists log_checkpoints (
     election_id text not null,
     revision integer not null,
     size integer not null,
     root text not null,
     last_position bigint not null,
     signature text not null,
     checkpointed_at text not null,
     position bigint not null,
     primary key (election_id, revision)
   )`,
];

export const baseline: Migration = {
  name: '0001_baseline',
  async up(knex: Knex) {
    await runStatements(knex, [...EVENT_STORE, ...KEY_STORE, ...BALLOT_POOL, ...READ_MODELS]);
  },
  async down() {
    throw new Error('0001_baseline cannot be undone: restore a backup taken before the upgrade');
  },
};
