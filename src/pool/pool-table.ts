/**
 * The ballot pool's storage: no time column and no serial, and rows go when released, so nothing of
 * arrival order outlives the release (docs/protocol.md, "The ballot pool"). Tables: src/sql/migrations/.
 */
import type { EventData } from '../eventstore/port.ts';
import type { SqlExecutor } from '../sql/client.ts';

export type PooledKind = 'cast' | 'sign' | 'spend';

export interface PooledEvent {
  electionId: string;
  streamId: string;
  kind: PooledKind;
  /** The stream's revision the event was decided on (-1: a new stream), or null for "any" (a voter stream). */
  expectedRevision: number | null;
  event: EventData & { id: string };
}

export const POOL_TABLE = 'evote_pool';
export const POOL_ELECTIONS_TABLE = 'evote_pool_elections';

interface PoolRow {
  stream_id: string;
  election_id: string;
  kind: PooledKind;
  expected_revision: number | string | null;
  event: string;
}

const toPooled = (r: PoolRow): PooledEvent => ({
  electionId: r.election_id,
  streamId: r.stream_id,
  kind: r.kind,
  expectedRevision: r.expected_revision === null ? null : Number(r.expected_revision),
  event: JSON.parse(r.event) as PooledEvent['event'],
});

export async function pooledByStream(sql: SqlExecutor, streamIds: readonly string[]): Promise<Map<string, PooledEvent>> {
  if (streamIds.length === 0) return new Map();
  const { rows } = await sql.query<PoolRow>(`select * from ${POOL_TABLE} where stream_id = any($1::text[])`, [streamIds]);
  return new Map(rows.map((r) => [r.stream_id, toPooled(r)]));
}

export async function pooledOfElection(sql: SqlExecutor, electionId: string, kinds?: readonly PooledKind[]): Promise<PooledEvent[]> {
  const { rows } = kinds
    ? await sql.query<PoolRow>(`select * from ${POOL_TABLE} where election_id = $1 and kind = any($2::text[])`, [electionId, kinds])
    : await sql.query<PoolRow>(`select * from ${POOL_TABLE} where election_id = $1`, [electionId]);
  return rows.map(toPooled);
}

/** One statement: stores the admitted events and adds the casts among them to the election's count (returned). */
export async function countPooled(sql: SqlExecutor, electionId: string, kind?: PooledKind): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    `select count(*)::int as n from ${POOL_TABLE} where election_id = $1 and ($2::text is null or kind = $2)`,
    [electionId, kind ?? null],
  );
  return rows[0]!.n;
}

export async function storeAdmission(sql: SqlExecutor, electionId: string, events: readonly PooledEvent[]): Promise<number> {
  const { rows } = await sql.query<{ admitted_casts: number }>(
    `with added as (
       insert into ${POOL_TABLE} (stream_id, election_id, kind, expected_revision, event)
       select * from unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
     )
     insert into ${POOL_ELECTIONS_TABLE} (election_id, admitted_casts) values ($1, $7)
     on conflict (election_id) do update set admitted_casts = ${POOL_ELECTIONS_TABLE}.admitted_casts + excluded.admitted_casts
     returning admitted_casts`,
    [
      electionId,
      events.map((e) => e.streamId),
      events.map(() => electionId),
      events.map((e) => e.kind),
      events.map((e) => e.expectedRevision),
      events.map((e) => JSON.stringify(e.event)),
      events.filter((e) => e.kind === 'cast').length,
    ],
  );
  return Number(rows[0]?.admitted_casts ?? 0);
}

/** Whether the pool holds a cast of this election whose ballot has this hash (a retried cast's question). */
export async function holdsBallot(sql: SqlExecutor, electionId: string, ballotHash: string): Promise<boolean> {
  const { rows } = await sql.query(
    `select 1 from ${POOL_TABLE} where election_id = $1 and kind = 'cast' and (event::jsonb -> 'data' ->> 'ballotHash') = $2 limit 1`,
    [electionId, ballotHash],
  );
  return rows.length > 0;
}

export async function deletePooled(sql: SqlExecutor, streamIds: readonly string[]): Promise<void> {
  if (streamIds.length > 0) await sql.query(`delete from ${POOL_TABLE} where stream_id = any($1::text[])`, [streamIds]);
}

export async function isClosing(sql: SqlExecutor, electionId: string): Promise<boolean> {
  const { rows } = await sql.query<{ closing: boolean }>(`select closing from ${POOL_ELECTIONS_TABLE} where election_id = $1`, [electionId]);
  return rows[0]?.closing === true;
}

export async function setClosing(sql: SqlExecutor, electionId: string, closing: boolean): Promise<void> {
  await sql.query(
    `insert into ${POOL_ELECTIONS_TABLE} (election_id, closing) values ($1, $2)
     on conflict (election_id) do update set closing = excluded.closing`,
    [electionId, closing],
  );
}
