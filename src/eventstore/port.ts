/**
 * The one event-store port, held to one contract suite (test/eventstore/contract.ts). Revisions are
 * per stream from 0; positions are global, strictly increasing in read order, never reused.
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
  /** Idempotency id (uuid), generated when absent. */
  id?: string;
}

export interface RecordedEvent<T = unknown> {
  id: string;
  streamId: string;
  revision: number;
  position: number;
  type: string;
  data: T;
  metadata: Record<string, unknown>;
  recordedAt: Date;
}

export interface AppendResult {
  /** The stream's new current revision. */
  nextExpectedRevision: number;
  position: number;
}

export interface AppendRequest {
  streamId: string;
  events: EventData[];
  expectedRevision: ExpectedRevision;
}

export interface EventFilter {
  streamPrefixes?: string[];
  eventTypes?: string[];
}

/** What `readAll` returns at most when no limit is given. */
export const DEFAULT_READ_ALL_LIMIT = 1_000;

export interface ReadAllOptions {
  /** Exclusive. Default: from the start. */
  fromPosition?: number;
  /** Default 1,000. */
  limit?: number;
  filter?: EventFilter;
}

export interface ReadStreamOptions {
  /** Inclusive. Default 0. */
  fromRevision?: number;
  limit?: number;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint. Default: from the start. */
  fromPosition?: number;
  filter?: EventFilter;
}

/** Catch-up then live: each event once, in increasing position; persist `event.position` to resume. */
export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /** "postgres", "pglite" or "eventstoredb", for logs and /readyz. */
  readonly kind: string;
  append(streamId: string, events: EventData[], opts: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** All-or-nothing on Postgres and PGlite; one after another on EventStoreDB (docs/eventstore.md). */
  appendMany(requests: AppendRequest[]): Promise<AppendResult[]>;
  /** The stream's events in revision order; [] when the stream does not exist. */
  readStream(streamId: string, opts?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Several whole streams at once (absent ones map to []); `readStreams` falls back to one by one. */
  readManyStreams?(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>>;
  /** Events of all streams in position order, after `fromPosition`, filtered. */
  readAll(opts?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribe(opts?: SubscribeOptions): EventSubscription;
  /** Position of the last event in the log (0 when empty). */
  headPosition(): Promise<number>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

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
