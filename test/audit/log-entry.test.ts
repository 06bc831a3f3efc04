/**
 * Log membership: the verifier's per-election matcher (stream names built once) decides exactly as
 * isElectionLogEntry, including the ambiguous cases an election id with '-' creates.
 */
import { describe, it, expect } from 'vitest';
import { electionLogMatcher, isElectionLogEntry } from '../../src/audit/log-entry.ts';

describe('electionLogMatcher', () => {
  it('agrees with isElectionLogEntry on every stream kind, prefix trap and payload mismatch', () => {
    const ids = ['a', 'a-b', 'e1'];
    const streams = ['election-a', 'election-a-b', 'tally-a', 'tally-a-b', 'voter-a-', 'voter-a-v1', 'voter-a-b-v1', 'credential-a-', 'credential-a-ff', 'credential-a-b-ff', 'ballot-a-', 'ballot-a-u1', 'ballot-a-b-u1', 'log-a', 'election-e1x', 'voter-e1-v', 'x'];
    const cases = ids.flatMap((id) => streams.flatMap((streamId) => ids.map((payloadId) => ({ id, e: { streamId, data: { electionId: payloadId } } }))));
    cases.push({ id: 'a', e: { streamId: 'election-a', data: {} as { electionId: string } } });
    let members = 0;
    for (const { id, e } of cases) {
      const expected = isElectionLogEntry(id, e);
      expect(electionLogMatcher(id)(e)).toBe(expected);
      if (expected) members++;
    }
    // Both kinds of answer occur, so the comparison above means something.
    expect(members).toBeGreaterThan(5);
    expect(members).toBeLessThan(cases.length - 5);
    expect(electionLogMatcher('a')({ streamId: 'voter-a-b-v1', data: { electionId: 'a' } })).toBe(true);
    expect(electionLogMatcher('a')({ streamId: 'voter-a-b-v1', data: { electionId: 'a-b' } })).toBe(false);
    // A ballot's own stream is part of its election's log.
    expect(electionLogMatcher('a-b')({ streamId: 'ballot-a-b-u1', data: { electionId: 'a-b' } })).toBe(true);
    expect(isElectionLogEntry('a', { streamId: 'ballot-a-', data: { electionId: 'a' } })).toBe(false);
  });
});
