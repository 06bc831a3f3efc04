/**
 * What one leaf of an election's transparency log is and which events belong to an election's log,
 * with no Node built-in (the browser's audit imports it); log-entry.ts adds the leaf hash on node:crypto.
 * An election id may contain '-', so membership needs the stream AND the payload's `electionId`.
 */
import { canonicalJson } from '../crypto/canonical.ts';
import { ballotStreamPrefix, credentialStreamPrefix, electionStreamId, tallyStreamId, voterStreamPrefix } from './streams.ts';

export interface LogEntry {
  position: number;
  streamId: string;
  revision: number;
  type: string;
  data: unknown;
}

/**
 * canonicalJson of plain JSON data without its per-node path bookkeeping (once per event); undefined
 * for anything else, which then goes to canonicalJson. Same text byte for byte (tested).
 */
function fastCanonical(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const text = item === undefined ? undefined : fastCanonical(item);
          if (text === undefined) return undefined;
          out += i === 0 ? text : ',' + text;
        }
        return out + ']';
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return undefined;
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units: JCS's order, and canonicalJson's.
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = record[k];
        if (v === undefined) continue;
        const text = fastCanonical(v);
        if (text === undefined) return undefined;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + text;
        first = false;
      }
      return out + '}';
    }
    default:
      return undefined;
  }
}

/** canonicalJson({ position, streamId, revision, type, data }): its keys in sorted order, spelled out. */
export function canonicalEntryText(e: LogEntry): string {
  if (Number.isFinite(e.position) && Number.isFinite(e.revision) && typeof e.streamId === 'string' && typeof e.type === 'string') {
    const data = e.data === undefined ? undefined : fastCanonical(e.data);
    if (data !== undefined) {
      return `{"data":${data},"position":${JSON.stringify(e.position)},"revision":${JSON.stringify(e.revision)},"streamId":${JSON.stringify(e.streamId)},"type":${JSON.stringify(e.type)}}`;
    }
  }
  return canonicalJson({ position: e.position, streamId: e.streamId, revision: e.revision, type: e.type, data: e.data });
}

/** The election an event's payload names, if any. */
export function electionIdOf(data: unknown): string | undefined {
  const id = (data as { electionId?: unknown } | null)?.electionId;
  return typeof id === 'string' ? id : undefined;
}

/** isElectionLogEntry for one election, with its stream names built once. */
export function electionLogMatcher(electionId: string): (e: { streamId: string; data: unknown }) => boolean {
  const election = electionStreamId(electionId);
  const tally = tallyStreamId(electionId);
  const voter = voterStreamPrefix(electionId);
  const credential = credentialStreamPrefix(electionId);
  const ballot = ballotStreamPrefix(electionId);
  return (e) => {
    if (electionIdOf(e.data) !== electionId) return false;
    const s = e.streamId;
    return (
      s === election ||
      s === tally ||
      (s.length > voter.length && s.startsWith(voter)) ||
      (s.length > credential.length && s.startsWith(credential)) ||
      (s.length > ballot.length && s.startsWith(ballot))
    );
  };
}

