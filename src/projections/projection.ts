/**
 * A projection folds events into read-model tables. The runner (runner.ts) owns delivery, batching,
 * transactions and checkpoints; a projection only turns one ordered batch into rows, inside the
 * transaction it is handed, so the rows and the checkpoint commit together (exactly-once effect).
 */
import type { EventFilter, RecordedEvent } from '../eventstore/port.ts';
import type { SqlExecutor } from '../sql/client.ts';

/** A message for live subscribers, published by the runner only AFTER the batch's transaction commits. */
export interface Notification {
  channel: string;
  message: unknown;
}

export interface Projection {
  /** Stable name: the checkpoint row's key. Renaming it means a rebuild from zero. */
  name: string;
  /** Only matching events are handed to `apply`. */
  filter: EventFilter;
  /**
   * Applies a batch of matching events, in position order, each exactly once. Returns the
   * notifications to publish once the transaction has committed, in the order to publish them.
   */
  apply(tx: SqlExecutor, events: RecordedEvent[]): Promise<Notification[]>;
  /** Empties the projection's tables, for a rebuild from zero. Runs in the rebuild's transaction. */
  reset(tx: SqlExecutor): Promise<void>;
}
