/**
 * The order-independent work on one ballot, run inside the tally's worker threads: RSA-KEM
 * decryption with the counter's key (the RSA private operation is the cost that matters), the
 * plaintext and ballot-message decoding, the commitment's form and the authority's signature
 * check (an RSA public operation).
 */
import type { KeyObject } from 'node:crypto';
import { decodeBallotCiphertext, decryptBallot } from '../crypto/ballot-encryption.ts';
import { toBase64url } from '../crypto/bytes.ts';
import { isBelowModulus, isZeroOrOne, rsaPublicNumbers, rsaRawPrivate } from '../crypto/rsa.ts';
import { readOpenedBallot, type OpenedBallot } from './classify.ts';

export interface BallotKeys {
  electionId: string;
  counterPrivateKey: KeyObject;
  authorityPublicKey: KeyObject;
}

export function openBallot(keys: BallotKeys, ciphertext: string): OpenedBallot {
  const decrypted = decryptBallot(keys.counterPrivateKey, ciphertext, keys.electionId);
  if (!decrypted.ok) return { kind: 'undecryptable', revealedR: kemSecretOf(keys.counterPrivateKey, ciphertext), choice: null, n2Commitment: null };
  return readOpenedBallot(keys.authorityPublicKey, keys.electionId, decrypted.value.plaintext, toBase64url(decrypted.value.r));
}

/**
 * r = c0^d for a ballot whose AES-GCM part failed (a rare path, so the hot path stays one private
 * operation). Publishing it lets anyone confirm the ballot really does not open with its own KEM
 * secret, instead of taking the counter's word for UNDECRYPTABLE. Null when c0 itself is unusable.
 */
function kemSecretOf(counterPrivateKey: KeyObject, ciphertext: string): string | null {
  const decoded = decodeBallotCiphertext(ciphertext);
  if (!decoded.ok) return null;
  const { c0 } = decoded.value;
  if (!isBelowModulus(rsaPublicNumbers(counterPrivateKey), c0)) return null;
  try {
    const r = rsaRawPrivate(counterPrivateKey, c0);
    return isZeroOrOne(r) ? null : toBase64url(r);
  } catch {
    return null;
  }
}
