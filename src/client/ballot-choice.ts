/** A voter's ballot, by candidate and grade names, as the canonical choice text of the election's form (docs/methods.md). */
import { blankMarks, encodeBallot, SINGLE_FORM, type BallotMarks, type BallotRules } from '../domain/ballot-form.ts';
import { EvoteError } from './errors.ts';

export type BallotInput =
  /** Single choice: a candidate's name, exactly as published (in an approval election: that one approval). */
  | string
  | { blank: true }
  | { approved: readonly string[] }
  /** Best first. */
  | { ranking: readonly string[] }
  /** Candidate name → grade name; a candidate left out is ungraded. */
  | { grades: Readonly<Record<string, string>> };

const invalid = (message: string) => new EvoteError('INVALID_CHOICE', message);

/** The choice text to sign; throws INVALID_CHOICE for a ballot the tally would not count as VALID. */
export function choiceText(election: { choices: readonly string[]; ballot?: BallotRules | null }, input: BallotInput): string {
  const form = election.ballot?.form ?? SINGLE_FORM;
  const candidates = election.choices;
  const indexOf = (name: string) => {
    const i = candidates.indexOf(name);
    if (i < 0) throw invalid(`"${name}" is not a choice of this election (choices: ${candidates.join(', ')})`);
    return i;
  };
  let marks: BallotMarks;
  if (typeof input === 'string' && form.kind === 'approval') marks = { kind: 'approval', approved: [indexOf(input)] };
  else if (typeof input === 'string') {
    if (form.kind !== 'single') throw invalid(`this election takes a ${form.kind} ballot, not one name`);
    marks = { kind: 'single', choice: indexOf(input) };
  } else if ('blank' in input) {
    marks = blankMarks(form, candidates.length);
  } else if ('approved' in input) marks = { kind: 'approval', approved: input.approved.map(indexOf) };
  else if ('ranking' in input) marks = { kind: 'ranked', ranking: input.ranking.map(indexOf) };
  else {
    const scale = form.kind === 'graded' ? form.scale : [];
    const grades: (number | null)[] = candidates.map(() => null);
    for (const [name, grade] of Object.entries(input.grades)) {
      const g = scale.indexOf(grade);
      if (g < 0) throw invalid(`"${grade}" is not a grade of this election (scale: ${scale.join(', ')})`);
      grades[indexOf(name)] = g;
    }
    marks = { kind: 'graded', grades };
  }
  try {
    return encodeBallot(form, candidates, marks);
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : String(err));
  }
}
