/**
 * The one event-store port. Every adapter (PostgreSQL, PGlite, EventStoreDB) implements it and
 * passes the same contract suite (test/eventstore/contract.ts).
 *
 * Revisions are per stream and start at 0. Positions are global, strictly increasing in the order
 * readers observe events, and never reused; they need not be contiguous.
 */

/** What the writer believes about a stream before appending. */
export type ExpectedRevision =
  | 'no_stream' // the stream must not exist yet
  | 'any' // no check
  | 'stream_exists' // the stream must have at least one event
  | number; // the revision of the stream's last event must be exactly this

export interface EventData<T = unknown> {
  type: string;
  data: T;
  metadata?: Record<string, unknown>;
  /** Optional idempotency id (uuid). Generated when absent. */
  id?: string;
}

export interface RecordedEvent<T = unknown> {
  id: string;
  streamId: string;
  /** 0-based revision within its stream. */
  revision: number;
  /** Global position in the log (see the file comment). */
  position: number;
  type: string;
  data: T;
  metadata: Record<string, unknown>;
  recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the last event written (the stream's new current revision). */
  nextExpectedRevision: number;
  /** Global position of the last event written. */
  position: number;
}

export interface AppendRequest {
  streamId: string;
  events: EventData[];
  expectedRevision: ExpectedRevision;
}

export interface EventFilter {
  /** Keep events whose stream id starts with any of these prefixes. */
  streamPrefixes?: string[];
  /** Keep events whose type is one of these. */
  eventTypes?: string[];
}

/** What `readAll` returns at most when no limit is given. */
export const DEFAULT_READ_ALL_LIMIT = 1_000;

export interface ReadAllOptions {
  /** Exclusive: return events with position > fromPosition. Default: from the start. */
  fromPosition?: number;
  /** Maximum number of events to return. Default 1,000. */
  limit?: number;
  filter?: EventFilter;
}

export interface ReadStreamOptions {
  /** Inclusive: the first revision to return. Default 0. */
  fromRevision?: number;
  limit?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint: deliver events with position > fromPosition. Default: from the start. */
  fromPosition?: number;
  filter?: EventFilter;
}

/**
 * A catch-up-then-live subscription. Iterate it with `for await`; each event is delivered exactly
 * once, in strictly increasing position. Persist `event.position` as the checkpoint to resume with
 * `fromPosition`. `close()` ends the iteration.
 */
export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /** Human-readable adapter name for logs and /readyz ("postgres", "pglite", "eventstoredb"). */
  readonly kind: string;
  append(streamId: string, events: EventData[], opts: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /**
   * Appends to several streams. Each request is checked against its own expected revision.
   * On Postgres and PGlite all requests commit atomically (one transaction) or none do;
   * on EventStoreDB they are appended one after another (documented in docs/eventstore.md).
   */
  appendMany(requests: AppendRequest[]): Promise<AppendResult[]>;
  /** The stream's events in revision order; [] when the stream does not exist. */
  readStream(streamId: string, opts?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Optional: several whole streams at once (absent ones map to []). Where an adapter lacks it,
   * `readStreams` below reads them one by one.
   */
  readManyStreams?(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>>;
  /** Events of all streams in position order, after `fromPosition`, filtered. */
  readAll(opts?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribe(opts?: SubscribeOptions): EventSubscription;
  /** Position of the last event in the log (0 when empty). Used for projection lag. */
  headPosition(): Promise<number>;
  /** True when the backing store answers (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Several whole streams, in one round trip where the adapter can. */
export async function readStreams(store: EventStore, streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
  if (store.readManyStreams) return store.readManyStreams(streamIds);
  const events = await Promise.all(streamIds.map((id) => store.readStream(id)));
  return new Map(streamIds.map((id, i) => [id, events[i]!]));
}

/** Optimistic concurrency failure: the stream was not at the expected revision. */
export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION' as const;
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or 'no_stream'. */
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export function isWrongExpectedRevision(err: unknown): err is WrongExpectedRevisionError {
  return err instanceof WrongExpectedRevisionError;
}

export function matchesFilter(event: { streamId: string; type: string }, filter?: EventFilter): boolean {
  if (!filter) return true;
  if (filter.streamPrefixes && filter.streamPrefixes.length > 0) {
    if (!filter.streamPrefixes.some((p) => event.streamId.startsWith(p))) return false;
  }
  if (filter.eventTypes && filter.eventTypes.length > 0) {
    if (!filter.eventTypes.includes(event.type)) return false;
  }
  return true;
}
