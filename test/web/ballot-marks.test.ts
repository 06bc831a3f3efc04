/**
 * The booth's ballot checks against the shared decoder: whatever the booth lets through decodes as
 * VALID under the form, and every ballot the decoder accepts can be marked in the booth.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBallot, type BallotForm } from '../../src/domain/ballot-form.ts';
import { ballotWords, checkDraft, emptyDraft, ordinal, type Draft } from '../../web/src/booth/ballot-marks.ts';

const CANDIDATES = ['Alice', 'Bob', 'Carol', 'Dan'];
const n = CANDIDATES.length;

const form: fc.Arbitrary<BallotForm> = fc.oneof(
  fc.record({ kind: fc.constant('single' as const), blank: fc.boolean() }),
  fc
    .tuple(fc.boolean(), fc.integer({ min: 1, max: n }), fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: undefined }))
    .map(([blank, min, extra]) => ({ kind: 'approval' as const, blank, min, ...(extra === undefined ? {} : { max: Math.min(n, min + extra) }) })),
  fc.tuple(fc.boolean(), fc.boolean(), fc.option(fc.integer({ min: 1, max: n }), { nil: undefined })).map(([blank, full, maxRanks]) => ({ kind: 'ranked' as const, blank, full, ...(full || maxRanks === undefined ? {} : { maxRanks }) })),
  fc.tuple(fc.boolean(), fc.integer({ min: 2, max: 5 })).map(([blank, k]) => ({ kind: 'graded' as const, blank, scale: ['E', 'D', 'C', 'B', 'A'].slice(0, k) })),
);

const draft: fc.Arbitrary<Draft> = fc.record({
  blank: fc.boolean(),
  choice: fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: null }),
  approved: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
  ranks: fc.array(fc.option(fc.integer({ min: 1, max: n }), { nil: null }), { minLength: n, maxLength: n }),
  grades: fc.array(fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }), { minLength: n, maxLength: n }),
});

/** The draft a voter would mark for a decoded ballot. */
function draftOf(text: string, f: BallotForm): Draft {
  const d = emptyDraft(n);
  const r = decodeBallot(f, CANDIDATES, text);
  if (!r.ok) throw new Error('not a ballot');
  if (r.blank) return { ...d, blank: true };
  const b = r.ballot;
  if (b.kind === 'single') return { ...d, choice: b.choice };
  if (b.kind === 'approval') return { ...d, approved: d.approved.map((_, i) => b.approved.includes(i)) };
  if (b.kind === 'ranked') return { ...d, ranks: d.ranks.map((_, i) => (b.ranking.includes(i) ? b.ranking.indexOf(i) + 1 : null)) };
  return { ...d, grades: [...b.grades] };
}

describe("the booth's ballot checks", () => {
  it('let through only texts the decoder counts as VALID under the form', () => {
    fc.assert(
      fc.property(form, draft, (f, d) => {
        const grades = f.kind === 'graded' ? d.grades.map((g) => (g === null ? null : g % f.scale.length)) : d.grades;
        const checked = checkDraft(f, CANDIDATES, { ...d, grades });
        if (checked.ok) expect(decodeBallot(f, CANDIDATES, checked.text).ok).toBe(true);
        else expect(checked.problem.key).not.toBe('ballot.invalid');
      }),
      { numRuns: 3000 },
    );
  });

  it('can mark every ballot the decoder accepts, to the same text', () => {
    const text = fc.oneof(
      fc.constant(''),
      fc.constantFrom(...CANDIDATES),
      fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: n }).map((a) => `approval:${a.sort((x, y) => x - y).join(',')}`),
      fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: n }).map((a) => `ranked:${a.join('>')}`),
      fc.array(fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }), { minLength: n, maxLength: n }).map((g) => `graded:${g.map((x) => (x === null ? '-' : x)).join(',')}`),
    );
    let accepted = 0;
    fc.assert(
      fc.property(form, text, (f, t) => {
        if (!decodeBallot(f, CANDIDATES, t).ok) return;
        accepted++;
        const checked = checkDraft(f, CANDIDATES, draftOf(t, f));
        expect(checked.ok && checked.text).toBe(t);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it('names the first broken rule, and says the ballot in words', () => {
    const approval: BallotForm = { kind: 'approval', blank: false, min: 1, max: 2 };
    const three = { ...emptyDraft(n), approved: [true, true, true, false] };
    expect(checkDraft(approval, CANDIDATES, three)).toEqual({ ok: false, problem: { key: 'approval.tooMany', vars: { count: 3, max: 2, excess: 1 } } });
    const ranked: BallotForm = { kind: 'ranked', blank: false, full: false };
    expect(checkDraft(ranked, CANDIDATES, { ...emptyDraft(n), ranks: [1, null, 1, null] })).toMatchObject({ ok: false, problem: { key: 'ranked.duplicate' } });
    expect(checkDraft(ranked, CANDIDATES, { ...emptyDraft(n), ranks: [1, null, 3, null] })).toMatchObject({ ok: false, problem: { key: 'ranked.gap', vars: { rank: 2 } } });
    const ok = checkDraft(ranked, CANDIDATES, { ...emptyDraft(n), ranks: [2, null, 1, null] });
    expect(ok).toMatchObject({ ok: true, text: 'ranked:2>0' });
    if (ok.ok) expect(ballotWords(ranked, CANDIDATES, ok.marks, 'en', '')).toEqual(['1st: Carol', '2nd: Alice']);
    expect(checkDraft({ kind: 'graded', blank: false, scale: ['x', 'y'] }, CANDIDATES, { ...emptyDraft(n), blank: true })).toMatchObject({ ok: false, problem: { key: 'ballot.blankNotAllowed' } });
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map((k) => ordinal(k, 'en'))).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']);
    expect([1, 2].map((k) => ordinal(k, 'fr'))).toEqual(['1er', '2e']);
  });
});
