/**
 * The EventStore port over PostgreSQL or PGlite (docs/eventstore.md). It does not own `sql`: the
 * caller closes the client.
 */
import type { SqlClient } from '../sql/client.ts';
import type { AppendRequest, AppendResult, EventData, EventStore, EventSubscription, ExpectedRevision, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions } from './port.ts';
import { EventStoreError, normalizeRequests } from './append-input.ts';
import { Doorbell } from './doorbell.ts';
import { GroupCommitter } from './group-commit.ts';
import { EVENTS_CHANNEL } from './sql-schema.ts';
import { readAllEvents, readHeadPosition, readManyStreams, readStreamEvents } from './sql-reads.ts';
import { SqlSubscription } from './sql-subscription.ts';

export interface SqlEventStoreOptions {
  /** Caught-up subscriptions re-read at least this often. Default 500. */
  pollIntervalMs?: number;
  /** Default 500. */
  maxBatchAppends?: number;
}

const ROWS_PER_STATEMENT = 500;
const SUBSCRIPTION_PAGE_SIZE = 500;

/** Expects a migrated database (src/sql/migrate.ts). */
export async function createSqlEventStore(sql: SqlClient, opts: SqlEventStoreOptions = {}): Promise<EventStore> {
  const pollIntervalMs = opts.pollIntervalMs ?? 500;
  const bell = new Doorbell();
  const committer = new GroupCommitter(sql, {
    maxBatchAppends: Math.max(1, opts.maxBatchAppends ?? 500),
    rowsPerStatement: ROWS_PER_STATEMENT,
    onCommitted: () => bell.ring(),
  });
  const subscriptions = new Set<SqlSubscription>();
  let unlisten: Promise<(() => Promise<void>) | undefined> | undefined;
  let closed = false;

  const submit = (requests: AppendRequest[]): Promise<AppendResult[]> => {
    if (closed) return Promise.reject(new EventStoreError('EVENT_STORE_CLOSED', 'event store is closed'));
    try {
      return committer.submit(normalizeRequests(requests));
    } catch (err) {
      return Promise.reject(err);
    }
  };

  // Other processes' commits arrive by NOTIFY; if listening fails, the poll still progresses.
  const ensureListening = () => {
    unlisten ??= sql.listen(EVENTS_CHANNEL, () => bell.ring()).catch(() => undefined);
  };

  return {
    kind: sql.kind,

    async append(streamId: string, events: EventData[], appendOpts: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
      const [result] = await submit([{ streamId, events, expectedRevision: appendOpts?.expectedRevision }]);
      if (!result) throw new Error('append: no result');
      return result;
    },

    appendMany(requests: AppendRequest[]): Promise<AppendResult[]> {
      return submit(requests);
    },

    readStream(streamId: string, readOpts?: ReadStreamOptions): Promise<RecordedEvent[]> {
      return readStreamEvents(sql, streamId, readOpts);
    },

    readManyStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
      return readManyStreams(sql, streamIds);
    },

    readAll(readOpts?: ReadAllOptions): Promise<RecordedEvent[]> {
      return readAllEvents(sql, readOpts);
    },

    subscribe(subOpts: SubscribeOptions = {}): EventSubscription {
      const sub = new SqlSubscription(sql, bell, {
        fromPosition: Math.max(0, subOpts.fromPosition ?? 0),
        filter: subOpts.filter,
        pageSize: SUBSCRIPTION_PAGE_SIZE,
        pollIntervalMs,
        onClose: (s) => subscriptions.delete(s),
      });
      if (closed) {
        void sub.close();
        return sub;
      }
      subscriptions.add(sub);
      ensureListening();
      return sub;
    },

    headPosition(): Promise<number> {
      return readHeadPosition(sql);
    },

    async ping(): Promise<boolean> {
      try {
        await sql.query('select 1');
        return true;
      } catch {
        return false;
      }
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...subscriptions].map((s) => s.close()));
      await committer.drain();
      const stop = await unlisten;
      await stop?.().catch(() => {});
    },
  };
}
