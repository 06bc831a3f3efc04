/** How many votes one VALID ballot carries in the count. */
export interface WeighedVote {
  ballotHash: string;
  choice: string;
}

/**
 * 1 for every ballot today; weighted electorates plug in here (one place for the tally and the
 * audit's recount, so both weigh alike).
 */
export function ballotWeight(_vote: WeighedVote): number {
  return 1;
}
