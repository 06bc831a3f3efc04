/** The client's ballot by names → the canonical choice text (docs/methods.md), and the CLI's flags → election.create's form. */
import { describe, expect, it } from 'vitest';
import { choiceText } from '../../src/client/ballot-choice.ts';
import { ballotFromVoteFlags, ballotInputFromFlags, describeBallot } from '../../src/cli/ballot-form-options.ts';
import { validateBallotRules, type BallotRules } from '../../src/domain/ballot-form.ts';

const choices = ['Ada', 'Bob', 'Cy', 'Dee'];
const rules = (input: Parameters<typeof validateBallotRules>[0]) => validateBallotRules(input, choices.length) as BallotRules;
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return 'no error';
};

describe('choiceText', () => {
  it('keeps the name of a single-choice election, and encodes the other forms by index', () => {
    expect(choiceText({ choices }, 'Cy')).toBe('Cy');
    expect(choiceText({ choices, ballot: rules({ form: { kind: 'approval' } }) }, { approved: ['Dee', 'Ada'] })).toBe('approval:0,3');
    expect(choiceText({ choices, ballot: rules({ form: { kind: 'approval' } }) }, 'Bob')).toBe('approval:1');
    expect(choiceText({ choices, ballot: rules({ method: 'irv' }) }, { ranking: ['Cy', 'Ada'] })).toBe('ranked:2>0');
    const graded = rules({ form: { kind: 'graded', scale: ['Reject', 'Fair', 'Good'], blank: true }, method: 'majority-judgment' });
    expect(choiceText({ choices, ballot: graded }, { grades: { Bob: 'Good', Ada: 'Reject' } })).toBe('graded:0,2,-,-');
    expect(choiceText({ choices, ballot: graded }, { blank: true })).toBe('');
  });

  it('refuses with INVALID_CHOICE what the tally would not count as VALID', () => {
    const ranked = { choices, ballot: rules({ form: { kind: 'ranked', full: true }, method: 'schulze' }) };
    expect(codeOf(() => choiceText(ranked, { ranking: ['Cy', 'Ada'] }))).toBe('INVALID_CHOICE');
    expect(codeOf(() => choiceText(ranked, { ranking: ['Cy', 'Eve', 'Ada', 'Bob'] }))).toBe('INVALID_CHOICE');
    expect(codeOf(() => choiceText(ranked, 'Cy'))).toBe('INVALID_CHOICE');
    expect(codeOf(() => choiceText(ranked, { blank: true }))).toBe('INVALID_CHOICE');
    expect(codeOf(() => choiceText({ choices }, 'cy'))).toBe('INVALID_CHOICE');
    const graded = { choices, ballot: rules({ form: { kind: 'graded', scale: ['Bad', 'Good'] }, method: 'score' }) };
    expect(codeOf(() => choiceText(graded, { grades: { Ada: 'Great' } }))).toBe('INVALID_CHOICE');
  });
});

describe('evote election create ballot flags', () => {
  it('pass only what was given, for the server to complete and check', () => {
    expect(ballotInputFromFlags({})).toEqual({});
    expect(ballotInputFromFlags({ form: 'ranked', method: 'schulze' })).toEqual({ form: { kind: 'ranked' }, method: 'schulze' });
    expect(ballotInputFromFlags({ form: 'approval', min: 1, max: 3 })).toEqual({ form: { kind: 'approval', min: 1, max: 3 } });
    expect(ballotInputFromFlags({ form: 'graded', scale: 'Reject, Poor,Fair,Good,Excellent', method: 'majority-judgment' })).toEqual({
      form: { kind: 'graded', scale: ['Reject', 'Poor', 'Fair', 'Good', 'Excellent'] },
      method: 'majority-judgment',
    });
    expect(ballotInputFromFlags({ form: 'ranked', full: true, blank: true, method: 'stv-scottish', seats: 3 })).toEqual({ form: { kind: 'ranked', blank: true, full: true }, method: 'stv-scottish', seats: 3 });
  });

  it('refuse a flag of another form, an unknown form, and graded without a scale (usage errors)', () => {
    expect(codeOf(() => ballotInputFromFlags({ form: 'ranked', max: 3 }))).toBe('USAGE');
    expect(codeOf(() => ballotInputFromFlags({ scale: 'a,b' }))).toBe('USAGE');
    expect(codeOf(() => ballotInputFromFlags({ form: 'cumulative' }))).toBe('USAGE');
    expect(codeOf(() => ballotInputFromFlags({ form: 'graded', method: 'score' }))).toBe('USAGE');
  });

  it('describe the ballot on one line', () => {
    expect(describeBallot(null)).toBe('single choice · plurality');
    expect(describeBallot(rules({ form: { kind: 'approval', max: 2, blank: true } }))).toBe('approval (1–2 approvals, blank allowed) · approval · 1 seat');
    expect(describeBallot(rules({ method: 'stv-scottish', seats: 2 }))).toBe('ranked (partial) · stv-scottish · 2 seats');
  });
});

describe('evote vote ballot flags', () => {
  it('one --choice is a name, several are approvals; --rank, --grade and --blank give their forms', () => {
    expect(ballotFromVoteFlags({ choice: ['Ada'] })).toBe('Ada');
    expect(ballotFromVoteFlags({ choice: ['Ada', 'Cy'] })).toEqual({ approved: ['Ada', 'Cy'] });
    expect(ballotFromVoteFlags({ rank: ['Cy', 'Ada'] })).toEqual({ ranking: ['Cy', 'Ada'] });
    expect(ballotFromVoteFlags({ grade: ['Ada=Good', 'A=B=Fair'] })).toEqual({ grades: { Ada: 'Good', 'A=B': 'Fair' } });
    expect(ballotFromVoteFlags({ blank: true })).toEqual({ blank: true });
  });

  it('refuse none or two kinds of flag, and a grade without "="', () => {
    expect(codeOf(() => ballotFromVoteFlags({}))).toBe('USAGE');
    expect(codeOf(() => ballotFromVoteFlags({ choice: ['Ada'], rank: ['Ada'] }))).toBe('USAGE');
    expect(codeOf(() => ballotFromVoteFlags({ grade: ['Good'] }))).toBe('USAGE');
  });
});
