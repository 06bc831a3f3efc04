/**
 * The count of an election with ballot rules (docs/tally.md, "Counting by the method"): every VALID
 * ballot's text decoded by the election's form, weighed, and counted by its method. Pure and shared:
 * the tally decider publishes it, the audit (Node and browser) recounts with it.
 */
import { decodeBallot, isDefaultRules, type BallotRules } from './ballot-form.ts';
import { voteWeight } from './weight-classes.ts';
import { countBallots, type CountedMethod } from './counting/index.ts';
import type { CountResult } from './counting/types.ts';
import type { RoundCounted, TallyPublished } from './tally-events.ts';

/** Default rules (single choice, plurality, one seat, no blank) keep the plain counts per choice and no rounds. */
export const countedByMethod = (rules: BallotRules | null | undefined): rules is BallotRules => !!rules && !isDefaultRules(rules);

export interface ValidVote {
  ballotHash: string;
  choice: string;
  /** The ballot's weight class (weighted elections only). */
  weight?: number;
}

export type ElectionCount = { ok: true; result: CountResult } | { ok: false; strays: number };

/** Counts the VALID votes by `rules`; `strays` counts VALID texts the form does not decode (a broken log). */
export function countElection(rules: BallotRules, candidates: readonly string[], votes: Iterable<ValidVote>, lotOrder: readonly number[]): ElectionCount {
  const ballots: unknown[] = [];
  let strays = 0;
  for (const vote of votes) {
    const decoded = decodeBallot(rules.form, candidates, vote.choice, voteWeight(vote));
    if (!decoded.ok) strays++;
    else {
      const { kind: _kind, ...ballot } = decoded.ballot;
      ballots.push(ballot);
    }
  }
  if (strays > 0) return { ok: false, strays };
  const input = { candidates: candidates.length, seats: rules.seats, ballots, lotOrder };
  return { ok: true, result: countBallots(rules.method as CountedMethod, input as Parameters<typeof countBallots>[1]) };
}

/** One RoundCounted payload per round of `result`, fields copied as the method gives them. */
export function roundEvents(electionId: string, result: CountResult): RoundCounted['data'][] {
  return result.rounds.map((r) => ({
    electionId,
    round: r.round,
    tallies: [...r.tallies],
    elected: [...r.elected],
    eliminated: [...r.eliminated],
    ...(r.tieBreak !== undefined && { tieBreak: r.tieBreak }),
    ...(r.detail !== undefined && { detail: r.detail }),
  }));
}

/** What TallyPublished adds for an election with ballot rules: the method, its unit and the winners by name. */
export function publishedResult(result: CountResult, candidates: readonly string[]): Pick<Required<TallyPublished['data']>, 'method' | 'unit' | 'winners'> {
  return { method: result.method, unit: result.unit, winners: result.winners.map((i) => candidates[i] as string) };
}
