/**
 * The order-independent work on one ballot, run inside the tally's worker threads: RSA-KEM
 * decryption with the counter's key (the RSA private operation is the cost that matters), the
 * plaintext and ballot-message decoding, the authority's signature check (an RSA public
 * operation) and hash(N2). N2 itself never leaves this function: only its hash does.
 */
import type { KeyObject } from 'node:crypto';
import { decodeBallotCiphertext, decryptBallot } from '../crypto/ballot-encryption.ts';
import { ballotMessageOf, decodeBallotPlaintext } from '../crypto/ballot-plaintext.ts';
import { verify } from '../crypto/blind-rsa.ts';
import { bytesToBigInt, toBase64url } from '../crypto/bytes.ts';
import { rsaPublicNumbers, rsaRawPrivate } from '../crypto/rsa.ts';
import { hashToken } from '../credentials/tokens.ts';
import type { OpenedBallot } from './classify.ts';

export interface BallotKeys {
  electionId: string;
  counterPrivateKey: KeyObject;
  authorityPublicKey: KeyObject;
}

export function openBallot(keys: BallotKeys, ciphertext: string): OpenedBallot {
  const decrypted = decryptBallot(keys.counterPrivateKey, ciphertext, keys.electionId);
  if (!decrypted.ok) return { kind: 'undecryptable', revealedR: kemSecretOf(keys.counterPrivateKey, ciphertext), choice: null, hashN2: null };
  const revealedR = toBase64url(decrypted.value.r);
  const plaintext = decodeBallotPlaintext(decrypted.value.plaintext);
  if (!plaintext.ok) return { kind: 'undecryptable', revealedR, choice: null, hashN2: null };
  const message = ballotMessageOf(plaintext.value.preparedMessage);
  if (!message.ok) return { kind: 'undecryptable', revealedR, choice: null, hashN2: null };
  const { electionId, choice, n2 } = message.value;
  const hashN2 = hashToken(n2) ?? null;
  // A message signed for another election: readable, but not a ballot of this one.
  if (electionId !== keys.electionId) return { kind: 'undecryptable', revealedR, choice, hashN2 };
  const signatureValid = verify(keys.authorityPublicKey, plaintext.value.preparedMessage, plaintext.value.signature);
  return { kind: 'opened', revealedR, choice, hashN2, signatureValid };
}

/**
 * r = c0^d for a ballot whose AES-GCM part failed (a rare path, so the hot path stays one private
 * operation). Publishing it lets anyone confirm the ballot really does not open with its own KEM
 * secret, instead of taking the counter's word for UNDECRYPTABLE. Null when c0 itself is unusable.
 */
function kemSecretOf(counterPrivateKey: KeyObject, ciphertext: string): string | null {
  const decoded = decodeBallotCiphertext(ciphertext);
  if (!decoded.ok) return null;
  const { n, modulusBytes } = rsaPublicNumbers(counterPrivateKey);
  const { c0 } = decoded.value;
  if (c0.length !== modulusBytes || bytesToBigInt(c0) >= n) return null;
  try {
    const r = rsaRawPrivate(counterPrivateKey, c0);
    return bytesToBigInt(r) < 2n ? null : toBase64url(r);
  } catch {
    return null;
  }
}
