/**
 * Writes to the tally stream. Unlike handleCommand, a conflict is NOT retried here: in the tally a
 * conflict means another tally run appended first (it counted ballots this run was about to
 * count), so the caller must re-read the stream and recompute what is left, not re-decide blindly.
 */
import { isWrongExpectedRevision, type EventStore } from '../eventstore/port.ts';
import type { Result } from '../domain/errors.ts';
import { domainError, isDomainError } from '../domain/errors.ts';
import { tallyStreamId, type TallyEvent } from '../domain/tally-events.ts';
import { tallyDecider, type TallyCommand, type TallyState } from '../domain/tally.ts';
import { expectedRevisionOf, loadAggregate, toEventData, type Aggregate, type AggregateCache } from './command-handler.ts';

export type TallyAggregate = Aggregate<TallyState>;

export function loadTally(store: EventStore, electionId: string, cache?: AggregateCache<TallyState>): Promise<TallyAggregate> {
  return loadAggregate(store, tallyDecider, tallyStreamId(electionId), cache);
}

/**
 * Decides `command` on `aggregate` and appends with its revision as the expected revision.
 * Answers the new aggregate; CONCURRENCY_CONFLICT when the stream moved (re-read and start over).
 */
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
