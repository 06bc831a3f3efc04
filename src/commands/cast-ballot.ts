/**
 * Anonymous casting (docs/ballots.md): no voter identity; the spend and the ballot are pooled, and
 * the voter is answered once both are durable, with a receipt signed by the log key.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Result } from '../domain/errors.ts';
import type { KeyStore } from '../keystore/port.ts';
import { keyNames } from '../keystore/port.ts';
import { createPrivateKeyCache } from '../keystore/private-key-cache.ts';
import type { BallotCast, CredentialEvent } from '../domain/credential-events.ts';
import { credentialDecider } from '../domain/credential.ts';
import { domainError, isDomainError } from '../domain/errors.ts';
import { decodeBallotCiphertext } from '../crypto/ballot-encryption.ts';
import { fromBase64url, toHex } from '../crypto/bytes.ts';
import { signCastReceipt } from '../crypto/cast-receipt.ts';
import { hashToken } from '../credentials/tokens.ts';
import type { ElectionStatusView } from '../projections/ballot-queries.ts';
import type { BallotPool } from './ballot-pool.ts';
import { toEventData } from './command-handler.ts';
import { ballotStreamId, credentialStreamId } from '../domain/streams.ts';

export interface CastBallotDeps {
  pool: BallotPool;
  keyStore: KeyStore;
  electionStatus: (electionId: string) => Promise<ElectionStatusView>;
  /** Whether a ballot with this hash is held in the pool or released into the log: answers a retried cast. */
  ballotRecorded?: (electionId: string, ballotHash: string) => Promise<boolean>;
}

export interface CastInput {
  electionId: string;
  n1: string;
  ciphertext: string;
}

export interface CastReceipt {
  /** SHA-256 (hex) of the ciphertext bytes: the ballot's name on the bulletin board. */
  ballotHash: string;
  signature: string;
  /** The BallotCast's log position when already released, else null (held in the pool). */
  position: number | null;
}

export interface BallotCaster {
  cast(input: CastInput): Promise<Result<CastReceipt>>;
}

/** Thrown (→ INTERNAL) when the key store has no log key for an election that exists: an operator fault. */
export class LogKeyMissingError extends Error {
  constructor(electionId: string) {
    super(`no log key in the key store for election ${electionId}`);
    this.name = 'LogKeyMissingError';
  }
}

export function createBallotCaster(deps: CastBallotDeps): BallotCaster {
  const logKey = createPrivateKeyCache(deps.keyStore, keyNames.log, (id) => new LogKeyMissingError(id));

  return {
    async cast(input) {
      const bytes = fromBase64url(input.ciphertext);
      if (!bytes || !decodeBallotCiphertext(bytes).ok) {
        return { ok: false, error: domainError('INVALID_BALLOT', 'the ciphertext is not a well-formed encrypted ballot') };
      }
      const hashN1 = hashToken(input.n1);
      if (!hashN1) return { ok: false, error: domainError('UNKNOWN_CREDENTIAL', 'no credential was minted for this N1 in this election') };
      const ballotHash = toHex(createHash('sha256').update(bytes).digest());
      const status = await deps.electionStatus(input.electionId);

      const streamId = credentialStreamId(input.electionId, hashN1);
      const ballotStream = ballotStreamId(input.electionId, randomUUID());
      const ballot: BallotCast = { type: 'BallotCast', data: { electionId: input.electionId, ballotHash, ciphertext: input.ciphertext } };
      const admitted = await deps.pool.admit({
        electionId: input.electionId,
        streamId,
        decide(history, closing) {
          const state = (history as CredentialEvent[]).reduce(credentialDecider.evolve, credentialDecider.initialState);
          const command = { type: 'CastBallot', electionId: input.electionId, hashN1 } as const;
          const decided = credentialDecider.decide({ ...command, electionStatus: closing ? 'VOTE_ENDED' : status }, state);
          if (isDomainError(decided)) return decided;
          return [
            { streamId, kind: 'spend', event: toEventData(decided[0]!), expectedRevision: history.length - 1 },
            { streamId: ballotStream, kind: 'cast', event: toEventData(ballot), expectedRevision: -1 },
          ];
        },
      });
      if (!admitted.ok) {
        if (admitted.error.code !== 'ALREADY_CAST' || !deps.ballotRecorded) return admitted;
        // A retry whose first reply was lost: the same ciphertext is recorded, so the client has its receipt.
        if (!(await deps.ballotRecorded(input.electionId, ballotHash))) return { ok: false, error: { ...admitted.error, details: { sameBallot: false } } };
        const receipt = signCastReceipt(await logKey(input.electionId), input.electionId, ballotHash);
        return { ok: false, error: { ...admitted.error, details: { sameBallot: true, ballotHash, signature: receipt } } };
      }
      const signature = signCastReceipt(await logKey(input.electionId), input.electionId, ballotHash);
      return { ok: true, value: { ballotHash, signature, position: admitted.value.positions.get(ballotStream) ?? null } };
    },
  };
}
