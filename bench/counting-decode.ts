/**
 * The bench ballots as the tally reads them (src/tally/classify.ts): each form's canonical choice text
 * (src/domain/ballot-form.ts), decoded between opening a ballot and counting it.
 */
import { decodeBallot, encodeBallot, type BallotForm, type BallotMarks } from '../src/domain/ballot-form.ts';
import { BENCH_CANDIDATES, GRADES, type BallotSet } from './counting-ballots.ts';

export const BENCH_NAMES: readonly string[] = Array.from({ length: BENCH_CANDIDATES }, (_, c) => `Candidate ${c + 1}`);

/** The most permissive form of each kind that the bench's ballots fit (blank allowed, partial rankings). */
export const BENCH_FORMS: Readonly<Record<keyof BallotSet, BallotForm>> = {
  single: { kind: 'single', blank: true },
  approval: { kind: 'approval', blank: true, min: 1 },
  ranked: { kind: 'ranked', blank: true, full: false },
  graded: { kind: 'graded', blank: true, scale: Array.from({ length: GRADES }, (_, g) => `grade ${g}`) },
};

/** Every ballot of one form as its canonical text, with its weight. */
export function choiceTexts(kind: keyof BallotSet, set: BallotSet): { text: string; weight: number }[] {
  return set[kind].map((b) => ({ text: encodeBallot(BENCH_FORMS[kind], BENCH_NAMES, { kind, ...b } as BallotMarks), weight: b.weight }));
}

/** Decodes every text as the tally does; throws if one is refused (the bench's ballots are all valid). */
export function decodeAll(kind: keyof BallotSet, texts: readonly { text: string; weight: number }[]): number {
  for (const { text, weight } of texts) {
    if (!decodeBallot(BENCH_FORMS[kind], BENCH_NAMES, text, weight).ok) throw new Error(`a bench ballot did not decode: ${text}`);
  }
  return texts.length;
}
