/**
 * Pure translations between the event-store port (src/eventstore/port.ts) and the types of
 * `@eventstore/db-client` v6. No I/O here, so every rule below is unit-tested without a server.
 *
 * Global positions. EventStoreDB addresses a record in $all by {commit, prepare}. Since v20 every
 * event is written as its own committed prepare record, so its commit position equals its prepare
 * position, is distinct from every other event's, and $all is ordered by it (the server's $all
 * reader builds each event's position from `prepare.LogPosition` for both halves). The port's single
 * number is therefore the commit position, and a position handed back to us converts to
 * {commit: p, prepare: p}, an exact record address. Servers older than v20 (explicit transactions,
 * where events of one commit share a commit position) are not supported.
 */
import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
} from '@eventstore/db-client';
import type {
  AllStreamRecordedEvent,
  AppendExpectedRevision,
  CurrentRevision,
  EventData as EsdbEventData,
  Filter,
  Position,
  ReadPosition,
  RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { WrongExpectedRevisionError, matchesFilter } from './port.ts';
import type { EventData, EventFilter, ExpectedRevision, RecordedEvent } from './port.ts';

/**
 * What a position reads as when the server did not send one: stream reads on servers older than
 * 22.6 carry no position (or u64::MAX). Positions are otherwise ≥ 0, so -1 cannot be mistaken.
 */
export const UNKNOWN_POSITION = -1;

/** u64::MAX, which the server sends for "no position" on stream reads of older versions. */
const NO_POSITION_SENTINEL = (1n << 64n) - 1n;

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new RangeError(`expected revision must be a non-negative integer, got ${String(expected)}`);
      }
      return BigInt(expected);
  }
}

/** A bigint revision or position as a JS number; refuses silently losing precision. */
export function toSafeNumber(value: bigint, what: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${what} ${value.toString()} does not fit the port's number`);
  }
  return Number(value);
}

/** The port's position of an ESDB position (its commit half; see the file comment). */
export function toPortPosition(position: Position | bigint | undefined): number {
  const commit = typeof position === 'bigint' ? position : position?.commit;
  if (commit === undefined || commit === NO_POSITION_SENTINEL) return UNKNOWN_POSITION;
  return toSafeNumber(commit, 'position');
}

/**
 * Where an ESDB forward read must start to return everything after the port's exclusive
 * `fromPosition`. ESDB reads from a position inclusively, so callers also drop the event at
 * exactly `fromPosition` with `isAfter`.
 */
export function toEsdbReadPosition(fromPosition: number | undefined): ReadPosition {
  if (fromPosition === undefined) return START;
  if (!Number.isSafeInteger(fromPosition) || fromPosition < 0) {
    throw new RangeError(`fromPosition must be a non-negative integer, got ${String(fromPosition)}`);
  }
  const p = BigInt(fromPosition);
  return { commit: p, prepare: p };
}

/** True when `position` is strictly after the exclusive checkpoint (no checkpoint: always). */
export function isAfter(position: number, fromPosition: number | undefined): boolean {
  return fromPosition === undefined || position > fromPosition;
}

/**
 * System events ($epoch, $metadata, link events `$>`, `$stats-*` streams, metastreams `$$x`) are
 * the server's bookkeeping, never part of the election log.
 */
export function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/** Whether readAll / subscribe hand this event to the caller. */
export function isVisible(event: { streamId: string; type: string }, filter?: EventFilter): boolean {
  return !isSystemEvent(event) && matchesFilter(event, filter);
}

/**
 * The server-side filter for subscribeToAll. ESDB filters on one thing only (stream name or event
 * type, by prefix or regex), so this narrows the feed and `isVisible` applies the port's exact
 * rule on the client: stream prefixes win when both are given, and event types are sent as
 * prefixes (a superset of the exact names).
 */
export function toEsdbFilter(filter?: EventFilter): Filter {
  const streamPrefixes = filter?.streamPrefixes ?? [];
  if (streamPrefixes.length > 0) return streamNameFilter({ prefixes: streamPrefixes });
  const eventTypes = filter?.eventTypes ?? [];
  if (eventTypes.length > 0) return eventTypeFilter({ prefixes: eventTypes });
  return excludeSystemEvents();
}

export function toEsdbEvent(event: EventData): EsdbEventData {
  return jsonEvent({
    type: event.type,
    // jsonEvent's type asks for an object, array or string, but the client JSON.stringify-s any
    // value; `undefined` alone has no JSON form, so it is stored as null.
    data: (event.data ?? null) as Record<string, unknown>,
    metadata: event.metadata ?? {},
    ...(event.id !== undefined ? { id: event.id } : {}),
  });
}

function asMetadata(metadata: unknown): Record<string, unknown> {
  if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) && !(metadata instanceof Uint8Array)) {
    return metadata as Record<string, unknown>;
  }
  return {};
}

/** The port's view of a recorded ESDB event (JSON data arrives parsed; binary stays bytes). */
export function toRecordedEvent(event: EsdbRecordedEvent | AllStreamRecordedEvent): RecordedEvent {
  return {
    id: event.id,
    streamId: event.streamId,
    revision: toSafeNumber(event.revision, 'revision'),
    position: toPortPosition(event.position),
    type: event.type,
    data: event.data,
    metadata: asMetadata(event.metadata),
    recordedAt: event.created,
  };
}

function toPortCurrentRevision(current: CurrentRevision): number | 'no_stream' {
  if (current === NO_STREAM || current < 0n) return 'no_stream';
  return toSafeNumber(current, 'revision');
}

/**
 * The port's concurrency error for ESDB's. `expected` is what the caller asked for (kept as given,
 * so callers see their own value back); `actual` comes from the server.
 */
export function toWrongExpectedRevision(
  err: WrongExpectedVersionError,
  streamId: string,
  expected: ExpectedRevision,
): WrongExpectedRevisionError {
  return new WrongExpectedRevisionError(streamId, expected, toPortCurrentRevision(err.actualVersion));
}
