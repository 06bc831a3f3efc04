/** The per-ballot status rules, in their order of precedence. */
import { describe, expect, it } from 'vitest';
import { classifyBallot, type OpenedBallot } from '../../src/tally/classify.ts';

const ctx = { minted: new Set(['m1', 'm2']), seen: new Set(['m2']), choices: new Set(['Yes', 'No']) };
const opened = (over: Partial<Extract<OpenedBallot, { kind: 'opened' }>> = {}): OpenedBallot => ({
  kind: 'opened',
  revealedR: 'r',
  choice: 'Yes',
  hashN2: 'm1',
  signatureValid: true,
  ...over,
});

describe('classifyBallot', () => {
  it('decides each status, the first applicable one winning', () => {
    expect(classifyBallot({ kind: 'undecryptable', revealedR: null, choice: null, hashN2: null }, ctx).status).toBe('UNDECRYPTABLE');
    // A bad signature wins over an unminted N2, a seen N2 and an unknown choice.
    expect(classifyBallot(opened({ signatureValid: false, hashN2: 'zz', choice: 'Maybe' }), ctx).status).toBe('INVALID_SIGNATURE');
    expect(classifyBallot(opened({ hashN2: 'zz', choice: 'Maybe' }), ctx).status).toBe('INVALID_N2');
    expect(classifyBallot(opened({ hashN2: null }), ctx).status).toBe('INVALID_N2');
    expect(classifyBallot(opened({ hashN2: 'm2', choice: 'Maybe' }), ctx).status).toBe('DUPLICATE_N2');
    expect(classifyBallot(opened({ choice: 'Maybe' }), ctx).status).toBe('INVALID_CHOICE');
    expect(classifyBallot(opened(), ctx)).toEqual({ status: 'VALID', revealedR: 'r', hashN2: 'm1', choice: 'Yes', marksSeen: true });
  });

  it('marks N2 as seen only for VALID and DUPLICATE_N2 ballots', () => {
    expect(classifyBallot(opened({ hashN2: 'm2' }), ctx).marksSeen).toBe(true);
    expect(classifyBallot(opened({ choice: 'Maybe' }), ctx).marksSeen).toBe(false);
    expect(classifyBallot(opened({ signatureValid: false }), ctx).marksSeen).toBe(false);
  });

  it('matches choices exactly (no trimming or case folding)', () => {
    expect(classifyBallot(opened({ choice: 'yes' }), ctx).status).toBe('INVALID_CHOICE');
    expect(classifyBallot(opened({ choice: 'Yes ' }), ctx).status).toBe('INVALID_CHOICE');
  });
});
