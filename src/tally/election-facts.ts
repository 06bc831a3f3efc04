/**
 * What the tally needs from the election stream, folded here because it needs event positions
 * (VotingEnded's above all), not just the decider's state.
 */
import type { EventStore } from '../eventstore/port.ts';
import type { ElectionEvent, ElectionStatus } from '../domain/election-events.ts';
import { electionStreamId } from '../domain/streams.ts';
import type { TrusteeTranscript } from '../domain/trustees.ts';
import { ballotRulesOf } from '../domain/election.ts';
import type { BallotRules } from '../domain/ballot-form.ts';
import type { WeightClass } from '../domain/weight-classes.ts';
import { entryLeafHash } from '../domain/log-entry.ts';
import { toHex } from '../crypto/bytes.ts';

export interface ElectionFacts {
  electionId: string;
  status: ElectionStatus;
  choices: string[];
  /** The form, method and seats of ElectionCreated; null for single-choice plurality. */
  ballotRules: BallotRules | null;
  /** A weighted election's classes (ElectionCreated), null when unweighted. */
  weightClasses: WeightClass[] | null;
  /** base64url SPKI DER; undefined in logs written before keys existed. */
  authorityPublicKey: string | undefined;
  ballotPublicKey: string | undefined;
  /** The key ceremony's transcript of a trustee election; null when the server holds the counter key. */
  trustees: TrusteeTranscript | null;
  /** Position of ElectionCreated: nothing of this election lies before it. */
  createdPosition: number;
  endedPosition: number | undefined;
  /** Hex leaf hash of VotingEnded's log entry: the seed of the lot (docs/methods.md, "The lot"). */
  lotSeed: string | undefined;
}

const PAGE = 10_000;

export async function readElectionFacts(store: EventStore, electionId: string): Promise<ElectionFacts | undefined> {
  let facts: ElectionFacts | undefined;
  for (let from = 0; ; from += PAGE) {
    const page = await store.readStream(electionStreamId(electionId), { fromRevision: from, limit: PAGE });
    for (const recorded of page) {
      const event = { type: recorded.type, data: recorded.data } as ElectionEvent;
      if (event.type === 'ElectionCreated') {
        const d = event.data as Partial<typeof event.data> & { choices: string[] };
        facts = {
          electionId,
          status: 'REGISTER',
          choices: [...d.choices],
          ballotRules: ballotRulesOf(d),
          weightClasses: d.weightClasses && d.weightClasses.length > 0 ? d.weightClasses : null,
          authorityPublicKey: d.authorityPublicKey,
          ballotPublicKey: d.ballotPublicKey,
          trustees: null,
          createdPosition: recorded.position,
          endedPosition: undefined,
          lotSeed: undefined,
        };
      } else if (facts) {
        if (event.type === 'TrusteesAppointed') {
          const { electionId: _id, appointedAt: _at, ...transcript } = event.data;
          facts.trustees = transcript;
        } else if (event.type === 'ElectionConfigured' && event.data.choices) facts.choices = [...event.data.choices];
        else if (event.type === 'VotingStarted') facts.status = 'VOTE_STARTED';
        else if (event.type === 'VotingEnded') {
          facts.status = 'VOTE_ENDED';
          facts.endedPosition = recorded.position;
          const { position, streamId, revision, type, data } = recorded;
          facts.lotSeed = toHex(entryLeafHash({ position, streamId, revision, type, data }));
        }
      }
    }
    if (page.length < PAGE) return facts;
  }
}
