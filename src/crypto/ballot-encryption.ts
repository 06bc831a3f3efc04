/**
 * Ballot encryption to the counter's RSA key: RSA-KEM + AES-256-GCM; scheme and wire format in docs/crypto.md.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { aes256GcmEncrypt } from './aes-gcm.ts';
import { bigIntToBytes, concatBytes, randomBigIntInRange, toBase64url } from './bytes.ts';
import { fail, type CryptoResult } from './errors.ts';
import { isZeroOrOne, rsaPublicNumbers, rsaRawPrivate, rsaRawPublic } from './rsa.ts';
import { GCM_NONCE_BYTES } from './primitives.ts';
import { nodePrimitives } from './node-primitives.ts';
import {
  BALLOT_CIPHERTEXT_VERSION,
  BALLOT_HEADER_BYTES,
  ballotKey,
  checkAgainstKey,
  decryptWithRevealedRUsing,
  electionBytes,
  openWithR,
  type BallotCiphertext,
  type DecryptedBallot,
} from './ballot-ciphertext.ts';

// The format and the opening are platform-neutral (the browser's audit runs them): ballot-ciphertext.ts.
export { BALLOT_CIPHERTEXT_VERSION, BALLOT_KDF_INFO, decodeBallotCiphertext, type BallotCiphertext, type DecryptedBallot } from './ballot-ciphertext.ts';

export function encodeBallotCiphertext(c: BallotCiphertext): Uint8Array {
  const header = new Uint8Array(BALLOT_HEADER_BYTES);
  header[0] = c.version;
  new DataView(header.buffer).setUint16(1, c.c0.length);
  return concatBytes(header, c.c0, c.nonce, c.sealed);
}

/** Encrypts to the counter's public key; returns the binary encoding (see toBase64url for text). */
export function encryptBallot(publicKey: KeyObject, electionId: string, plaintext: Uint8Array): Uint8Array {
  const { n, modulusBytes } = rsaPublicNumbers(publicKey);
  const rBytes = bigIntToBytes(randomBigIntInRange(2n, n), modulusBytes);
  const c0 = rsaRawPublic(publicKey, rBytes);
  const nonce = new Uint8Array(randomBytes(GCM_NONCE_BYTES));
  const key = ballotKey(nodePrimitives, rBytes, electionId);
  rBytes.fill(0);
  const { ciphertext, tag } = aes256GcmEncrypt(key, nonce, plaintext, electionBytes(electionId).aad);
  key.fill(0);
  return encodeBallotCiphertext({ version: BALLOT_CIPHERTEXT_VERSION, c0, nonce, sealed: concatBytes(ciphertext, tag) });
}

export function encryptBallotToText(publicKey: KeyObject, electionId: string, plaintext: Uint8Array): string {
  return toBase64url(encryptBallot(publicKey, electionId, plaintext));
}

/** The counter's decryption: r = c0^d mod n (OpenSSL), then AES-GCM. Returns r for publication. */
export function decryptBallot(privateKey: KeyObject, input: Uint8Array | string, electionId: string): CryptoResult<DecryptedBallot> {
  const checked = checkAgainstKey(rsaPublicNumbers(privateKey), input);
  if (!checked.ok) return checked;
  let rBytes: Uint8Array;
  try {
    rBytes = rsaRawPrivate(privateKey, checked.value.c0);
  } catch {
    return fail('DECRYPTION_FAILED', 'RSA private operation refused the KEM value');
  }
  // Encryption never picks r < 2; such a c0 (0 or 1) was not made by encryptBallot.
  if (isZeroOrOne(rBytes)) return fail('DECRYPTION_FAILED', 'ballot KEM value is degenerate');
  return openWithR(nodePrimitives, rBytes, checked.value, electionId);
}

/** Anybody's decryption once r is published: a wrong r is REVEALED_SECRET_MISMATCH, not a decryption failure. */
export function decryptWithRevealedR(publicKey: KeyObject, r: Uint8Array, input: Uint8Array | string, electionId: string): CryptoResult<DecryptedBallot> {
  return decryptWithRevealedRUsing(nodePrimitives, publicKey, r, input, electionId);
}
