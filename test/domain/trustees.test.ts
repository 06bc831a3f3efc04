/**
 * Trustee elections in the deciders: given events, when command, then events or error. The election
 * decider appends the ceremony's transcript with ElectionCreated; the tally decider names a faulty
 * trustee once.
 */
import { describe, expect, it } from 'vitest';
import { decide, evolve, initialState, type ElectionState } from '../../src/domain/election.ts';
import type { CreateElection } from '../../src/domain/election-commands.ts';
import type { ElectionEvent } from '../../src/domain/election-events.ts';
import { isDomainError } from '../../src/domain/errors.ts';
import { TRANSCRIPT_VERSION, type TrusteeTranscript } from '../../src/domain/trustees.ts';
import { decideTally, evolveTally, initialTallyState } from '../../src/domain/tally.ts';
import type { TallyEvent } from '../../src/domain/tally-events.ts';

const EID = 'e-trustees';
const T0 = '2030-01-01T09:00:00.000Z';
const KEYS = { authorityPublicKey: 'a'.repeat(392), ballotPublicKey: 'b'.repeat(392), logPublicKey: 'c'.repeat(43) };
const transcript = (over: Partial<TrusteeTranscript> = {}): TrusteeTranscript => ({
  version: TRANSCRIPT_VERSION,
  ballotPublicKey: KEYS.ballotPublicKey,
  threshold: 2,
  params: { scheme: 'shoup-threshold-rsa/v1' },
  trustees: ['Ada', 'Babbage', 'Curie'].map((name, i) => ({ index: i + 1, name, identityKey: String.fromCharCode(65 + i).repeat(43), shareCommitment: String(i).repeat(64) })),
  createdAt: '2029-12-31T12:00:00.000Z',
  ...over,
});
const create = (trustees?: TrusteeTranscript): CreateElection => ({
  type: 'CreateElection',
  electionId: EID,
  theme: 'Trustees',
  choices: ['Yes', 'No'],
  expectedVoters: 3,
  publicKeys: KEYS,
  ...(trustees && { trustees }),
  now: T0,
});
const fold = (events: ElectionEvent[]): ElectionState => events.reduce(evolve, initialState);

describe('election decider: trustees', () => {
  it('given nothing, when CreateElection with a transcript, then ElectionCreated and TrusteesAppointed', () => {
    const events = decide(create(transcript()), initialState);
    if (isDomainError(events)) throw new Error(events.message);
    expect(events.map((e) => e.type)).toEqual(['ElectionCreated', 'TrusteesAppointed']);
    expect(events[1]).toEqual({ type: 'TrusteesAppointed', data: { electionId: EID, ...transcript(), appointedAt: T0 } });
    expect(events[0]?.data).toMatchObject({ ballotPublicKey: KEYS.ballotPublicKey });
    expect(fold(events).trustees).toEqual(transcript());
  });

  it('given nothing, when CreateElection without a transcript, then ElectionCreated alone (single-key election unchanged)', () => {
    const events = decide(create(), initialState);
    expect(Array.isArray(events) && events.map((e) => e.type)).toEqual(['ElectionCreated']);
    expect(fold(events as ElectionEvent[]).trustees).toBeNull();
  });

  it.each<[string, Partial<TrusteeTranscript>]>([
    ['another ballot key', { ballotPublicKey: 'd'.repeat(392) }],
    ['threshold 0', { threshold: 0 }],
    ['threshold above n', { threshold: 4 }],
    ['no trustees', { trustees: [] }],
    ['indexes out of order', { trustees: transcript().trustees.reverse() }],
    ['a duplicate name', { trustees: transcript().trustees.map((t) => ({ ...t, name: t.index === 2 ? 'ada' : t.name })) }],
    ['a duplicate identity key', { trustees: transcript().trustees.map((t) => ({ ...t, identityKey: 'A'.repeat(43) })) }],
    ['a malformed commitment', { trustees: transcript().trustees.map((t) => ({ ...t, shareCommitment: 'xyz' })) }],
    ['a name with a control character', { trustees: transcript().trustees.map((t) => ({ ...t, name: `${t.name}\n` })) }],
    ['an unknown version', { version: 2 }],
  ])('when the transcript has %s, then INVALID_TRUSTEES', (_, over) => {
    const r = decide(create(transcript(over)), initialState);
    expect(isDomainError(r) && r.code).toBe('INVALID_TRUSTEES');
  });
});

describe('tally decider: faulty trustees', () => {
  const started: TallyEvent = { type: 'TallyStarted', data: { electionId: EID, ballots: 2, startedAt: T0 } };
  const fault = (trusteeIndex: number) => ({ trusteeIndex, trustee: `T${trusteeIndex}`, ballotHash: 'f'.repeat(64), partial: `${trusteeIndex}.x.c.z` });
  const given = (...events: TallyEvent[]) => events.reduce(evolveTally, initialTallyState);

  it('given a started tally, when NameFaultyTrustees, then one TrusteeFaulted per trustee not named before', () => {
    const first = decideTally({ type: 'NameFaultyTrustees', electionId: EID, faults: [fault(2), fault(2)], now: T0 }, given(started));
    expect(first).toEqual([{ type: 'TrusteeFaulted', data: { electionId: EID, ...fault(2), faultedAt: T0 } }]);
    const state = given(started, ...(first as TallyEvent[]));
    expect(state.faultyTrustees).toEqual([2]);
    expect(decideTally({ type: 'NameFaultyTrustees', electionId: EID, faults: [fault(2), fault(3)], now: T0 }, state)).toEqual([
      { type: 'TrusteeFaulted', data: { electionId: EID, ...fault(3), faultedAt: T0 } },
    ]);
  });

  it('given no tally, or a published one, when NameFaultyTrustees, then WRONG_STATE', () => {
    const published: TallyEvent = { type: 'TallyPublished', data: { electionId: EID, counts: {}, statuses: { VALID: 0, INVALID_SIGNATURE: 0, DUPLICATE_N2: 0, INVALID_CHOICE: 0, UNDECRYPTABLE: 0 }, ballots: 0, publishedAt: T0 } };
    for (const state of [initialTallyState, given(started, published)]) {
      const r = decideTally({ type: 'NameFaultyTrustees', electionId: EID, faults: [fault(1)], now: T0 }, state);
      expect(isDomainError(r) && r.code).toBe('WRONG_STATE');
    }
  });
});
