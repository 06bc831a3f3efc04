/**
 * The ballots a tally covers, in log order: BallotCast before VotingEnded, byte-identical repeats
 * left out, both numbers reported (docs/tally.md "What a tally counts").
 */
import type { EventStore } from '../eventstore/port.ts';
import type { BallotCast } from '../domain/credential-events.ts';
import { ballotStreamPrefix } from '../domain/streams.ts';

export interface CoveredBallot {
  ballotHash: string;
  ciphertext: string;
  position: number;
}

export interface CoveredBallots {
  ballots: CoveredBallot[];
  excludedAfterEnd: number;
  excludedRepeats: number;
}

const PAGE = 5_000;

export async function readCoveredBallots(
  store: EventStore,
  electionId: string,
  range: { afterPosition: number; endedPosition: number },
): Promise<CoveredBallots> {
  const out: CoveredBallots = { ballots: [], excludedAfterEnd: 0, excludedRepeats: 0 };
  const hashes = new Set<string>();
  const filter = { streamPrefixes: [ballotStreamPrefix(electionId)], eventTypes: ['BallotCast'] };
  let from = range.afterPosition;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, limit: PAGE, filter });
    for (const recorded of page) {
      const data = recorded.data as BallotCast['data'];
      if (data.electionId !== electionId) continue; // a prefix match of a longer election id
      if (recorded.position >= range.endedPosition) {
        out.excludedAfterEnd++;
      } else if (hashes.has(data.ballotHash)) {
        out.excludedRepeats++;
      } else {
        hashes.add(data.ballotHash);
        out.ballots.push({ ballotHash: data.ballotHash, ciphertext: data.ciphertext, position: recorded.position });
      }
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE) return out;
    from = last.position;
  }
}
