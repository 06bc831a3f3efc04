/**
 * A counted ballot's status, recomputed with the tally's own rule in log order (docs/audit.md,
 * "statuses"); what is independent is the evidence, not the definition of the statuses.
 */
import type { VoteStatus } from '../domain/tally-events.ts';
import { classifyBallot, type OpenedBallot } from '../tally/classify.ts';

export interface StatusContext {
  choices: ReadonlySet<string>;
  /** N2 commitments of the earlier VALID and DUPLICATE_N2 ballots; updated by `decideStatus`. */
  seen: Set<string>;
}

export function decideStatus(o: OpenedBallot, ctx: StatusContext): VoteStatus {
  const c = classifyBallot(o, ctx);
  if (c.marksSeen && c.n2Commitment !== null) ctx.seen.add(c.n2Commitment);
  return c.status;
}
