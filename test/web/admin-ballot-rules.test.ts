/**
 * The console's create form → election.create's ballot part (web/src/admin/ballot-rules.ts): plain
 * plurality sends nothing new; each method sends its form with only the fields given, and the result
 * is what the server's own validateBallotRules accepts (or refuses) for the same choices.
 */
import { describe, expect, it } from 'vitest';
import { validateBallotRules } from '../../src/domain/ballot-form.ts';
import { DEFAULT_DRAFT, rulesPayload } from '../../web/src/admin/ballot-rules.ts';

const draft = (patch: Partial<typeof DEFAULT_DRAFT>) => ({ ...DEFAULT_DRAFT, ...patch });

describe('the console’s ballot rules payload', () => {
  it('sends nothing for plurality without blank ballots: today’s request, unchanged', () => {
    expect(rulesPayload(DEFAULT_DRAFT)).toEqual({});
    // Fields of other forms, typed before switching back, are not sent.
    expect(rulesPayload(draft({ min: '2', maxRanks: '3', full: true, scale: 'a,b' }))).toEqual({});
  });

  it('sends each method with the form it counts and only that form’s fields', () => {
    expect(rulesPayload(draft({ blank: true }))).toEqual({ form: { kind: 'single', blank: true }, method: 'plurality' });
    expect(rulesPayload(draft({ method: 'approval', min: '1', max: '2' }))).toEqual({ form: { kind: 'approval', min: 1, max: 2 }, method: 'approval' });
    expect(rulesPayload(draft({ method: 'irv', full: true, maxRanks: '2', blank: true }))).toEqual({ form: { kind: 'ranked', blank: true, full: true }, method: 'irv' });
    expect(rulesPayload(draft({ method: 'schulze', maxRanks: '2' }))).toEqual({ form: { kind: 'ranked', maxRanks: 2 }, method: 'schulze' });
    expect(rulesPayload(draft({ method: 'stv-scottish', seats: '2' }))).toEqual({ form: { kind: 'ranked' }, method: 'stv-scottish', seats: 2 });
    expect(rulesPayload(draft({ method: 'majority-judgment', scale: ' Poor, Fair ,Good' }))).toEqual({ form: { kind: 'graded', scale: ['Poor', 'Fair', 'Good'] }, method: 'majority-judgment' });
    for (const d of [draft({ method: 'score', scale: 'Bad,Good' }), draft({ method: 'stv-scottish', seats: '2' }), draft({ method: 'approval', max: '3' })]) {
      const rules = validateBallotRules(rulesPayload(d), 3);
      expect(rules && 'form' in rules ? rules.method : rules).toBe(d.method);
    }
  });

  it('checks the weights with the server’s rule and refuses an empty grade name', () => {
    expect(rulesPayload(draft({ weights: ' 3, 1 ' }))).toEqual({ weights: [1, 3] });
    expect(rulesPayload(draft({ method: 'approval', weights: '1,5' }))).toEqual({ form: { kind: 'approval' }, method: 'approval', weights: [1, 5] });
    for (const weights of ['1', '2,2', '1,x', '0,1']) expect(() => rulesPayload(draft({ weights }))).toThrow(expect.objectContaining({ code: 'INVALID_WEIGHTS' }));
    expect(() => rulesPayload(draft({ method: 'score', scale: 'Bad,,Good' }))).toThrow(expect.objectContaining({ code: 'INVALID_BALLOT_FORM' }));
  });
});
