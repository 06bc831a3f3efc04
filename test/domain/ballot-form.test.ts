/**
 * Ballot forms: every valid ballot has exactly one text (round trip, and the text is what the
 * grammar of docs/methods.md spells), and each non-canonical or out-of-range text is refused with its reason.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeBallot,
  encodeBallot,
  validateBallotForm,
  validateBallotRules,
  type BallotForm,
  type BallotMarks,
  type BallotRejection,
} from '../../src/domain/ballot-form.ts';

const names = (n: number) => Array.from({ length: n }, (_, i) => `Candidate ${i}`);
const C5 = names(5);

const approval = (o: Partial<{ min: number; max: number; blank: boolean }> = {}): BallotForm => ({ kind: 'approval', blank: o.blank ?? false, min: o.min ?? 1, ...(o.max !== undefined && { max: o.max }) });
const ranked = (o: Partial<{ full: boolean; maxRanks: number; blank: boolean }> = {}): BallotForm => ({ kind: 'ranked', blank: o.blank ?? false, full: o.full ?? false, ...(o.maxRanks !== undefined && { maxRanks: o.maxRanks }) });
const graded = (blank = false): BallotForm => ({ kind: 'graded', blank, scale: ['Reject', 'Poor', 'Fair', 'Good', 'Excellent'] });

const reasonOf = (form: BallotForm, text: string, candidates = C5): BallotRejection | 'OK' => {
  const d = decodeBallot(form, candidates, text);
  return d.ok ? 'OK' : d.reason;
};

/** A full ranking completes the order; an empty one is blank, or replaced when blank is refused. */
function rankingFor(n: number, blank: boolean, full: boolean, order: number[]): number[] {
  if (order.length === 0 && blank) return [];
  const rest = Array.from({ length: n }, (_, i) => i).filter((i) => !order.includes(i));
  if (full) return [...order, ...rest];
  return order.length > 0 ? order : [n - 1];
}

/** Marks of a valid ballot (possibly blank) for a random form over n candidates. */
const formAndMarks = fc.integer({ min: 2, max: 12 }).chain((n) =>
  fc.oneof(
    fc.record({ blank: fc.boolean(), choice: fc.option(fc.nat(n - 1), { nil: null }) }).map(({ blank, choice }) => ({
      n,
      form: { kind: 'single', blank } as BallotForm,
      marks: { kind: 'single', choice: blank ? choice : (choice ?? 0) } as BallotMarks,
    })),
    fc.record({ blank: fc.boolean(), set: fc.uniqueArray(fc.nat(n - 1), { maxLength: n }) }).map(({ blank, set }) => ({
      n,
      form: approval({ blank, min: 1 }),
      marks: { kind: 'approval', approved: blank || set.length > 0 ? set : [0] } as BallotMarks,
    })),
    fc.record({ blank: fc.boolean(), full: fc.boolean(), order: fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i)) }).map(({ blank, full, order }) => ({
      n,
      form: ranked({ blank, full }),
      marks: { kind: 'ranked', ranking: rankingFor(n, blank, full, order) } as BallotMarks,
    })),
    fc.record({ blank: fc.boolean(), grades: fc.array(fc.option(fc.nat(4), { nil: null }), { minLength: n, maxLength: n }) }).map(({ blank, grades }) => ({
      n,
      form: graded(blank),
      marks: { kind: 'graded', grades: blank || grades.some((g) => g !== null) ? grades : grades.map(() => 2) } as BallotMarks,
    })),
  ),
);

describe('ballot forms: one text per ballot', () => {
  it('encode then decode gives the ballot back, and the text is its only spelling', () => {
    fc.assert(
      fc.property(formAndMarks, ({ n, form, marks }) => {
        const candidates = names(n);
        const text = encodeBallot(form, candidates, marks);
        const d = decodeBallot(form, candidates, text);
        expect(d.ok).toBe(true);
        if (!d.ok) return;
        const b = d.ballot;
        expect(b.kind).toBe(form.kind);
        expect(b.weight).toBe(1);
        // Re-encoding the decoded ballot gives the same text: a fixed point, so no second spelling decodes to it.
        const again =
          b.kind === 'single' ? { kind: b.kind, choice: b.choice } : b.kind === 'approval' ? { kind: b.kind, approved: b.approved } : b.kind === 'ranked' ? { kind: b.kind, ranking: b.ranking } : { kind: b.kind, grades: b.grades };
        expect(encodeBallot(form, candidates, again as BallotMarks)).toBe(text);
        if (marks.kind === 'approval') expect(b.kind === 'approval' && b.approved).toEqual([...marks.approved].sort((x, y) => x - y));
        if (marks.kind === 'ranked') expect(b.kind === 'ranked' && b.ranking).toEqual(marks.ranking);
        if (marks.kind === 'graded') expect(b.kind === 'graded' && b.grades).toEqual(d.blank ? marks.grades.map(() => null) : marks.grades);
        if (marks.kind === 'single') expect(b.kind === 'single' && b.choice).toBe(marks.choice);
      }),
      { numRuns: 500 },
    );
  });

  it('every other spelling of a valid ballot is refused (a character inserted, removed or doubled)', () => {
    fc.assert(
      fc.property(formAndMarks, fc.nat(), fc.constantFrom(' ', '0', ',', '>', '-', '+', ':', '00'), fc.constantFrom('insert', 'delete', 'double'), ({ n, form, marks }, at, ch, how) => {
        const candidates = names(n);
        const text = encodeBallot(form, candidates, marks);
        const i = text.length === 0 ? 0 : at % (text.length + (how === 'insert' ? 1 : 0));
        const other = how === 'insert' ? text.slice(0, i) + ch + text.slice(i) : how === 'delete' ? text.slice(0, i) + text.slice(i + 1) : text.slice(0, i) + text.slice(i, i + 1).repeat(2) + text.slice(i + 1);
        const d = decodeBallot(form, candidates, other);
        // Another text may be another valid ballot, but never the same one.
        if (d.ok && other !== text) expect(encodeBallot(form, candidates, marksOf(d.ballot))).toBe(other);
      }),
      { numRuns: 1000 },
    );
  });

  it('spells the texts of docs/methods.md', () => {
    expect(encodeBallot(approval(), C5, { kind: 'approval', approved: [5 - 1, 0, 2] })).toBe('approval:0,2,4');
    expect(encodeBallot(ranked(), C5, { kind: 'ranked', ranking: [3, 0, 2] })).toBe('ranked:3>0>2');
    expect(encodeBallot(graded(), C5, { kind: 'graded', grades: [4, 0, 2, null, 1] })).toBe('graded:4,0,2,-,1');
    expect(encodeBallot({ kind: 'single', blank: false }, C5, { kind: 'single', choice: 1 })).toBe('Candidate 1');
    expect(encodeBallot({ kind: 'single', blank: true }, C5, { kind: 'single', choice: null })).toBe('');
    expect(encodeBallot(ranked({ blank: true }), C5, { kind: 'ranked', ranking: [] })).toBe('');
  });

  it('refuses to encode what would not count', () => {
    expect(() => encodeBallot(ranked({ full: true }), C5, { kind: 'ranked', ranking: [1, 2] })).toThrow(/INCOMPLETE_RANKING/);
    expect(() => encodeBallot(approval(), C5, { kind: 'approval', approved: [] })).toThrow(/BLANK_NOT_ALLOWED/);
    expect(() => encodeBallot(approval(), C5, { kind: 'ranked', ranking: [1] })).toThrow(/ranked ballot for a approval form/);
  });
});

function marksOf(b: ReturnType<typeof decodeBallot> extends infer R ? (R extends { ok: true; ballot: infer B } ? B : never) : never): BallotMarks {
  if (b.kind === 'single') return { kind: 'single', choice: b.choice };
  if (b.kind === 'approval') return { kind: 'approval', approved: b.approved };
  if (b.kind === 'ranked') return { kind: 'ranked', ranking: b.ranking };
  return { kind: 'graded', grades: b.grades };
}

describe('ballot forms: every refusal says why', () => {
  it.each<[string, BallotForm, string, BallotRejection | 'OK']>([
    ['single: a name', { kind: 'single', blank: false }, 'Candidate 2', 'OK'],
    ['single: not a name', { kind: 'single', blank: false }, 'Candidate 9', 'NOT_A_CANDIDATE'],
    ['single: a name with a space', { kind: 'single', blank: false }, 'Candidate 2 ', 'NOT_A_CANDIDATE'],
    ['single: blank refused', { kind: 'single', blank: false }, '', 'BLANK_NOT_ALLOWED'],
    ['single: blank allowed', { kind: 'single', blank: true }, '', 'OK'],
    ['approval: canonical', approval(), 'approval:0,2,4', 'OK'],
    ['approval: unsorted', approval(), 'approval:2,0', 'MALFORMED'],
    ['approval: duplicate', approval(), 'approval:2,2', 'MALFORMED'],
    ['approval: leading zero', approval(), 'approval:02', 'MALFORMED'],
    ['approval: space', approval(), 'approval: 2', 'MALFORMED'],
    ['approval: trailing comma', approval(), 'approval:2,', 'MALFORMED'],
    ['approval: sign', approval(), 'approval:+2', 'MALFORMED'],
    ['approval: empty list is not the blank text', approval({ blank: true }), 'approval:', 'MALFORMED'],
    ['approval: out of range', approval(), 'approval:1,5', 'NOT_A_CANDIDATE'],
    ['approval: too few', approval({ min: 2 }), 'approval:3', 'TOO_FEW_APPROVALS'],
    ['approval: too many', approval({ max: 2 }), 'approval:0,1,2', 'TOO_MANY_APPROVALS'],
    ['approval: blank refused', approval(), '', 'BLANK_NOT_ALLOWED'],
    ['approval: blank allowed below min', approval({ min: 2, blank: true }), '', 'OK'],
    ['approval: another form', approval(), 'ranked:0>1', 'WRONG_FORM'],
    ['approval: a name', approval(), 'Candidate 1', 'MALFORMED'],
    ['approval: upper-case prefix', approval(), 'APPROVAL:1', 'MALFORMED'],
    ['ranked: canonical', ranked(), 'ranked:3>0>2', 'OK'],
    ['ranked: duplicate', ranked(), 'ranked:3>0>3', 'DUPLICATE_RANK'],
    ['ranked: out of range', ranked(), 'ranked:3>7', 'NOT_A_CANDIDATE'],
    ['ranked: comma', ranked(), 'ranked:3,0', 'MALFORMED'],
    ['ranked: empty rank', ranked(), 'ranked:3>>0', 'MALFORMED'],
    ['ranked: incomplete', ranked({ full: true }), 'ranked:3>0>2>1', 'INCOMPLETE_RANKING'],
    ['ranked: full', ranked({ full: true }), 'ranked:3>0>2>1>4', 'OK'],
    ['ranked: too many ranks', ranked({ maxRanks: 2 }), 'ranked:3>0>2', 'TOO_MANY_RANKS'],
    ['ranked: leading zero', ranked(), 'ranked:03>1', 'MALFORMED'],
    ['ranked: trailing newline', ranked(), 'ranked:3>1\n', 'MALFORMED'],
    ['graded: canonical', graded(), 'graded:4,0,2,-,1', 'OK'],
    ['graded: too few grades', graded(), 'graded:4,0,2,1', 'MALFORMED'],
    ['graded: too many grades', graded(), 'graded:4,0,2,1,1,1', 'MALFORMED'],
    ['graded: grade out of range', graded(), 'graded:5,0,2,1,1', 'GRADE_OUT_OF_RANGE'],
    ['graded: nothing graded is not the blank text', graded(true), 'graded:-,-,-,-,-', 'MALFORMED'],
    ['graded: empty entry', graded(), 'graded:4,,2,1,1', 'MALFORMED'],
    ['graded: blank refused', graded(), '', 'BLANK_NOT_ALLOWED'],
    ['graded: another form', graded(), 'approval:1', 'WRONG_FORM'],
  ])('%s', (_name, form, text, expected) => {
    expect(reasonOf(form, text)).toBe(expected);
  });
});

describe('ballot rules at creation', () => {
  const rules = (input: Parameters<typeof validateBallotRules>[0], n = 5) => {
    const r = validateBallotRules(input, n);
    return r === null ? null : 'code' in r ? r.code : r;
  };

  it('single choice plurality is the default, written as nothing', () => {
    expect(rules({})).toBeNull();
    expect(rules({ form: { kind: 'single' }, method: 'plurality', seats: 1 })).toBeNull();
    expect(rules({ form: { kind: 'single', blank: true } })).toEqual({ form: { kind: 'single', blank: true }, method: 'plurality', seats: 1 });
  });

  it('writes the defaults of each form and infers the method where there is one', () => {
    expect(rules({ form: { kind: 'approval', max: 3 } })).toEqual({ form: { kind: 'approval', blank: false, min: 1, max: 3 }, method: 'approval', seats: 1 });
    expect(rules({ form: { kind: 'ranked' }, method: 'schulze' })).toEqual({ form: { kind: 'ranked', blank: false, full: false }, method: 'schulze', seats: 1 });
    expect(rules({ method: 'irv' })).toEqual({ form: { kind: 'ranked', blank: false, full: false }, method: 'irv', seats: 1 });
    expect(rules({ form: { kind: 'graded', scale: [' Reject', 'Good '] }, method: 'majority-judgment' })).toEqual({ form: { kind: 'graded', blank: false, scale: ['Reject', 'Good'] }, method: 'majority-judgment', seats: 1 });
    expect(rules({ form: { kind: 'ranked' }, method: 'stv-scottish', seats: 3 })).toMatchObject({ seats: 3 });
  });

  it.each<[string, Parameters<typeof validateBallotRules>[0], string]>([
    ['schulze needs ranked ballots', { form: { kind: 'approval' }, method: 'schulze' }, 'METHOD_FORM_MISMATCH'],
    ['plurality needs single', { form: { kind: 'ranked' }, method: 'plurality' }, 'METHOD_FORM_MISMATCH'],
    ['ranked has no default method', { form: { kind: 'ranked' } }, 'INVALID_METHOD'],
    ['unknown method', { method: 'borda' as never }, 'INVALID_METHOD'],
    ['score needs its scale', { method: 'score' }, 'INVALID_BALLOT_FORM'],
    ['unknown form', { form: { kind: 'cumulative' } }, 'INVALID_BALLOT_FORM'],
    ['a field of another form', { form: { kind: 'approval', scale: ['a', 'b'] } }, 'INVALID_BALLOT_FORM'],
    ['min above candidates', { form: { kind: 'approval', min: 6 } }, 'INVALID_BALLOT_FORM'],
    ['min zero (that is blank)', { form: { kind: 'approval', min: 0 } }, 'INVALID_BALLOT_FORM'],
    ['max below min', { form: { kind: 'approval', min: 3, max: 2 } }, 'INVALID_BALLOT_FORM'],
    ['full with maxRanks', { form: { kind: 'ranked', full: true, maxRanks: 2 }, method: 'irv' }, 'INVALID_BALLOT_FORM'],
    ['blank not a boolean', { form: { kind: 'single', blank: 'yes' } }, 'INVALID_BALLOT_FORM'],
    ['scale of one grade', { form: { kind: 'graded', scale: ['Good'] }, method: 'score' }, 'INVALID_BALLOT_FORM'],
    ['scale with a repeated grade', { form: { kind: 'graded', scale: ['Good', 'good'] }, method: 'score' }, 'INVALID_BALLOT_FORM'],
    ['seats for a single-winner method', { method: 'schulze', seats: 2 }, 'INVALID_SEATS'],
    ['as many seats as candidates', { method: 'stv-scottish', seats: 5 }, 'INVALID_SEATS'],
    ['fractional seats', { method: 'stv-scottish', seats: 1.5 }, 'INVALID_SEATS'],
  ])('refuses %s', (_name, input, code) => {
    expect(rules(input)).toBe(code);
  });

  it('validateBallotForm refuses a non-object', () => {
    expect(validateBallotForm('ranked', 5)).toMatchObject({ code: 'INVALID_BALLOT_FORM' });
  });
});
