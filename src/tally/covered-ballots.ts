/**
 * The ballots a tally covers and the credentials they are checked against, read from the log:
 * every `credential-{eid}-*` event with a position BEFORE VotingEnded. A BallotCast after it (a
 * cast that raced the close) is excluded; so is a byte-identical re-cast of a ciphertext already
 * cast under another N1 (same ballot hash: it can only repeat an N2 that counts once anyway, and
 * VoteCounted is keyed by ballot hash). Both numbers are reported, never hidden.
 * Order: log order of BallotCast, which is the order duplicates are judged in.
 */
import type { EventStore } from '../eventstore/port.ts';
import { credentialStreamPrefix, type CredentialEvent } from '../domain/credential-events.ts';

export interface CoveredBallot {
  ballotHash: string;
  ciphertext: string;
  position: number;
}

export interface CoveredBallots {
  ballots: CoveredBallot[];
  /** hashN2 of every credential minted before VotingEnded. */
  minted: Set<string>;
  /** BallotCast after VotingEnded. */
  excludedAfterEnd: number;
  /** BallotCast repeating the ciphertext (ballot hash) of an earlier one. */
  excludedRepeats: number;
}

const PAGE = 5_000;

export async function readCoveredBallots(
  store: EventStore,
  electionId: string,
  range: { afterPosition: number; endedPosition: number },
): Promise<CoveredBallots> {
  const out: CoveredBallots = { ballots: [], minted: new Set(), excludedAfterEnd: 0, excludedRepeats: 0 };
  const hashes = new Set<string>();
  const filter = { streamPrefixes: [credentialStreamPrefix(electionId)], eventTypes: ['CredentialMinted', 'BallotCast'] };
  let from = range.afterPosition;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, limit: PAGE, filter });
    for (const recorded of page) {
      const event = { type: recorded.type, data: recorded.data } as CredentialEvent;
      if (event.data.electionId !== electionId) continue; // a prefix match of a longer election id
      const covered = recorded.position < range.endedPosition;
      if (event.type === 'CredentialMinted') {
        if (covered) out.minted.add(event.data.hashN2);
      } else if (!covered) {
        out.excludedAfterEnd++;
      } else if (hashes.has(event.data.ballotHash)) {
        out.excludedRepeats++;
      } else {
        hashes.add(event.data.ballotHash);
        out.ballots.push({ ballotHash: event.data.ballotHash, ciphertext: event.data.ciphertext, position: recorded.position });
      }
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE) return out;
    from = last.position;
  }
}
