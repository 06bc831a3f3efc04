/**
 * Group commit: one flusher writes this process's queued appends together under the global append
 * lock (docs/eventstore.md "The sequence-gap problem").
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
  maxBatchAppends: number;
  rowsPerStatement: number;
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
      // One bad request must not fail the others: retry each alone, its ids looked up first (which also
      // makes the retry of a write whose COMMIT succeeded unseen a no-op).
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
   * The usual path: plan (without a read when every expectation is exact), then one statement that
   * locks, checks and writes. Undefined when the streams kept moving: the caller takes the lock.
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
    // Same streams, another head: the function shifted the rows, which is the plan made from the actual head.
    return Number(actualHead) === head ? plan : planOn(items, { ...basis, head: Number(actualHead) });
  }

  private async writeGroupLocked(tx: SqlExecutor, items: PendingRequest[][], lookUpAllIds: boolean): Promise<AppendPlan> {
    // A statement of its own: under READ COMMITTED the next snapshot then sees every earlier lock holder.
    await tx.query(`select pg_advisory_xact_lock(${APPEND_LOCK_KEY})`);
    const { plan } = await planGroup(tx, items, lookUpAllIds);
    if (plan.rows.length === 0) return plan;

    const eventChunks = chunks(plan.rows, this.opts.rowsPerStatement);
    const touched = touchedRows(plan);
    const streamChunks = chunks(touched, this.opts.rowsPerStatement);
    const statements = Math.max(eventChunks.length, streamChunks.length);
    for (let i = 0; i < statements; i++) {
      const notifyPosition = i === statements - 1 ? plan.lastPosition : undefined;
      await writeChunk(tx, eventChunks[i] ?? [], streamChunks[i] ?? [], notifyPosition);
    }
    return plan;
  }
}

/** Each stream's state taken from its request's expectation; undefined unless every one is exact and appends events. */
function assumedStreamStates(items: PendingRequest[][]): Map<string, StreamState> | undefined {
  const assumed = new Map<string, StreamState>();
  const seen = new Set<string>();
  for (const item of items) {
    for (const r of item) {
      if (r.events.length === 0) return undefined;
      const expected = r.expectedRevision;
      if (expected !== 'no_stream' && typeof expected !== 'number') return undefined;
      if (seen.has(r.streamId)) continue;
      seen.add(r.streamId);
      if (typeof expected === 'number') assumed.set(r.streamId, { revision: expected, position: 0 });
    }
  }
  return assumed;
}

function streamIdsOf(items: PendingRequest[][]): string[] {
  return [...new Set(items.flatMap((item) => item.map((r) => r.streamId)))];
}

function touchedRows(plan: AppendPlan): { stream_id: string; revision: number; position: number }[] {
  return [...plan.touched].map(([stream_id, s]) => ({ stream_id, revision: s.revision, position: s.position }));
}

interface PlanBasis {
  streams: ReadonlyMap<string, StreamState>;
  head: number;
  stored: Map<string, KnownEvent>;
  lookedUp: Set<string>;
}

function planOn(items: PendingRequest[][], basis: PlanBasis): AppendPlan {
  return planAppends(items, basis.streams, basis.head, basis.stored, basis.lookedUp);
}

const ONE_STATEMENT_ATTEMPTS = 3;

/** Reads the head and the streams' state, looks up conflicting requests' ids, and plans the group. */
async function planGroup(db: SqlExecutor, items: PendingRequest[][], lookUpAllIds: boolean): Promise<{ plan: AppendPlan; basis: PlanBasis }> {
  const basis: PlanBasis = { ...(await readStreamStates(db, streamIdsOf(items))), stored: new Map(), lookedUp: new Set() };
  const lookUp = async (ids: string[]) => {
    for (const [id, known] of await findStoredIds(db, ids)) basis.stored.set(id, known);
    for (const id of ids) basis.lookedUp.add(id);
  };
  if (lookUpAllIds) await lookUp(items.flatMap((item) => item.flatMap((r) => r.events.map((e) => e.id))));

  let plan = planOn(items, basis);
  while (plan.idsToLookUp.length > 0) {
    await lookUp(plan.idsToLookUp);
    plan = planOn(items, basis);
  }
  return { plan, basis };
}

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

// Rows travel as one JSON text parameter: pg and PGlite encode arrays and jsonb differently.
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
