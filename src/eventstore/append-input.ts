/**
 * Validation of append requests before they are queued. Every event gets its id here, so a retried
 * write carries the same ids and is recognised as already done.
 */
import { randomUUID } from 'node:crypto';
import type { AppendRequest, EventData, ExpectedRevision } from './port.ts';

export type EventStoreErrorCode = 'INVALID_APPEND' | 'DUPLICATE_EVENT_ID' | 'EVENT_STORE_CLOSED';

/** An append the store refuses for a reason other than a revision conflict. Never carries event data. */
export class EventStoreError extends Error {
  constructor(
    readonly code: EventStoreErrorCode,
    message: string,
    readonly streamId?: string,
  ) {
    super(message);
    this.name = 'EventStoreError';
  }
}

export interface PendingEvent {
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

export interface PendingRequest {
  streamId: string;
  expectedRevision: ExpectedRevision;
  events: PendingEvent[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(message: string, streamId?: string): never {
  throw new EventStoreError('INVALID_APPEND', message, streamId);
}

function checkExpected(streamId: string, expected: unknown): ExpectedRevision {
  if (expected === 'no_stream' || expected === 'any' || expected === 'stream_exists') return expected;
  if (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) return expected;
  return invalid(`stream ${streamId}: invalid expected revision`, streamId);
}

function normalizeEvent(streamId: string, event: EventData, seen: Set<string>): PendingEvent {
  if (typeof event !== 'object' || event === null) invalid(`stream ${streamId}: event must be an object`, streamId);
  if (typeof event.type !== 'string' || event.type.length === 0) invalid(`stream ${streamId}: event type must be a non-empty string`, streamId);
  const id = event.id === undefined ? randomUUID() : event.id;
  if (typeof id !== 'string' || !UUID.test(id)) invalid(`stream ${streamId}: event id must be a uuid`, streamId);
  const lower = id.toLowerCase();
  if (seen.has(lower)) invalid(`stream ${streamId}: event id ${lower} appears twice in one append`, streamId);
  seen.add(lower);
  const metadata = event.metadata ?? {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) invalid(`stream ${streamId}: metadata must be an object`, streamId);
  return { id: lower, type: event.type, data: event.data ?? null, metadata };
}

/** Validates one append() or appendMany() call; throws EventStoreError('INVALID_APPEND'). */
export function normalizeRequests(requests: AppendRequest[]): PendingRequest[] {
  if (!Array.isArray(requests)) invalid('requests must be an array');
  const seen = new Set<string>();
  return requests.map((r) => {
    if (typeof r?.streamId !== 'string' || r.streamId.length === 0) invalid('stream id must be a non-empty string');
    if (!Array.isArray(r.events)) invalid(`stream ${r.streamId}: events must be an array`, r.streamId);
    return {
      streamId: r.streamId,
      expectedRevision: checkExpected(r.streamId, r.expectedRevision),
      events: r.events.map((e) => normalizeEvent(r.streamId, e, seen)),
    };
  });
}
