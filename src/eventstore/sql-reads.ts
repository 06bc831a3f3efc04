/** Read queries of the SQL event store, shared by the adapter and its subscriptions. */
import type { SqlExecutor } from '../sql/client.ts';
import { DEFAULT_READ_ALL_LIMIT, type EventFilter, type ReadAllOptions, type ReadStreamOptions, type RecordedEvent } from './port.ts';


interface EventRow {
  position: number | string;
  id: string;
  stream_id: string;
  revision: number | string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown> | null;
  recorded_at: Date | string;
}

const COLUMNS = 'position, id::text as id, stream_id, revision, type, data, metadata, recorded_at';

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.id,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    type: row.type,
    data: row.data,
    metadata: row.metadata ?? {},
    recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
  };
}

export function likePrefixPattern(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

function nonNegativeInt(value: number | undefined, fallback: number): number {
  return value === undefined || !Number.isFinite(value) ? fallback : Math.max(0, Math.floor(value));
}

export async function readStreamEvents(sql: SqlExecutor, streamId: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
  const limit = opts.limit === undefined ? null : nonNegativeInt(opts.limit, 0);
  const res = await sql.query<EventRow>(
    `select ${COLUMNS} from evote_events where stream_id = $1 and revision >= $2 order by revision limit $3`,
    [streamId, nonNegativeInt(opts.fromRevision, 0), limit],
  );
  return res.rows.map(toRecorded);
}

export async function readManyStreams(sql: SqlExecutor, streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
  const out = new Map<string, RecordedEvent[]>(streamIds.map((id) => [id, []]));
  if (streamIds.length === 0) return out;
  const res = await sql.query<EventRow>(`select ${COLUMNS} from evote_events where stream_id = any($1::text[]) order by stream_id, revision`, [streamIds]);
  for (const row of res.rows) out.get(row.stream_id)?.push(toRecorded(row));
  return out;
}

function filterClause(filter: EventFilter | undefined, params: unknown[]): string {
  let clause = '';
  if (filter?.streamPrefixes && filter.streamPrefixes.length > 0) {
    params.push(filter.streamPrefixes.map(likePrefixPattern));
    clause += ` and stream_id like any($${params.length}::text[])`;
  }
  if (filter?.eventTypes && filter.eventTypes.length > 0) {
    params.push(filter.eventTypes);
    clause += ` and type = any($${params.length}::text[])`;
  }
  return clause;
}

// A bounded position range keeps filtered reads on the primary-key index (docs/eventstore.md "Reads").
const FILTERED_WINDOW = 20_000;

export async function readAllEvents(sql: SqlExecutor, opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
  const from = nonNegativeInt(opts.fromPosition, 0);
  const limit = nonNegativeInt(opts.limit, DEFAULT_READ_ALL_LIMIT);
  const hasFilter = Boolean(opts.filter?.streamPrefixes?.length || opts.filter?.eventTypes?.length);
  if (!hasFilter) {
    const res = await sql.query<EventRow>(`select ${COLUMNS} from evote_events where position > $1 order by position limit $2`, [from, limit]);
    return res.rows.map(toRecorded);
  }
  const head = await readHeadPosition(sql);
  const out: RecordedEvent[] = [];
  for (let lo = from; lo < head && out.length < limit; lo += FILTERED_WINDOW) {
    const params: unknown[] = [lo, lo + FILTERED_WINDOW, limit - out.length];
    const res = await sql.query<EventRow>(
      `select ${COLUMNS} from evote_events where position > $1 and position <= $2${filterClause(opts.filter, params)} order by position limit $3`,
      params,
    );
    for (const row of res.rows) out.push(toRecorded(row));
  }
  return out;
}

export async function readHeadPosition(sql: SqlExecutor): Promise<number> {
  const res = await sql.query<{ head: number | string }>('select coalesce(max(position), 0) as head from evote_events');
  return Number(res.rows[0]?.head ?? 0);
}
