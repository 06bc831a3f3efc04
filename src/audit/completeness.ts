/**
 * A log that broke no check is the whole election only when it holds ElectionCreated, reaches
 * TallyPublished and its last checkpoint signs every event: any prefix of it verifies too.
 */
import type { ElectionReplay } from './election-replay.ts';
import type { AuditFailure } from './report.ts';

export interface EventRef {
  position: number;
  streamId: string;
  type: string;
  leafIndex?: unknown;
}

export interface CompletenessInput {
  replay?: ElectionReplay;
  leaves: number;
  /** Leaves covered by the last verified checkpoint (0 without one). */
  signedSize: number;
  lastEvent?: EventRef;
  firstUnsigned?: EventRef;
}

const gap = (check: string, message: string, e?: EventRef): AuditFailure => ({
  check,
  message,
  position: e?.position ?? null,
  streamId: e?.streamId ?? null,
  type: e?.type ?? null,
  ...(typeof e?.leafIndex === 'number' && { leafIndex: e.leafIndex }),
});

function missingPhases(r: ElectionReplay): string {
  switch (r.state.status) {
    case 'REGISTER':
      return 'voting never started: no VotingStarted, VotingEnded, TallyStarted nor TallyPublished';
    case 'VOTE_STARTED':
      return 'voting is still open: no VotingEnded, TallyStarted nor TallyPublished';
    default:
      if (!r.tallyStarted) return 'voting ended but the tally never started: no TallyStarted nor TallyPublished';
      return `the tally is not published: ${r.countedBallots} of ${r.tallyStarted.ballots} ballot(s) counted, no TallyPublished`;
  }
}

export function completenessGaps(c: CompletenessInput): AuditFailure[] {
  const r = c.replay;
  if (!r || r.state.status === 'NONE') return [gap('ELECTION_NOT_CREATED', 'the log holds no ElectionCreated: there is no election to verify')];
  const gaps: AuditFailure[] = [];
  if (!r.published) gaps.push(gap('TALLY_NOT_PUBLISHED', `the log ends here, ${missingPhases(r)}`, c.lastEvent));
  if (c.signedSize !== c.leaves) {
    const unsigned = c.leaves - c.signedSize;
    const what = c.signedSize === 0 ? 'no signed checkpoint covers any event' : `the last signed checkpoint covers ${c.signedSize} event(s)`;
    gaps.push(gap('UNSIGNED_TAIL', `${what}; the ${unsigned} event(s) from here on are signed by no checkpoint in the log`, c.firstUnsigned));
  }
  return gaps;
}
