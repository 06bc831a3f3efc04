/**
 * What every counting method takes and gives (docs/methods.md). Candidates are indices into the
 * election's candidate list; weights are positive integers; every figure in a round is an exact
 * integer (fractional methods count in fixed-point units they name), so a recount compares rounds
 * byte for byte.
 */

export type MethodName = 'plurality' | 'approval' | 'score' | 'majority-judgment' | 'irv' | 'stv-scottish' | 'schulze';

/** One valid ballot in the shape its form gives (src/domain/ballot-form.ts decodes the plaintext into these). */
export type SingleBallot = { weight: number; choice: number | null };
export type ApprovalBallot = { weight: number; approved: readonly number[] };
/** A strict preference order, best first; candidates not listed rank below every listed one. */
export type RankedBallot = { weight: number; ranking: readonly number[] };
/** One grade per candidate index on the election's scale (0 = lowest), or null when left ungraded. */
export type GradedBallot = { weight: number; grades: readonly (number | null)[] };

export interface CountInput<B> {
  /** Number of candidates; valid indices are 0 … candidates − 1. */
  candidates: number;
  /** Winners to elect (1 for every single-winner method). */
  seats: number;
  ballots: readonly B[];
  /**
   * The last resort of every tie-break, as a lot drawn in public: a permutation of the candidate
   * indices, earlier = favoured. The tally derives it from the log (docs/methods.md); tests pass it.
   */
  lotOrder: readonly number[];
}

/** One round of a count: what was counted, who was elected or excluded, and why when it was a tie. */
export interface CountRound {
  round: number;
  /** Per candidate index, the round's figure in the method's unit (votes, scaled votes, median grade…). */
  tallies: readonly (number | string)[];
  elected: readonly number[];
  eliminated: readonly number[];
  /** Free text only where a tie was broken, naming the rule used (e.g. "lot", "earlier round"). */
  tieBreak?: string;
  /** Method-specific exact figures (transfers, surplus, quota, pairwise strengths…), JSON-serialisable. */
  detail?: Readonly<Record<string, unknown>>;
}

export interface CountResult {
  method: MethodName;
  /** In order of election. */
  winners: readonly number[];
  rounds: readonly CountRound[];
  /** The unit of `tallies`, e.g. "votes" or "votes × 10^5". */
  unit: string;
}
