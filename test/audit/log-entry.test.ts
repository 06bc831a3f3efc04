/**
 * Log membership: an event is a leaf of election E's log when its stream is one of E's (exactly
 * `election-E` / `tally-E`, or strictly under `voter-E-`, `credential-E-`, `ballot-E-`) AND its
 * payload names E — including the ambiguous cases an election id with '-' creates.
 */
import { describe, it, expect } from 'vitest';
import { electionLogMatcher, isElectionLogEntry } from '../../src/domain/log-entry.ts';

/** The rule written out by hand, independently of the code under test. */
const MEMBERS: Record<string, string[]> = {
  a: ['election-a', 'tally-a', 'voter-a-v1', 'voter-a-b-v1', 'credential-a-ff', 'credential-a-b-ff', 'ballot-a-u1', 'ballot-a-b-u1'],
  'a-b': ['election-a-b', 'tally-a-b', 'voter-a-b-v1', 'credential-a-b-ff', 'ballot-a-b-u1'],
  e1: ['voter-e1-v'],
};

describe('electionLogMatcher', () => {
  it('decides membership by stream and payload, on every stream kind and prefix trap', () => {
    const ids = Object.keys(MEMBERS);
    const streams = ['election-a', 'election-a-b', 'tally-a', 'tally-a-b', 'voter-a-', 'voter-a-v1', 'voter-a-b-v1', 'credential-a-', 'credential-a-ff', 'credential-a-b-ff', 'ballot-a-', 'ballot-a-u1', 'ballot-a-b-u1', 'log-a', 'election-e1x', 'voter-e1-v', 'x'];
    for (const id of ids) {
      const matches = electionLogMatcher(id);
      for (const streamId of streams) {
        for (const payloadId of ids) {
          const expected = payloadId === id && MEMBERS[id]!.includes(streamId);
          const e = { streamId, data: { electionId: payloadId } };
          expect(matches(e), `${id} ${streamId} ${payloadId}`).toBe(expected);
          expect(isElectionLogEntry(id, e)).toBe(expected);
        }
      }
    }
    expect(electionLogMatcher('a')({ streamId: 'election-a', data: {} })).toBe(false);
  });
});
