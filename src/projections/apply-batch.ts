/**
 * The exactly-once step: one transaction locks the checkpoint row, drops events at or below it,
 * applies the rest and moves it (docs/projections.md "Exactly-once effects").
 */
import type { RecordedEvent } from '../eventstore/port.ts';
import type { SqlClient } from '../sql/client.ts';
import type { Notification, Projection } from './projection.ts';
import { lockCheckpoint, writeCheckpoint } from './checkpoints.ts';

export interface Batch {
  /** Position delivered before the batch; a stored checkpoint below it was rewound, so re-read rather than leave a hole. */
  from: number;
  events: RecordedEvent[];
  /** A position with no further matching event up to it (the idle head): the checkpoint may jump there. */
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
