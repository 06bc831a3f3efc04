/**
 * The voter's side of the ballot (docs/protocol.md steps 4-5). The blinding inverse and the
 * prepared message are secrets until the cast: memory only.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { encodeBallotMessage } from '../crypto/canonical.ts';
import { blind, finalize, prepare } from '../crypto/blind-rsa.ts';
import { encodeBallotPlaintext } from '../crypto/ballot-plaintext.ts';
import { encryptBallot } from '../crypto/ballot-encryption.ts';
import { fromBase64url, toBase64url, toHex } from '../crypto/bytes.ts';

/** A key as ElectionCreated publishes it (base64url SPKI DER), or an already imported KeyObject. */
export type PublicKeyInput = string | KeyObject;

export class BallotClientError extends Error {
  constructor(
    readonly code: 'INVALID_KEY' | 'BLINDING_FAILED' | 'INVALID_SIGNATURE',
    message: string,
  ) {
    super(message);
    this.name = 'BallotClientError';
  }
}

export function importPublicKey(key: PublicKeyInput): KeyObject {
  if (typeof key !== 'string') return key;
  const der = fromBase64url(key);
  if (!der) throw new BallotClientError('INVALID_KEY', 'public key is not base64url');
  try {
    return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch {
    throw new BallotClientError('INVALID_KEY', 'public key is not an SPKI DER RSA key');
  }
}

export interface PreparedBallot {
  /** RFC 9474 prepared message: 32-byte random prefix ‖ canonical ballot message. */
  prepared: Uint8Array;
  /** base64url, what `ballot.blindSign` takes. */
  blindedMessage: string;
  /** The blinding inverse: secret, needed by finishBallot. */
  inv: Uint8Array;
}

/** `n2Commitment`: n2Commitment(N2, salt) (src/crypto/n2-commitment.ts), the salt made on this device. */
export function prepareBallot(input: { electionId: string; choice: string; n2Commitment: string; authorityPublicKey: PublicKeyInput }): PreparedBallot {
  const pk = importPublicKey(input.authorityPublicKey);
  const prepared = prepare(encodeBallotMessage({ electionId: input.electionId, choice: input.choice, n2Commitment: input.n2Commitment }));
  const blinded = blind(pk, prepared);
  if (!blinded.ok) throw new BallotClientError('BLINDING_FAILED', blinded.error.message);
  return { prepared, blindedMessage: toBase64url(blinded.value.blindedMessage), inv: blinded.value.inv };
}

export interface FinishedBallot {
  /** The unblinded RSASSA-PSS signature over `prepared`. */
  signature: Uint8Array;
  /** base64url, what `ballot.cast` takes. */
  ciphertext: string;
  /** SHA-256 hex of the ciphertext bytes: the receipt the server must answer with. */
  ballotHash: string;
}

export function finishBallot(input: {
  prepared: Uint8Array;
  blindSignature: string | Uint8Array;
  inv: Uint8Array;
  authorityPublicKey: PublicKeyInput;
  ballotPublicKey: PublicKeyInput;
  electionId: string;
}): FinishedBallot {
  const blindSignature = typeof input.blindSignature === 'string' ? fromBase64url(input.blindSignature) : input.blindSignature;
  if (!blindSignature) throw new BallotClientError('INVALID_SIGNATURE', 'blind signature is not base64url');
  // finalize verifies: a signature the authority got wrong (or forged) is never encrypted and cast.
  const finalized = finalize(importPublicKey(input.authorityPublicKey), input.prepared, blindSignature, input.inv);
  if (!finalized.ok) throw new BallotClientError('INVALID_SIGNATURE', finalized.error.message);
  const plaintext = encodeBallotPlaintext({ preparedMessage: input.prepared, signature: finalized.value });
  const bytes = encryptBallot(importPublicKey(input.ballotPublicKey), input.electionId, plaintext);
  return { signature: finalized.value, ciphertext: toBase64url(bytes), ballotHash: toHex(createHash('sha256').update(bytes).digest()) };
}
