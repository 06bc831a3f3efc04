/**
 * Blind signing (docs/ballots.md): BlindSignatureIssued is pooled before the signature is answered;
 * one per voter. Malformed input is refused first, so a client bug never burns the voter's signature.
 * The private operation runs on the signing pool's workers; this thread holds only the public numbers.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import type { KeyStore } from '../keystore/port.ts';
import { keyNames } from '../keystore/port.ts';
import type { Result } from '../domain/errors.ts';
import type { VoterPrincipal } from '../auth/voter-authenticator.ts';
import { voterDecider } from '../domain/voter.ts';
import type { VoterEvent } from '../domain/voter-events.ts';
import { domainError, isDomainError } from '../domain/errors.ts';
import { bytesToBigInt, fromBase64url, toBase64url, toHex } from '../crypto/bytes.ts';
import { rsaPublicNumbers, type RsaPublicNumbers } from '../crypto/rsa.ts';
import type { ElectionStatusView } from '../projections/ballot-queries.ts';
import type { BallotPool } from './ballot-pool.ts';
import { toEventData } from './command-handler.ts';
import { voterStreamId } from '../domain/streams.ts';
import type { SigningPool } from './signing-pool.ts';

export interface BlindSignDeps {
  pool: BallotPool;
  keyStore: KeyStore;
  electionStatus: (electionId: string) => Promise<ElectionStatusView>;
  /** Where the private operation runs (createSigningPool, given authorityKeyLoader). */
  signing: SigningPool;
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

/** The authority key's PKCS#8 bytes for the signing pool's workers (never kept on this thread). */
export function authorityKeyLoader(keyStore: KeyStore): (electionId: string) => Promise<Uint8Array> {
  return async (electionId) => {
    const der = await keyStore.get(keyNames.authority(electionId));
    if (!der) throw new AuthorityKeyMissingError(electionId);
    return der;
  };
}

/** n and kLen per election, derived once from the stored key (bounded; failures are not cached). */
function authorityNumbersCache(keyStore: KeyStore, capacity = 64): (electionId: string) => Promise<RsaPublicNumbers> {
  const load = authorityKeyLoader(keyStore);
  const numbers = new Map<string, Promise<RsaPublicNumbers>>();
  return (electionId) => {
    let found = numbers.get(electionId);
    if (!found) {
      found = load(electionId).then((der) => {
        try {
          // Only the public numbers are kept: no private KeyObject stays on this thread.
          return rsaPublicNumbers(createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' }));
        } finally {
          der.fill(0);
        }
      });
      found.catch(() => numbers.delete(electionId));
      numbers.set(electionId, found);
      if (numbers.size > capacity) numbers.delete(numbers.keys().next().value as string);
    }
    return found;
  };
}

export function createBlindSigner(deps: BlindSignDeps): BlindSigner {
  const authorityNumbers = authorityNumbersCache(deps.keyStore);

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
      const { n, modulusBytes } = await authorityNumbers(input.electionId);
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
      // A failure here (SERVICE_UNAVAILABLE when a worker died) leaves the record: the same blinded message, sent again, is signed again.
      const signature = await deps.signing.sign(input.electionId, blinded);
      return { ok: true, value: { blindSignature: toBase64url(signature) } };
    },
  };
}
