/**
 * Times appends and counts appended events for any adapter. Labels carry the stream category only:
 * a stream id would explode cardinality and some must not be correlated with timing.
 */
import type { MetricsRegistry } from '../runtime/metrics.ts';
import { isWrongExpectedRevision, type AppendRequest, type EventData, type EventStore } from './port.ts';

type Outcome = 'ok' | 'conflict' | 'error';

const CATEGORY = /^([a-z][a-z0-9_]{0,31})-/;
export const streamCategory = (streamId: string) => CATEGORY.exec(streamId)?.[1] ?? 'other';

export function instrumentEventStore(store: EventStore, metrics: MetricsRegistry): EventStore {
  const duration = metrics.histogram('evote_append_duration_seconds', 'Event-store append latency, by operation and outcome', [
    'op',
    'outcome',
  ]);
  const appended = metrics.counter('evote_appended_events_total', 'Events appended, by stream category', ['category']);

  const outcomeOf = (err: unknown): Outcome => (isWrongExpectedRevision(err) ? 'conflict' : 'error');

  const timed = async <T>(op: 'append' | 'appendMany', work: () => Promise<T>, onOk: () => void): Promise<T> => {
    const stop = duration.startTimer({ op });
    try {
      const result = await work();
      stop({ outcome: 'ok' });
      onOk();
      return result;
    } catch (err) {
      stop({ outcome: outcomeOf(err) });
      throw err;
    }
  };

  const count = (streamId: string, events: EventData[]) => {
    if (events.length > 0) appended.inc({ category: streamCategory(streamId) }, events.length);
  };

  // Reads, subscriptions and lifecycle are delegated unchanged.
  return {
    get kind() {
      return store.kind;
    },
    append: (streamId, events, opts) => timed('append', () => store.append(streamId, events, opts), () => count(streamId, events)),
    appendMany: (requests: AppendRequest[]) =>
      timed('appendMany', () => store.appendMany(requests), () => requests.forEach((r) => count(r.streamId, r.events))),
    readStream: (streamId, opts) => store.readStream(streamId, opts),
    ...(store.readManyStreams && { readManyStreams: (ids: readonly string[]) => store.readManyStreams!(ids) }),
    readAll: (opts) => store.readAll(opts),
    subscribe: (opts) => store.subscribe(opts),
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
