/**
 * Pure translations between the port and `@eventstore/db-client` v6. A port position is the
 * event's $all commit position, equal to its prepare position since server v20 (docs/eventstore.md).
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

/** A position the server did not send (stream reads before 22.6); real positions are ≥ 0. */
export const UNKNOWN_POSITION = -1;

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

export function toPortPosition(position: Position | bigint | undefined): number {
  const commit = typeof position === 'bigint' ? position : position?.commit;
  if (commit === undefined || commit === NO_POSITION_SENTINEL) return UNKNOWN_POSITION;
  return toSafeNumber(commit, 'position');
}

/** Where an ESDB forward read starts; ESDB reads inclusively, so callers also drop `fromPosition` with `isAfter`. */
export function toEsdbReadPosition(fromPosition: number | undefined): ReadPosition {
  if (fromPosition === undefined) return START;
  if (!Number.isSafeInteger(fromPosition) || fromPosition < 0) {
    throw new RangeError(`fromPosition must be a non-negative integer, got ${String(fromPosition)}`);
  }
  const p = BigInt(fromPosition);
  return { commit: p, prepare: p };
}

export function isAfter(position: number, fromPosition: number | undefined): boolean {
  return fromPosition === undefined || position > fromPosition;
}

/** System events ($epoch, $metadata, `$>`, `$stats-*`, `$$x`): the server's bookkeeping, never the election log. */
export function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

export function isVisible(event: { streamId: string; type: string }, filter?: EventFilter): boolean {
  return !isSystemEvent(event) && matchesFilter(event, filter);
}

/** The server-side filter for subscribeToAll: a superset, narrowed on the client by `isVisible`. */
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
    // `undefined` has no JSON form, so it is stored as null.
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

/** The port's concurrency error for ESDB's; `expected` is the caller's own value, `actual` the server's. */
export function toWrongExpectedRevision(
  err: WrongExpectedVersionError,
  streamId: string,
  expected: ExpectedRevision,
): WrongExpectedRevisionError {
  return new WrongExpectedRevisionError(streamId, expected, toPortCurrentRevision(err.actualVersion));
}
