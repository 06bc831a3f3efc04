/**
 * The audit's replay of ElectionCreated's ballot rules: all three fields or none, exactly as
 * election.create writes them (BALLOT_FORM otherwise), and a fingerprint of version 3 over them.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ElectionReplay } from '../../src/audit/election-replay.ts';
import { rawLogPublicKey } from '../../src/audit/checkpoint.ts';
import { nodePrimitives } from '../../src/crypto/node-primitives.ts';
import { electionFingerprint } from '../../src/crypto/election-fingerprint.ts';
import { toBase64url } from '../../src/crypto/bytes.ts';
import { electionStreamId } from '../../src/domain/streams.ts';

const spki = () => toBase64url(new Uint8Array(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' })));
const keys = { authorityPublicKey: spki(), ballotPublicKey: spki(), logPublicKey: rawLogPublicKey(generateKeyPairSync('ed25519').publicKey) };
const EID = 'forms-1';
const created = (extra: Record<string, unknown>) => ({
  position: 1,
  streamId: electionStreamId(EID),
  revision: 0,
  type: 'ElectionCreated',
  data: { electionId: EID, theme: 'T', choices: ['Ada', 'Bob', 'Cy'], expectedVoters: 3, createdAt: '2031-01-01T00:00:00.000Z', ...keys, ...extra },
});
const rules = { form: { kind: 'ranked', blank: false, full: false }, method: 'schulze', seats: 1 };

describe('ElectionCreated ballot rules in the audit', () => {
  it('accepts the rules election.create writes and fingerprints them (version 3)', () => {
    const replay = new ElectionReplay(EID, nodePrimitives);
    expect(replay.apply(created(rules))).toBeUndefined();
    expect(replay.fingerprint).toBe((electionFingerprint({ electionId: EID, ...keys, ballot: rules }) as { value: string }).value);
    expect(replay.state.ballotRules).toEqual(rules);
  });

  it.each([
    ['a method without form and seats', { method: 'schulze' }],
    ['a form with its defaults left out', { ...rules, form: { kind: 'ranked' } }],
    ['the default rules written out', { form: { kind: 'single', blank: false }, method: 'plurality', seats: 1 }],
    ['a method that does not fit the form', { ...rules, method: 'approval' }],
    ['an unknown form', { ...rules, form: { kind: 'cumulative', blank: false } }],
    ['more seats than a single-winner method fills', { ...rules, seats: 2 }],
  ])('refuses %s (BALLOT_FORM)', (_name, extra) => {
    expect(new ElectionReplay(EID, nodePrimitives).apply(created(extra))).toMatchObject({ check: 'BALLOT_FORM' });
  });
});

describe('ElectionConfigured under a ballot form in the audit', () => {
  it('refuses new choices the form does not fit (BALLOT_FORM), accepts ones it fits', () => {
    const approval = { form: { kind: 'approval', blank: false, min: 3 }, method: 'approval', seats: 1 };
    const configured = (choices: string[]) => ({ position: 2, streamId: electionStreamId(EID), revision: 1, type: 'ElectionConfigured', data: { electionId: EID, choices, configuredAt: '2031-01-01T00:00:01.000Z' } });
    const replay = new ElectionReplay(EID, nodePrimitives);
    expect(replay.apply(created(approval))).toBeUndefined();
    expect(replay.apply(configured(['Ada', 'Bob']))).toMatchObject({ check: 'BALLOT_FORM' });
    const again = new ElectionReplay(EID, nodePrimitives);
    again.apply(created(approval));
    expect(again.apply(configured(['Ada', 'Bob', 'Dee']))).toBeUndefined();
  });
});
