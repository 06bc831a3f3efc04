/**
 * What one leaf of an election's transparency log is, and which events are leaves.
 *
 * The election log is the election's events in global log order, from the streams
 * `election-{eid}`, `voter-{eid}-*`, `credential-{eid}-*` and `tally-{eid}` (never `log-{eid}`:
 * checkpoints sign the log, they are not in it). Stream prefixes alone are ambiguous because an
 * election id may contain '-' (`voter-a-` also prefixes `voter-a-b-…` of election `a-b`), so an
 * event belongs to election E only when its stream matches AND its payload's `electionId` is E.
 *
 * Leaf bytes = canonicalJsonBytes({ position, streamId, revision, type, data }) (RFC 8785 style,
 * src/crypto/canonical.ts): the position and revision are part of what is signed, so reordering or
 * renumbering events changes the root. Metadata and recordedAt are not: they are store details.
 */
import { canonicalJson, canonicalJsonBytes } from '../crypto/canonical.ts';
import { leafHashOfText, type Hash } from './merkle.ts';

export interface LogEntry {
  position: number;
  streamId: string;
  revision: number;
  type: string;
  data: unknown;
}

export function canonicalEntryBytes(e: LogEntry): Uint8Array {
  return canonicalJsonBytes({ position: e.position, streamId: e.streamId, revision: e.revision, type: e.type, data: e.data });
}

export function entryLeafHash(e: LogEntry): Hash {
  return leafHashOfText(canonicalJson({ position: e.position, streamId: e.streamId, revision: e.revision, type: e.type, data: e.data }));
}

/** Prefixes that select a superset of an election's log from the store (refine with `isElectionLogEntry`). */
export function electionLogPrefixes(electionId: string): string[] {
  return [`election-${electionId}`, `voter-${electionId}-`, `credential-${electionId}-`, `tally-${electionId}`];
}

/** Every election's log, for the projection that follows all elections at once. */
export const ALL_ELECTION_LOG_PREFIXES = ['election-', 'voter-', 'credential-', 'tally-'];

/** The election an event's payload names, if any. */
export function electionIdOf(data: unknown): string | undefined {
  const id = (data as { electionId?: unknown } | null)?.electionId;
  return typeof id === 'string' ? id : undefined;
}

/** True when the event is a leaf of `electionId`'s log (stream and payload agree). */
export function isElectionLogEntry(electionId: string, e: { streamId: string; data: unknown }): boolean {
  if (electionIdOf(e.data) !== electionId) return false;
  const s = e.streamId;
  return (
    s === `election-${electionId}` ||
    s === `tally-${electionId}` ||
    (s.startsWith(`voter-${electionId}-`) && s.length > `voter-${electionId}-`.length) ||
    (s.startsWith(`credential-${electionId}-`) && s.length > `credential-${electionId}-`.length)
  );
}

/** The election whose log this event is a leaf of, or undefined (wrong stream, or payload disagrees). */
export function logElectionOf(e: { streamId: string; data: unknown }): string | undefined {
  const id = electionIdOf(e.data);
  return id !== undefined && isElectionLogEntry(id, e) ? id : undefined;
}

export const logStreamOf = (electionId: string) => `log-${electionId}`;

/** Events after which a checkpoint is due at once: the election's state transitions. */
export const TRANSITION_TYPES: ReadonlySet<string> = new Set(['ElectionCreated', 'VotingStarted', 'VotingEnded', 'TallyPublished']);
