/**
 * The EventStore port on EventStoreDB / KurrentDB (≥ 22.6). appendMany is NOT atomic here: requests
 * are appended one after another (docs/eventstore.md "EventStoreDB").
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { AllStreamResolvedEvent, ReadPosition, ResolvedEvent } from '@eventstore/db-client';
import {
  DEFAULT_READ_ALL_LIMIT,
  WrongExpectedRevisionError,
  type AppendRequest,
  type AppendResult,
  type EventData,
  type EventStore,
  type EventSubscription,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from './port.ts';
import {
  isAfter,
  isSystemEvent,
  isVisible,
  toEsdbEvent,
  toEsdbExpectedRevision,
  toEsdbFilter,
  toEsdbReadPosition,
  toPortPosition,
  toRecordedEvent,
  toSafeNumber,
  toWrongExpectedRevision,
} from './eventstoredb-mapping.ts';
import { subscriptionFromFeed } from './eventstoredb-subscription.ts';

const MAX_PAGE = 4_096;
const MIN_PAGE = 64;
const PING_DEADLINE_MS = 2_000;

async function collect<E>(read: AsyncIterable<E>): Promise<E[]> {
  const out: E[] = [];
  for await (const item of read) out.push(item);
  return out;
}

export function createEventStoreDbEventStore(connectionString: string): EventStore {
  // Connects lazily, so construction never blocks or throws on a down server.
  const client = EventStoreDBClient.connectionString(connectionString);
  const subscriptions = new Set<EventSubscription>();

  async function lastEventOf(streamId: string): Promise<RecordedEvent | undefined> {
    try {
      const [last] = await collect(client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }));
      return last?.event ? toRecordedEvent(last.event) : undefined;
    } catch (err) {
      if (err instanceof StreamNotFoundError) return undefined;
      throw err;
    }
  }

  async function append(
    streamId: string,
    events: EventData[],
    opts: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    const expected = opts.expectedRevision;
    let result;
    try {
      result = await client.appendToStream(streamId, events.map(toEsdbEvent), {
        expectedRevision: toEsdbExpectedRevision(expected),
      });
    } catch (err) {
      if (err instanceof WrongExpectedVersionError) throw toWrongExpectedRevision(err, streamId, expected);
      throw err;
    }
    if (!result.success) {
      // Only with `throwOnAppendFailure=false`: the client then misreports the revision, so ask the stream.
      const last = await lastEventOf(streamId);
      throw new WrongExpectedRevisionError(streamId, expected, last ? last.revision : 'no_stream');
    }
    const nextExpectedRevision = result.nextExpectedRevision < 0n ? -1 : toSafeNumber(result.nextExpectedRevision, 'revision');
    // No position for an idempotent replay or an empty append: the stream's last event tells.
    const position = result.position
      ? toPortPosition(result.position)
      : ((await lastEventOf(streamId))?.position ?? 0);
    return { nextExpectedRevision, position };
  }

  async function appendMany(requests: AppendRequest[]): Promise<AppendResult[]> {
    // Sequential on purpose: not atomic on EventStoreDB.
    const results: AppendResult[] = [];
    for (const r of requests) {
      results.push(await append(r.streamId, r.events, { expectedRevision: r.expectedRevision }));
    }
    return results;
  }

  async function readStream(streamId: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const fromRevision = opts.fromRevision ?? 0;
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) {
      throw new RangeError(`fromRevision must be a non-negative integer, got ${String(fromRevision)}`);
    }
    if (opts.limit !== undefined && opts.limit <= 0) return [];
    let resolved: ResolvedEvent[];
    try {
      resolved = await collect(
        client.readStream(streamId, {
          direction: FORWARDS,
          fromRevision: BigInt(fromRevision),
          ...(opts.limit !== undefined ? { maxCount: opts.limit } : {}),
        }),
      );
    } catch (err) {
      if (err instanceof StreamNotFoundError) return [];
      throw err;
    }
    const out: RecordedEvent[] = [];
    for (const r of resolved) if (r.event) out.push(toRecordedEvent(r.event));
    return out;
  }

  async function readAll(opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = opts.limit ?? DEFAULT_READ_ALL_LIMIT;
    if (limit <= 0) return [];
    const pageSize = Math.min(Math.max(limit + 1, MIN_PAGE), MAX_PAGE);
    const out: RecordedEvent[] = [];
    let from = opts.fromPosition;
    for (;;) {
      const page: AllStreamResolvedEvent[] = await collect(
        client.readAll({ direction: FORWARDS, fromPosition: toEsdbReadPosition(from), maxCount: pageSize }),
      );
      let lastSeen = from;
      for (const r of page) {
        if (!r.event) continue;
        const event = toRecordedEvent(r.event);
        // The read starts AT `from` (inclusive on the server); the port wants strictly after.
        if (!isAfter(event.position, from)) continue;
        lastSeen = event.position;
        if (!isVisible(event, opts.filter)) continue;
        out.push(event);
        if (out.length >= limit) return out;
      }
      if (page.length < pageSize || lastSeen === from) return out;
      from = lastSeen;
    }
  }

  function subscribe(opts: SubscribeOptions = {}): EventSubscription {
    const feed = client.subscribeToAll({
      fromPosition: toEsdbReadPosition(opts.fromPosition),
      filter: toEsdbFilter(opts.filter),
    });
    const sub = subscriptionFromFeed(feed, { fromPosition: opts.fromPosition, filter: opts.filter });
    subscriptions.add(sub);
    return {
      [Symbol.asyncIterator]: () => sub[Symbol.asyncIterator](),
      close: async () => {
        subscriptions.delete(sub);
        await sub.close();
      },
    };
  }

  async function headPosition(): Promise<number> {
    const pageSize = 256;
    let from: ReadPosition = END;
    for (;;) {
      const page: AllStreamResolvedEvent[] = await collect(
        client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: pageSize }),
      );
      let oldest: AllStreamResolvedEvent['event'] | undefined;
      for (const r of page) {
        if (!r.event) continue;
        if (!isSystemEvent(r.event)) return toPortPosition(r.event.position);
        oldest = r.event;
      }
      if (page.length < pageSize || !oldest) return 0;
      from = oldest.position;
    }
  }

  async function ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const read = client.readAll({ direction: FORWARDS, fromPosition: START, maxCount: 1, deadline: PING_DEADLINE_MS });
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timed out')), PING_DEADLINE_MS + 500);
      });
      await Promise.race([collect(read), timeout]);
      return true;
    } catch {
      void read.cancel().catch(() => undefined);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async function close(): Promise<void> {
    await Promise.all([...subscriptions].map((s) => s.close()));
    subscriptions.clear();
    await client.dispose();
  }

  return { kind: 'eventstoredb', append, appendMany, readStream, readAll, subscribe, headPosition, ping, close };
}
