/**
 * What the voter marked on the booth's ballot, checked against the election's form before review,
 * and the ballot in words. The text cast is encodeBallot's (src/domain/ballot-form.ts), never rebuilt here.
 */
import { blankMarks, encodeBallot, SINGLE_FORM, type BallotForm, type BallotMarks, type BallotRules } from '../../../src/domain/ballot-form.ts';

/** The booth's marks: per candidate, whatever the form asks (unset = null/false). */
export interface Draft {
  blank: boolean;
  /** single: the chosen candidate. */
  choice: number | null;
  /** approval: checked or not. */
  approved: boolean[];
  /** ranked: 1-based rank or null. */
  ranks: (number | null)[];
  /** graded: grade index or null. */
  grades: (number | null)[];
}

export const emptyDraft = (n: number): Draft => ({
  blank: false,
  choice: null,
  approved: Array.from({ length: n }, () => false),
  ranks: Array.from({ length: n }, () => null),
  grades: Array.from({ length: n }, () => null),
});

export const formOf = (ballot: BallotRules | null | undefined): BallotForm => ballot?.form ?? SINGLE_FORM;

/** Why the draft is not yet a ballot: a message key and its values. */
export interface Problem {
  key: string;
  vars?: Record<string, string | number>;
}

export type Checked = { ok: true; marks: BallotMarks; text: string } | { ok: false; problem: Problem };

/** Candidates sharing a rank, by rank (only ranks given more than once). */
export function duplicateRanks(ranks: readonly (number | null)[]): Map<number, number[]> {
  const by = new Map<number, number[]>();
  ranks.forEach((r, i) => {
    if (r !== null) by.set(r, [...(by.get(r) ?? []), i]);
  });
  for (const [r, who] of by) if (who.length < 2) by.delete(r);
  return by;
}

function marksOf(form: BallotForm, d: Draft): BallotMarks {
  if (d.blank) return blankMarks(form, d.grades.length);
  switch (form.kind) {
    case 'single':
      return { kind: 'single', choice: d.choice };
    case 'approval':
      return { kind: 'approval', approved: d.approved.flatMap((a, i) => (a ? [i] : [])) };
    case 'ranked': {
      const ranked = d.ranks.flatMap((r, i) => (r === null ? [] : [{ r, i }])).sort((a, b) => a.r - b.r);
      return { kind: 'ranked', ranking: ranked.map((x) => x.i) };
    }
    case 'graded':
      return { kind: 'graded', grades: d.grades };
  }
}

/** Too many approvals: said as soon as the voter passes the limit, not only on Continue. */
export function approvalOverflow(form: BallotForm, d: Draft): Problem | undefined {
  const count = d.approved.filter(Boolean).length;
  if (form.kind !== 'approval' || d.blank || form.max === undefined || count <= form.max) return undefined;
  return { key: 'approval.tooMany', vars: { count, max: form.max, excess: count - form.max } };
}

/** The form's rule the draft breaks first, if any (the same rules as decodeBallot, said for a voter). */
function problemOf(form: BallotForm, d: Draft, n: number): Problem | undefined {
  if (d.blank) return form.blank ? undefined : { key: 'ballot.blankNotAllowed' };
  switch (form.kind) {
    case 'single':
      return d.choice === null ? { key: 'choice.none' } : undefined;
    case 'approval': {
      const count = d.approved.filter(Boolean).length;
      const over = approvalOverflow(form, d);
      if (over) return over;
      if (count === 0) return { key: form.blank ? 'approval.noneBlank' : 'approval.none', vars: { min: form.min } };
      if (count < form.min) return { key: 'approval.tooFew', vars: { count, min: form.min } };
      return undefined;
    }
    case 'ranked': {
      if (duplicateRanks(d.ranks).size > 0) return { key: 'ranked.duplicate' };
      const given = d.ranks.filter((r): r is number => r !== null).sort((a, b) => a - b);
      if (given.length === 0) return { key: form.blank ? 'ranked.noneBlank' : 'ranked.none' };
      const gap = given.findIndex((r, i) => r !== i + 1);
      if (gap >= 0) return { key: 'ranked.gap', vars: { rank: gap + 1 } };
      if (form.maxRanks !== undefined && given.length > form.maxRanks) return { key: 'ranked.tooMany', vars: { max: form.maxRanks } };
      if (form.full && given.length < n) return { key: 'ranked.incomplete', vars: { n } };
      return undefined;
    }
    case 'graded':
      return d.grades.every((g) => g === null) ? { key: form.blank ? 'graded.noneBlank' : 'graded.none' } : undefined;
  }
}

/** The draft as a ballot of this form (its canonical text from encodeBallot), or the first rule it breaks. */
export function checkDraft(form: BallotForm, candidates: readonly string[], d: Draft): Checked {
  const problem = problemOf(form, d, candidates.length);
  if (problem) return { ok: false, problem };
  const marks = marksOf(form, d);
  try {
    return { ok: true, marks, text: encodeBallot(form, candidates, marks) };
  } catch {
    // A rule this page does not state: never cast what the tally would refuse.
    return { ok: false, problem: { key: 'ballot.invalid' } };
  }
}

/** 1st, 2nd… / 1er, 2e… */
export function ordinal(n: number, lang: string): string {
  if (lang === 'fr') return n === 1 ? '1er' : `${n}e`;
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** The ballot in words for the review step, one line each; null for the blank ballot. */
export function ballotWords(form: BallotForm, candidates: readonly string[], marks: BallotMarks, lang: string, ungraded: string): string[] | null {
  switch (marks.kind) {
    case 'single':
      return marks.choice === null ? null : [candidates[marks.choice] ?? ''];
    case 'approval':
      return marks.approved.length === 0 ? null : [...marks.approved].sort((a, b) => a - b).map((i) => candidates[i] ?? '');
    case 'ranked':
      return marks.ranking.length === 0 ? null : marks.ranking.map((i, k) => `${ordinal(k + 1, lang)}: ${candidates[i] ?? ''}`);
    case 'graded': {
      if (marks.grades.every((g) => g === null)) return null;
      const scale = form.kind === 'graded' ? form.scale : [];
      return marks.grades.map((g, i) => `${candidates[i] ?? ''}: ${g === null ? ungraded : (scale[g] ?? '')}`);
    }
  }
}
