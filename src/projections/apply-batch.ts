/**
 * The exactly-once step. One transaction: lock the projection's checkpoint row, drop the events at
 * or below it (another process already applied them), apply the rest, move the checkpoint, commit.
 * Several processes may run the same projection on one database; the row lock serialises them and
 * the checkpoint comparison makes a replayed event a no-op, so each event's effect lands once.
 */
import type { RecordedEvent } from '../eventstore/port.ts';
import type { SqlClient } from '../sql/client.ts';
import type { Notification, Projection } from './projection.ts';
import { lockCheckpoint, writeCheckpoint } from './checkpoints.ts';

export interface Batch {
  /**
   * The position this reader had fully delivered before the batch (exclusive start). If the stored
   * checkpoint is below it, the checkpoint was rewound (a rebuild) and the events in between are not
   * in this batch: applying it would leave a hole, so the reader must re-read from the checkpoint.
   */
  from: number;
  events: RecordedEvent[];
  /**
   * Optional: a position known to hold no further matching event up to it (the head, when the
   * reader is idle), so the checkpoint may jump there and lag reflects unrelated traffic correctly.
   */
  advanceTo?: number;
}

export type BatchOutcome =
  | { kind: 'applied'; checkpoint: number; applied: number; notifications: Notification[] }
  | { kind: 'rewound'; checkpoint: number };

export async function applyBatchOnce(sql: SqlClient, projection: Projection, batch: Batch): Promise<BatchOutcome> {
  return sql.transaction(async (tx) => {
    const checkpoint = await lockCheckpoint(tx, projection.name);
    if (checkpoint < batch.from) return { kind: 'rewound', checkpoint };
    const fresh = batch.events.filter((e) => e.position > checkpoint);
    const notifications = fresh.length > 0 ? await projection.apply(tx, fresh) : [];
    const last = batch.events.at(-1)?.position ?? checkpoint;
    const next = Math.max(checkpoint, last, batch.advanceTo ?? 0);
    if (next > checkpoint) await writeCheckpoint(tx, projection.name, next);
    return { kind: 'applied', checkpoint: next, applied: fresh.length, notifications };
  });
}
