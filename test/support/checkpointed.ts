import { electionLogLines } from '../../src/audit/export.ts';
import type { EventStore } from '../../src/eventstore/port.ts';

/**
 * Waits until the election's log ends with a LogCheckpointed. The checkpointer signs the head every
 * few seconds, so an audit right after the tally can find the tail unsigned (UNSIGNED_TAIL).
 */
export async function untilCheckpointed(store: EventStore, electionId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: { type?: string } | undefined;
    for await (const line of electionLogLines(store, electionId)) last = line as { type?: string };
    if (last?.type === 'LogCheckpointed') return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for a checkpoint signing the end of ${electionId}'s log`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
