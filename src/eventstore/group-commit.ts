/**
 * Group commit: concurrent appends of this process are queued and written by one flusher, up to
 * `maxBatchAppends` queued calls per group. Every write takes the global append lock first, so the
 * groups of every process commit one after another in position order (see docs/eventstore.md,
 * "The sequence-gap problem"); batching, and writing a group in one statement, keep throughput
 * despite that order.
 */
import type { SqlClient, SqlExecutor } from '../sql/client.ts';
import type { PendingRequest } from './append-input.ts';
import type { AppendResult } from './port.ts';
import { planAppends } from './append-plan.ts';
import type { AppendPlan, KnownEvent, PlannedRow, StreamState } from './append-plan.ts';
import { APPEND_LOCK_KEY, EVENTS_CHANNEL } from './sql-schema.ts';

interface QueuedAppend {
  requests: PendingRequest[];
  resolve: (results: AppendResult[]) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Queued append()/appendMany() calls written per transaction. */
  maxBatchAppends: number;
  /** Rows per multi-row INSERT statement. */
  rowsPerStatement: number;
  /** Called after a commit that wrote events, with the last position written. */
  onCommitted: (lastPosition: number) => void;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class GroupCommitter {
  private readonly queue: QueuedAppend[] = [];
  private flushing: Promise<void> | undefined;
  /** The last position this process wrote: where a plan made without reading assumes the head is. */
  private knownHead = 0;

  constructor(
    private readonly sql: SqlClient,
    private readonly opts: GroupCommitOptions,
  ) {}

  submit(requests: PendingRequest[]): Promise<AppendResult[]> {
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queue.push({ requests, resolve, reject });
      // Start on a later tick so that appends issued together land in the same transaction.
      this.flushing ??= Promise.resolve().then(() => this.flushLoop());
    });
  }

  /** Resolves once every queued append has been settled. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.commitGroup(this.queue.splice(0, this.opts.maxBatchAppends));
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private async commitGroup(batch: QueuedAppend[]): Promise<void> {
    const items = batch.map((b) => b.requests);
    try {
      const plan = (await this.appendGroupInOneStatement(items)) ?? (await this.sql.transaction((tx) => this.writeGroupLocked(tx, items, false)));
      this.settle(batch, plan);
    } catch {
      // One bad request (e.g. an event id already stored elsewhere) must not fail the others: retry
      // each on its own, looking up all its ids first. That lookup also turns a unique violation
      // into DUPLICATE_EVENT_ID, and makes the retry of a write whose COMMIT succeeded unseen a no-op.
      for (const item of batch) {
        try {
          const plan = await this.sql.transaction((tx) => this.writeGroupLocked(tx, [item.requests], true));
          this.settle([item], plan);
        } catch (itemErr) {
          item.reject(itemErr);
        }
      }
    }
  }

  private settle(batch: QueuedAppend[], plan: AppendPlan): void {
    this.knownHead = Math.max(this.knownHead, plan.lastPosition);
    if (plan.rows.length > 0) this.opts.onCommitted(plan.lastPosition);
    batch.forEach((item, i) => {
      const outcome = plan.outcomes[i];
      if (!outcome) item.reject(new Error('group commit: missing outcome'));
      else if (outcome.ok) item.resolve(outcome.results);
      else item.reject(outcome.error);
    });
  }

  /**
   * The usual path: plan, then one statement (evote_append_group, sql-schema.ts) takes the lock,
   * checks that the streams are in the state the plan assumed and writes, its commit included.
   * When every request names the exact revision it expects (a number, or no_stream) the plan
   * assumes exactly that, with no read at all: one round trip, and the function's check is the
   * expected-revision check. Otherwise, or when that assumption fails, the plan is made on the
   * streams' state read without the lock (two round trips). Answers undefined when the streams kept
   * moving under it (other processes appending to the same streams): the caller then uses the
   * locked transaction. Outcomes decided without writing (conflicts, idempotent replays) stand as of
   * the read, which saw a committed prefix of the log.
   */
  private async appendGroupInOneStatement(items: PendingRequest[][]): Promise<AppendPlan | undefined> {
    const assumed = assumedStreamStates(items);
    if (assumed) {
      const basis: PlanBasis = { streams: assumed, head: this.knownHead, stored: new Map(), lookedUp: new Set() };
      const plan = planOn(items, basis);
      if (plan.outcomes.every((o) => o.ok)) {
        const written = await this.writeInOneStatement(items, plan, basis);
        if (written) return written;
      }
    }
    for (let attempt = 0; attempt < ONE_STATEMENT_ATTEMPTS; attempt++) {
      const { plan, basis } = await planGroup(this.sql, items, false);
      if (plan.rows.length === 0) return plan;
      const written = await this.writeInOneStatement(items, plan, basis);
      if (written) return written;
    }
    return undefined;
  }

  /** The plan written by evote_append_group, or undefined (nothing written) if a stream moved. */
  private async writeInOneStatement(items: PendingRequest[][], plan: AppendPlan, basis: PlanBasis): Promise<AppendPlan | undefined> {
    const { streams, head } = basis;
    const expected = streamIdsOf(items).map((stream_id) => ({ stream_id, revision: streams.get(stream_id)?.revision ?? null }));
    const touched = touchedRows(plan);
    const res = await this.sql.query<{ head: number | null }>('select evote_append_group($1, $2, $3, $4, $5, $6) as head', [
      JSON.stringify(expected),
      head,
      plan.lastPosition,
      JSON.stringify(plan.rows),
      JSON.stringify(touched),
      EVENTS_CHANNEL,
    ]);
    const actualHead = res.rows[0]?.head;
    if (actualHead === null || actualHead === undefined) return undefined;
    // Same streams, another head: the function shifted every row by the difference, which is
    // exactly the plan made from the actual head (planning is pure and only offsets positions).
    return Number(actualHead) === head ? plan : planOn(items, { ...basis, head: Number(actualHead) });
  }

  /** The fallback path: the whole group in one transaction that holds the append lock throughout. */
  private async writeGroupLocked(tx: SqlExecutor, items: PendingRequest[][], lookUpAllIds: boolean): Promise<AppendPlan> {
    // A statement of its own: under READ COMMITTED the next statement's snapshot is taken after the
    // lock is granted, so it sees every transaction that held the lock before.
    await tx.query(`select pg_advisory_xact_lock(${APPEND_LOCK_KEY})`);
    const { plan } = await planGroup(tx, items, lookUpAllIds);
    if (plan.rows.length === 0) return plan;

    const eventChunks = chunks(plan.rows, this.opts.rowsPerStatement);
    const touched = touchedRows(plan);
    const streamChunks = chunks(touched, this.opts.rowsPerStatement);
    // Chunk i of the events and of the streams go in one statement, and the last one also notifies:
    // a typical group is a single round trip between the revision read and COMMIT.
    const statements = Math.max(eventChunks.length, streamChunks.length);
    for (let i = 0; i < statements; i++) {
      const notifyPosition = i === statements - 1 ? plan.lastPosition : undefined;
      await writeChunk(tx, eventChunks[i] ?? [], streamChunks[i] ?? [], notifyPosition);
    }
    return plan;
  }
}

/**
 * The state of every stream of the group if each request's expectation is taken as the truth, or
 * undefined when some request does not name an exact state ('any', 'stream_exists') or appends no
 * events (whose answer is the stream's last position, which an assumption cannot give).
 */
function assumedStreamStates(items: PendingRequest[][]): Map<string, StreamState> | undefined {
  const assumed = new Map<string, StreamState>();
  const seen = new Set<string>();
  for (const item of items) {
    for (const r of item) {
      if (r.events.length === 0) return undefined;
      const expected = r.expectedRevision;
      if (expected !== 'no_stream' && typeof expected !== 'number') return undefined;
      // The first request to a stream states the group's starting point; later ones are checked
      // against it by the planner, as in any group.
      if (seen.has(r.streamId)) continue;
      seen.add(r.streamId);
      // The position is only used for empty appends, excluded above.
      if (typeof expected === 'number') assumed.set(r.streamId, { revision: expected, position: 0 });
    }
  }
  return assumed;
}

/** Every stream the group's requests name, once each. */
function streamIdsOf(items: PendingRequest[][]): string[] {
  return [...new Set(items.flatMap((item) => item.map((r) => r.streamId)))];
}

/** The plan's new stream states as evote_streams rows. */
function touchedRows(plan: AppendPlan): { stream_id: string; revision: number; position: number }[] {
  return [...plan.touched].map(([stream_id, s]) => ({ stream_id, revision: s.revision, position: s.position }));
}

/**
 * What a plan was made on: the streams' states and the log's head (read, or assumed from the
 * requests), and the event ids looked up so far with those found stored.
 */
interface PlanBasis {
  streams: ReadonlyMap<string, StreamState>;
  head: number;
  stored: Map<string, KnownEvent>;
  lookedUp: Set<string>;
}

function planOn(items: PendingRequest[][], basis: PlanBasis): AppendPlan {
  return planAppends(items, basis.streams, basis.head, basis.stored, basis.lookedUp);
}

/** Tries of the one-statement append before the locked transaction takes over. */
const ONE_STATEMENT_ATTEMPTS = 3;

/**
 * Reads the head and the streams' state, looks up the event ids of conflicting requests (a
 * conflict may be the replay of a write that succeeded), and plans the group.
 */
async function planGroup(db: SqlExecutor, items: PendingRequest[][], lookUpAllIds: boolean): Promise<{ plan: AppendPlan; basis: PlanBasis }> {
  const basis: PlanBasis = { ...(await readStreamStates(db, streamIdsOf(items))), stored: new Map(), lookedUp: new Set() };
  const lookUp = async (ids: string[]) => {
    for (const [id, known] of await findStoredIds(db, ids)) basis.stored.set(id, known);
    for (const id of ids) basis.lookedUp.add(id);
  };
  if (lookUpAllIds) await lookUp(items.flatMap((item) => item.flatMap((r) => r.events.map((e) => e.id))));

  let plan = planOn(items, basis);
  // Each round looks up only ids not seen before, so this ends.
  while (plan.idsToLookUp.length > 0) {
    await lookUp(plan.idsToLookUp);
    plan = planOn(items, basis);
  }
  return { plan, basis };
}

/** The log's head and the current state of the given streams, in one round trip. */
async function readStreamStates(tx: SqlExecutor, streamIds: string[]): Promise<{ head: number; streams: Map<string, StreamState> }> {
  const res = await tx.query<{ stream_id: string | null; revision: number | null; position: number }>(
    `select null::text as stream_id, null::bigint as revision, coalesce(max(position), 0) as position from evote_events
     union all
     select stream_id, revision, position from evote_streams where stream_id = any($1::text[])`,
    [streamIds],
  );
  let head = 0;
  const streams = new Map<string, StreamState>();
  for (const row of res.rows) {
    if (row.stream_id === null) head = Number(row.position);
    else streams.set(row.stream_id, { revision: Number(row.revision), position: Number(row.position) });
  }
  return { head, streams };
}

async function findStoredIds(tx: SqlExecutor, ids: string[]): Promise<Map<string, KnownEvent>> {
  const found = new Map<string, KnownEvent>();
  if (ids.length === 0) return found;
  const res = await tx.query<{ id: string; stream_id: string; revision: number; position: number }>(
    'select id::text as id, stream_id, revision, position from evote_events where id = any($1::uuid[])',
    [ids],
  );
  for (const r of res.rows) found.set(r.id, { streamId: r.stream_id, revision: Number(r.revision), position: Number(r.position) });
  return found;
}

// Rows travel as one JSON text parameter: the same statement then works on pg and PGlite, whose
// array and jsonb parameter encodings differ, and costs one parameter whatever the row count.
const INSERT_EVENTS = `insert into evote_events (position, id, stream_id, revision, type, data, metadata)
  select position, id, stream_id, revision, type, coalesce(data, 'null'::jsonb), metadata
  from jsonb_to_recordset($1::text::jsonb)
    as x(position bigint, id uuid, stream_id text, revision bigint, type text, data jsonb, metadata jsonb)`;
const UPSERT_STREAMS = `insert into evote_streams (stream_id, revision, position)
  select stream_id, revision, position
  from jsonb_to_recordset($2::text::jsonb) as x(stream_id text, revision bigint, position bigint)
  on conflict (stream_id) do update set revision = excluded.revision, position = excluded.position`;

async function writeChunk(
  tx: SqlExecutor,
  events: PlannedRow[],
  streams: { stream_id: string; revision: number; position: number }[],
  notifyPosition: number | undefined,
): Promise<void> {
  const notify = notifyPosition === undefined ? 'select 1' : 'select pg_notify($3, $4)';
  const params: unknown[] = [JSON.stringify(events), JSON.stringify(streams)];
  if (notifyPosition !== undefined) params.push(EVENTS_CHANNEL, String(notifyPosition));
  await tx.query(`with inserted as (${INSERT_EVENTS}), upserted as (${UPSERT_STREAMS}) ${notify}`, params);
}
