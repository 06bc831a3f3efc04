/**
 * Blind signing (docs/ballots.md): BlindSignatureIssued is pooled before the signature is answered;
 * one per voter. Malformed input is refused first, so a client bug never burns the voter's signature.
 */
import { createHash } from 'node:crypto';
import type { KeyStore } from '../keystore/port.ts';
import { keyNames } from '../keystore/port.ts';
import { createPrivateKeyCache } from '../keystore/private-key-cache.ts';
import type { Result } from '../domain/errors.ts';
import type { VoterPrincipal } from '../auth/voter-authenticator.ts';
import { voterDecider } from '../domain/voter.ts';
import type { VoterEvent } from '../domain/voter-events.ts';
import { domainError, isDomainError } from '../domain/errors.ts';
import { blindSign } from '../crypto/blind-rsa.ts';
import { bytesToBigInt, fromBase64url, toBase64url, toHex } from '../crypto/bytes.ts';
import { rsaPublicNumbers } from '../crypto/rsa.ts';
import type { ElectionStatusView } from '../projections/ballot-queries.ts';
import type { BallotPool } from './ballot-pool.ts';
import { toEventData } from './command-handler.ts';
import { voterStreamId } from '../domain/streams.ts';

export interface BlindSignDeps {
  pool: BallotPool;
  keyStore: KeyStore;
  electionStatus: (electionId: string) => Promise<ElectionStatusView>;
}

export interface BlindSignInput {
  electionId: string;
  blindedMessage: string;
}

export interface BlindSigner {
  blindSign(principal: VoterPrincipal, input: BlindSignInput): Promise<Result<{ blindSignature: string }>>;
}

/** Thrown (→ INTERNAL at the gateway) when the key store has no authority key: an operator fault. */
export class AuthorityKeyMissingError extends Error {
  constructor(electionId: string) {
    super(`no authority key in the key store for election ${electionId}`);
    this.name = 'AuthorityKeyMissingError';
  }
}

export function createBlindSigner(deps: BlindSignDeps): BlindSigner {
  const authorityKey = createPrivateKeyCache(deps.keyStore, keyNames.authority, (id) => new AuthorityKeyMissingError(id));

  return {
    async blindSign(principal, input) {
      if (principal.electionId !== input.electionId) {
        return { ok: false, error: domainError('FORBIDDEN', 'this access token belongs to another election') };
      }
      const status = await deps.electionStatus(input.electionId);
      if (status !== 'VOTE_STARTED') {
        // Checked here first (the decider checks too) so no key is loaded for a closed election.
        const decided = voterDecider.decide(
          { type: 'IssueBlindSignature', electionId: input.electionId, voterId: principal.voterId, blindedMessageHash: '', electionStatus: status },
          voterDecider.initialState,
        );
        if (!Array.isArray(decided)) return { ok: false, error: decided };
      }
      const blinded = fromBase64url(input.blindedMessage);
      const key = await authorityKey(input.electionId);
      const { n, modulusBytes } = rsaPublicNumbers(key);
      if (!blinded || blinded.length !== modulusBytes || bytesToBigInt(blinded) >= n) {
        return { ok: false, error: domainError('INVALID_BLINDED_MESSAGE', `the blinded message must be ${modulusBytes} bytes of base64url below the modulus`) };
      }
      const blindedMessageHash = toHex(createHash('sha256').update(blinded).digest());
      const streamId = voterStreamId(input.electionId, principal.voterId);
      const recorded = await deps.pool.admit({
        electionId: input.electionId,
        streamId,
        decide(history, closing) {
          const state = (history as VoterEvent[]).reduce(voterDecider.evolve, voterDecider.initialState);
          const command = { type: 'IssueBlindSignature', electionId: input.electionId, voterId: principal.voterId, blindedMessageHash } as const;
          const decided = voterDecider.decide({ ...command, electionStatus: closing ? 'VOTE_ENDED' : status }, state);
          if (isDomainError(decided)) return decided;
        // Voter streams also take CredentialIssued while voting, so the release does not pin a revision.
          return decided.length > 0 ? [{ streamId, kind: 'sign', event: toEventData(decided[0]!), expectedRevision: null }] : null;
        },
      });
      if (!recorded.ok) return recorded;
      const signed = blindSign(key, blinded);
      if (!signed.ok) throw new Error(`blind signing failed: ${signed.error.code}`);
      return { ok: true, value: { blindSignature: toBase64url(signed.value) } };
    },
  };
}
