/**
 * What one leaf of an election's transparency log is, and which events are leaves (docs/audit.md).
 * An election id may contain '-', so membership needs the stream AND the payload's `electionId`.
 */
import {
  ELECTION_LOG_CATEGORIES,
  ballotStreamPrefix,
  credentialStreamPrefix,
  electionStreamId,
  tallyStreamId,
  voterStreamPrefix,
} from './streams.ts';
import { leafHashOfText, type Hash } from '../crypto/merkle.ts';
import { canonicalEntryText, electionIdOf, electionLogMatcher, type LogEntry } from './log-entry-text.ts';

// The entry's text and the log's membership are platform-neutral (log-entry-text.ts).
export { canonicalEntryText, electionIdOf, electionLogMatcher, type LogEntry } from './log-entry-text.ts';

export function entryLeafHash(e: LogEntry): Hash {
  return leafHashOfText(canonicalEntryText(e));
}

/** Prefixes that select a superset of an election's log from the store (refine with `electionLogMatcher`). */
export function electionLogPrefixes(electionId: string): string[] {
  return [electionStreamId(electionId), voterStreamPrefix(electionId), credentialStreamPrefix(electionId), ballotStreamPrefix(electionId), tallyStreamId(electionId)];
}

/** Every election's log, for the projection that follows all elections at once. */
export const ALL_ELECTION_LOG_PREFIXES: string[] = [...ELECTION_LOG_CATEGORIES];

/** True when the event is a leaf of `electionId`'s log (stream and payload agree). */
export function isElectionLogEntry(electionId: string, e: { streamId: string; data: unknown }): boolean {
  return electionLogMatcher(electionId)(e);
}

/** The election whose log this event is a leaf of, or undefined (wrong stream, or payload disagrees). */
export function logElectionOf(e: { streamId: string; data: unknown }): string | undefined {
  const id = electionIdOf(e.data);
  return id !== undefined && isElectionLogEntry(id, e) ? id : undefined;
}

/** Events after which a checkpoint is due at once: the election's state transitions. */
export const TRANSITION_TYPES: ReadonlySet<string> = new Set(['ElectionCreated', 'VotingStarted', 'VotingEnded', 'TallyPublished']);
