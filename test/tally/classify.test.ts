/** The per-ballot status rules, in their order of precedence. */
import { describe, expect, it } from 'vitest';
import { classifyBallot, type OpenedBallot } from '../../src/tally/classify.ts';

const [C1, C2, C3] = ['1', '2', '3'].map((d) => d.repeat(64)) as [string, string, string];
const ctx = { seen: new Set([C2]), choices: new Set(['Yes', 'No']) };
const opened = (over: Partial<Extract<OpenedBallot, { kind: 'opened' }>> = {}): OpenedBallot => ({
  kind: 'opened',
  revealedR: 'r',
  choice: 'Yes',
  n2Commitment: C1,
  signatureValid: true,
  ...over,
});

describe('classifyBallot', () => {
  it('decides each status, the first applicable one winning', () => {
    expect(classifyBallot({ kind: 'undecryptable', revealedR: null, choice: null, n2Commitment: null }, ctx).status).toBe('UNDECRYPTABLE');
    // A bad signature wins over a seen commitment and an unknown choice.
    expect(classifyBallot(opened({ signatureValid: false, n2Commitment: C2, choice: 'Maybe' }), ctx).status).toBe('INVALID_SIGNATURE');
    expect(classifyBallot(opened({ n2Commitment: C2, choice: 'Maybe' }), ctx).status).toBe('DUPLICATE_N2');
    expect(classifyBallot(opened({ choice: 'Maybe' }), ctx).status).toBe('INVALID_CHOICE');
    expect(classifyBallot(opened(), ctx)).toEqual({ status: 'VALID', revealedR: 'r', n2Commitment: C1, choice: 'Yes', marksSeen: true });
  });

  it('has no membership check: any commitment not seen before counts (the blind signature bounds the ballots)', () => {
    expect(classifyBallot(opened({ n2Commitment: C3 }), ctx).status).toBe('VALID');
  });

  it('marks the commitment as seen only for VALID and DUPLICATE_N2 ballots', () => {
    expect(classifyBallot(opened({ n2Commitment: C2 }), ctx).marksSeen).toBe(true);
    expect(classifyBallot(opened({ choice: 'Maybe' }), ctx).marksSeen).toBe(false);
    expect(classifyBallot(opened({ signatureValid: false }), ctx).marksSeen).toBe(false);
  });

  it('matches choices exactly (no trimming or case folding)', () => {
    expect(classifyBallot(opened({ choice: 'yes' }), ctx).status).toBe('INVALID_CHOICE');
    expect(classifyBallot(opened({ choice: 'Yes ' }), ctx).status).toBe('INVALID_CHOICE');
  });
});
