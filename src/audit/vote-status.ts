/**
 * A counted ballot's status, recomputed with the tally's own rule in log order (docs/audit.md,
 * "statuses"); what is independent is the evidence, not the definition of the statuses.
 */
import type { VoteStatus } from '../domain/tally-events.ts';
import type { BallotRejection } from '../domain/ballot-form.ts';
import { classifyBallot, type ClassifyContext, type OpenedBallot } from '../tally/classify.ts';

export interface StatusContext {
  choices: ReadonlySet<string>;
  ballot?: ClassifyContext['ballot'];
  /** N2 commitments of the earlier VALID and DUPLICATE_N2 ballots; updated by `decideStatus`. */
  seen: Set<string>;
}

/** The status, and the reason of an INVALID_CHOICE in an election with a ballot form (else undefined). */
export function decideStatus(o: OpenedBallot, ctx: StatusContext): { status: VoteStatus; reason: BallotRejection | undefined } {
  const c = classifyBallot(o, ctx);
  if (c.marksSeen && c.n2Commitment !== null) ctx.seen.add(c.n2Commitment);
  return { status: c.status, reason: c.reason };
}
