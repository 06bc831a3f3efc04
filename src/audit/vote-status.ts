/**
 * The status a counted ballot must have, recomputed exactly as the tally decides it: the auditor
 * re-derives the ballot's content from public data only (ballot-opening.ts, with the revealed r) and
 * then applies the tally's own pure rule (src/tally/classify.ts) in log order:
 *
 *   UNDECRYPTABLE → INVALID_SIGNATURE → DUPLICATE_N2 → INVALID_CHOICE → VALID
 *
 * where DUPLICATE_N2 means an earlier VALID or DUPLICATE_N2 ballot (log order) carried the same N2
 * commitment, so the first one counts and at most one VALID ballot exists per commitment. There is
 * no check of N2 against the minted credentials: the commitment hides N2 (docs/tally.md). Sharing
 * the rule is deliberate: what is independent is the evidence (decryption with r, the signature),
 * not the definition of the statuses, which is part of the protocol.
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
