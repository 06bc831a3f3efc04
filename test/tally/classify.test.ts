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

describe('classifyBallot with a ballot form', () => {
  const ranked = { ...ctx, choices: new Set(['Ada', 'Bob', 'Cy']), ballot: { form: { kind: 'ranked' as const, blank: false, full: true }, candidates: ['Ada', 'Bob', 'Cy'] } };

  it('decodes the choice by the form: VALID, or INVALID_CHOICE with the reason', () => {
    expect(classifyBallot(opened({ choice: 'ranked:2>0>1' }), ranked)).toEqual({ status: 'VALID', revealedR: 'r', n2Commitment: C1, choice: 'ranked:2>0>1', marksSeen: true });
    expect(classifyBallot(opened({ choice: 'ranked:2>0' }), ranked)).toMatchObject({ status: 'INVALID_CHOICE', reason: 'INCOMPLETE_RANKING', marksSeen: false });
    expect(classifyBallot(opened({ choice: 'ranked:2>0>2' }), ranked)).toMatchObject({ status: 'INVALID_CHOICE', reason: 'DUPLICATE_RANK' });
    // A candidate's name is not a ranked ballot, even though it is one of the choices.
    expect(classifyBallot(opened({ choice: 'Ada' }), ranked)).toMatchObject({ status: 'INVALID_CHOICE', reason: 'MALFORMED' });
    expect(classifyBallot(opened({ choice: '' }), ranked)).toMatchObject({ status: 'INVALID_CHOICE', reason: 'BLANK_NOT_ALLOWED' });
  });

  it('keeps the earlier rules first, without a reason', () => {
    const r = classifyBallot(opened({ choice: 'ranked:9', signatureValid: false }), ranked);
    expect(r.status).toBe('INVALID_SIGNATURE');
    expect(r).not.toHaveProperty('reason');
  });

  it('gives no reason without a form (VoteCounted as before forms)', () => {
    expect(classifyBallot(opened({ choice: 'Maybe' }), { ...ctx, ballot: null })).not.toHaveProperty('reason');
  });
});
