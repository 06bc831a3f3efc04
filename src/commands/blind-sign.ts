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
  /** Where the private operation runs (createSigningPool, given authorityKeyLoader), by signingKeyId. */
  signing: SigningPool;
  /** The voter's weight class (voters read model), null in an unweighted election; absent: every election is unweighted. */
  voterWeight?: (electionId: string, voterId: string) => Promise<number | null>;
}

export interface BlindSignInput {
  electionId: string;
  blindedMessage: string;
}

export interface BlindSigner {
  blindSign(principal: VoterPrincipal, input: BlindSignInput): Promise<Result<{ blindSignature: string }>>;
  /** The logged-in voter's weight class, null when the election is unweighted (the client blinds under that class's key). */
  weightClass(principal: VoterPrincipal, electionId: string): Promise<Result<{ weight: number | null }>>;
}

/**
 * The signing pool's key id: the election id, or `{electionId}/w{weight}` for a weight class's key
 * (election ids never hold '/', so the two cannot meet).
 */
export function signingKeyId(electionId: string, weight: number | null): string {
  return weight === null ? electionId : `${electionId}/w${weight}`;
}

function keyNameOf(keyId: string): string {
  const m = /^(.*)\/w([0-9]+)$/.exec(keyId);
  return m ? keyNames.authorityClass(m[1] as string, Number(m[2])) : keyNames.authority(keyId);
}

/** Thrown (→ INTERNAL at the gateway) when the key store has no authority key: an operator fault. */
export class AuthorityKeyMissingError extends Error {
  constructor(electionId: string) {
    super(`no authority key in the key store for election ${electionId}`);
    this.name = 'AuthorityKeyMissingError';
  }
}

/** The authority key's PKCS#8 bytes (by signingKeyId) for the signing pool's workers (never kept on this thread). */
export function authorityKeyLoader(keyStore: KeyStore): (keyId: string) => Promise<Uint8Array> {
  return async (keyId) => {
    const der = await keyStore.get(keyNameOf(keyId));
    if (!der) throw new AuthorityKeyMissingError(keyId);
    return der;
  };
}

/** n and kLen per election, derived once from the stored key (bounded; failures are not cached). */
function authorityNumbersCache(keyStore: KeyStore, capacity = 64): (keyId: string) => Promise<RsaPublicNumbers> {
  const load = authorityKeyLoader(keyStore);
  const numbers = new Map<string, Promise<RsaPublicNumbers>>();
  return (keyId) => {
    let found = numbers.get(keyId);
    if (!found) {
      found = load(keyId).then((der) => {
        try {
          // Only the public numbers are kept: no private KeyObject stays on this thread.
          return rsaPublicNumbers(createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' }));
        } finally {
          der.fill(0);
        }
      });
      found.catch(() => numbers.delete(keyId));
      numbers.set(keyId, found);
      if (numbers.size > capacity) numbers.delete(numbers.keys().next().value as string);
    }
    return found;
  };
}

export function createBlindSigner(deps: BlindSignDeps): BlindSigner {
  const authorityNumbers = authorityNumbersCache(deps.keyStore);
  const weightOf = deps.voterWeight ?? (async () => null);

  return {
    async weightClass(principal, electionId) {
      if (principal.electionId !== electionId) return { ok: false, error: domainError('FORBIDDEN', 'this access token belongs to another election') };
      return { ok: true, value: { weight: await weightOf(electionId, principal.voterId) } };
    },

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
      // Signed under the voter's class key only: a voter of class 1 cannot obtain a class-3 signature.
      const weight = await weightOf(input.electionId, principal.voterId);
      const keyId = signingKeyId(input.electionId, weight);
      const { n, modulusBytes } = await authorityNumbers(keyId);
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
          const command = { type: 'IssueBlindSignature', electionId: input.electionId, voterId: principal.voterId, blindedMessageHash, ...(weight !== null && { weight }) } as const;
          const decided = voterDecider.decide({ ...command, electionStatus: closing ? 'VOTE_ENDED' : status }, state);
          if (isDomainError(decided)) return decided;
        // Voter streams also take CredentialIssued while voting, so the release does not pin a revision.
          return decided.length > 0 ? [{ streamId, kind: 'sign', event: toEventData(decided[0]!), expectedRevision: null }] : null;
        },
      });
      if (!recorded.ok) return recorded;
      // A failure here (SERVICE_UNAVAILABLE when a worker died) leaves the record: the same blinded message, sent again, is signed again.
      const signature = await deps.signing.sign(keyId, blinded);
      return { ok: true, value: { blindSignature: toBase64url(signature) } };
    },
  };
}
