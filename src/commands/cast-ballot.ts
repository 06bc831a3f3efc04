/**
 * Anonymous casting (DESIGN.md protocol step 5): `{ electionId, n1, ciphertext }` with no voter
 * identity. hash(N1) names the credential stream; the credential decider allows one BallotCast after
 * the mint, only while voting is open; the append carries the folded revision (0 = just the mint),
 * so one N1 casts exactly one ballot even when 100 connections race with it.
 *
 * The append itself is injected: directly to the store, or through the mixer (ballot-mixer.ts),
 * which holds casts and appends them in a shuffled order. Either way the receipt is only returned
 * after this cast's own append committed.
 */
import { createHash } from 'node:crypto';
import type { AppendResult, EventData, EventStore, ExpectedRevision } from '../eventstore/port.ts';
import { isWrongExpectedRevision } from '../eventstore/port.ts';
import type { Result } from '../app/services.ts';
import { credentialStreamId } from '../domain/credential-events.ts';
import { credentialDecider } from '../domain/credential.ts';
import { domainError, isDomainError } from '../domain/errors.ts';
import { decodeBallotCiphertext } from '../crypto/ballot-encryption.ts';
import { fromBase64url, toHex } from '../crypto/bytes.ts';
import { hashToken } from '../credentials/tokens.ts';
import type { ElectionStatusView } from '../projections/ballot-queries.ts';
import { expectedRevisionOf, loadAggregate, toEventData } from './command-handler.ts';

export type AppendFn = (streamId: string, events: EventData[], expectedRevision: ExpectedRevision) => Promise<AppendResult>;

export interface CastBallotDeps {
  store: EventStore;
  electionStatus: (electionId: string) => Promise<ElectionStatusView>;
  /** Default: store.append. The mixer passes its own. */
  append?: AppendFn;
}

export interface CastInput {
  electionId: string;
  n1: string;
  ciphertext: string;
}

export interface CastReceipt {
  /** SHA-256 (hex) of the ciphertext bytes: look the ballot up on the bulletin board with it. */
  ballotHash: string;
  /** Global log position of the BallotCast event. */
  position: number;
}

export interface BallotCaster {
  cast(input: CastInput): Promise<Result<CastReceipt>>;
}

// A conflict on a credential stream means another cast of the same N1 won; one re-read decides.
const MAX_ATTEMPTS = 3;

export function createBallotCaster(deps: CastBallotDeps): BallotCaster {
  const append: AppendFn = deps.append ?? ((streamId, events, expectedRevision) => deps.store.append(streamId, events, { expectedRevision }));

  return {
    async cast(input) {
      // Checked before any I/O: malformed input costs nothing and never reaches the log.
      const bytes = fromBase64url(input.ciphertext);
      if (!bytes || !decodeBallotCiphertext(bytes).ok) {
        return { ok: false, error: domainError('INVALID_BALLOT', 'the ciphertext is not a well-formed encrypted ballot') };
      }
      const hashN1 = hashToken(input.n1);
      if (!hashN1) return { ok: false, error: domainError('UNKNOWN_CREDENTIAL', 'no credential was minted for this N1 in this election') };
      const ballotHash = toHex(createHash('sha256').update(bytes).digest());
      const streamId = credentialStreamId(input.electionId, hashN1);

      const electionStatus = await deps.electionStatus(input.electionId);
      const command = { type: 'CastBallot', electionId: input.electionId, hashN1, ballotHash, ciphertext: input.ciphertext, electionStatus } as const;

      // Fast path: decide on the state that expected revision 0 asserts (minted, nothing cast) and
      // let the store check that assertion atomically. Revision 0 of a credential stream is only
      // ever its CredentialMinted, so a successful append proves exactly what the decider assumed;
      // any other stream state fails the append and is decided on the real, folded state below.
      // A refusal on the assumed state (voting closed) is not final: the real state may say
      // UNKNOWN_CREDENTIAL or ALREADY_CAST first, so it is decided on the folded stream instead.
      const assumed = credentialDecider.decide(command, { minted: true, ballotHash: null });
      if (!isDomainError(assumed)) {
        try {
          const appended = await append(streamId, assumed.map(toEventData), 0);
          return { ok: true, value: { ballotHash, position: appended.position } };
        } catch (err) {
          if (!isWrongExpectedRevision(err)) throw err;
        }
      }
      for (let attempt = 1; ; attempt++) {
        const aggregate = await loadAggregate(deps.store, credentialDecider, streamId);
        const decided = credentialDecider.decide(command, aggregate.state);
        if (isDomainError(decided)) return { ok: false, error: decided };
        try {
          const appended = await append(streamId, decided.map(toEventData), expectedRevisionOf(aggregate.revision));
          return { ok: true, value: { ballotHash, position: appended.position } };
        } catch (err) {
          if (!isWrongExpectedRevision(err) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    },
  };
}
