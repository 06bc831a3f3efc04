/**
 * The order-independent work on one ballot, in the tally's worker threads: decrypt, decode, verify.
 */
import type { KeyObject } from 'node:crypto';
import { decodeBallotCiphertext, decryptBallot } from '../crypto/ballot-encryption.ts';
import { toBase64url } from '../crypto/bytes.ts';
import { isBelowModulus, isZeroOrOne, rsaPublicNumbers, rsaRawPrivate } from '../crypto/rsa.ts';
import { verify } from '../crypto/blind-rsa.ts';
import { readOpenedBallot, type OpenedBallot } from './classify.ts';
import { classCheck, type ClassKey } from './weighted-signature.ts';

export interface BallotKeys {
  electionId: string;
  counterPrivateKey: KeyObject;
  authorityPublicKey: KeyObject;
  /** A weighted election's class keys: the signature is checked against these instead. */
  classes?: ClassKey[];
}

export function openBallot(keys: BallotKeys, ciphertext: string): OpenedBallot {
  const decrypted = decryptBallot(keys.counterPrivateKey, ciphertext, keys.electionId);
  if (!decrypted.ok) return { kind: 'undecryptable', revealedR: kemSecretOf(keys.counterPrivateKey, ciphertext), choice: null, n2Commitment: null };
  return readOpenedBallot(keys.classes ? classCheck(keys.classes) : (m, s) => verify(keys.authorityPublicKey, m, s), keys.electionId, decrypted.value.plaintext, toBase64url(decrypted.value.r));
}

/**
 * r = c0^d for a ballot whose AES-GCM part failed (rare, so the hot path stays one private op): anyone
 * can then confirm it does not open, rather than trust the counter. Null when c0 itself is unusable.
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
