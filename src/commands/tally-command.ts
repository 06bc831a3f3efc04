/**
 * Writes to the tally stream. A conflict is NOT retried: another run counted first, so the caller
 * re-reads and recomputes what is left.
 */
import { isWrongExpectedRevision, type EventStore } from '../eventstore/port.ts';
import type { Result } from '../domain/errors.ts';
import { domainError, isDomainError } from '../domain/errors.ts';
import type { TallyEvent } from '../domain/tally-events.ts';
import { tallyDecider, type TallyCommand, type TallyState } from '../domain/tally.ts';
import { expectedRevisionOf, loadAggregate, toEventData, type Aggregate, type AggregateCache } from './command-handler.ts';
import { tallyStreamId } from '../domain/streams.ts';

export type TallyAggregate = Aggregate<TallyState>;

export function loadTally(store: EventStore, electionId: string, cache?: AggregateCache<TallyState>): Promise<TallyAggregate> {
  return loadAggregate(store, tallyDecider, tallyStreamId(electionId), cache);
}

/** Decides and appends at `aggregate`'s revision; CONCURRENCY_CONFLICT when the stream moved. */
export async function decideAndAppendTally(
  store: EventStore,
  electionId: string,
  aggregate: TallyAggregate,
  command: TallyCommand,
): Promise<Result<{ aggregate: TallyAggregate; events: TallyEvent[] }>> {
  const decided = tallyDecider.decide(command, aggregate.state);
  if (isDomainError(decided)) return { ok: false, error: decided };
  if (decided.length === 0) return { ok: true, value: { aggregate, events: [] } };
  const streamId = tallyStreamId(electionId);
  try {
    const appended = await store.append(streamId, decided.map(toEventData), { expectedRevision: expectedRevisionOf(aggregate.revision) });
    const state = decided.reduce(tallyDecider.evolve, aggregate.state);
    return { ok: true, value: { aggregate: { state, revision: appended.nextExpectedRevision, position: appended.position }, events: decided } };
  } catch (err) {
    if (!isWrongExpectedRevision(err)) throw err;
    return { ok: false, error: domainError('CONCURRENCY_CONFLICT', 'another tally run appended to the tally stream', { streamId }) };
  }
}
