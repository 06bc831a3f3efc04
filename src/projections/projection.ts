/**
 * A projection turns one ordered batch into rows inside the runner's transaction, so rows and
 * checkpoint commit together; the runner owns delivery, batching and checkpoints.
 */
import type { EventFilter, RecordedEvent } from '../eventstore/port.ts';
import type { SqlExecutor } from '../sql/client.ts';

/** Published by the runner only AFTER the batch's transaction commits. */
export interface Notification {
  channel: string;
  message: unknown;
}

export interface Projection {
  /** The checkpoint row's key: renaming it means a rebuild from zero. */
  name: string;
  filter: EventFilter;
  /** Applies matching events in position order; returns notifications to publish after the commit, in order. */
  apply(tx: SqlExecutor, events: RecordedEvent[]): Promise<Notification[]>;
  /** Empties the tables for a rebuild, in the rebuild's transaction. */
  reset(tx: SqlExecutor): Promise<void>;
}
