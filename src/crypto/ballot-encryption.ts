/**
 * Ballot encryption to the counter's RSA key: RSA-KEM + AES-256-GCM; scheme and wire format in docs/crypto.md.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { aes256GcmDecrypt, aes256GcmEncrypt, GCM_NONCE_BYTES, GCM_TAG_BYTES } from './aes-gcm.ts';
import { bigIntToBytes, concatBytes, fromBase64url, randomBigIntInRange, toBase64url, utf8 } from './bytes.ts';
import { fail, ok, type CryptoResult } from './errors.ts';
import { hkdfSha256 } from './hkdf.ts';
import { isBelowModulus, isZeroOrOne, rsaPublicNumbers, rsaRawPrivate, rsaRawPublic } from './rsa.ts';

export const BALLOT_CIPHERTEXT_VERSION = 1;
export const BALLOT_KDF_INFO = 'evote/ballot/v1';
/** c0 sizes of the RSA keys the protocol allows (2048, 3072, 4096 bits). */
const ALLOWED_C0_BYTES = new Set([256, 384, 512]);
const HEADER_BYTES = 3;

export interface BallotCiphertext {
  version: typeof BALLOT_CIPHERTEXT_VERSION;
  c0: Uint8Array;
  nonce: Uint8Array;
  sealed: Uint8Array;
}

export interface DecryptedBallot {
  plaintext: Uint8Array;
  /** The KEM secret (kLen bytes): publishing it makes the decryption verifiable. */
  r: Uint8Array;
}

// Per election info/AAD bytes: a tally or an audit opens thousands of ballots of one election.
let electionBytesCache: { electionId: string; info: Buffer; aad: Uint8Array } | undefined;

function electionBytes(electionId: string): { info: Buffer; aad: Uint8Array } {
  if (electionBytesCache?.electionId !== electionId) {
    const aad = utf8(electionId);
    electionBytesCache = { electionId, info: Buffer.concat([utf8(BALLOT_KDF_INFO), aad]), aad };
  }
  return electionBytesCache;
}

/** HKDF-SHA256(ikm = r, salt = empty, info = 'evote/ballot/v1' ‖ electionId, L = 32). */
function ballotKey(rBytes: Uint8Array, electionId: string): Uint8Array {
  return hkdfSha256(rBytes, EMPTY_SALT, electionBytes(electionId).info, 32);
}

const EMPTY_SALT = new Uint8Array(0);

export function encodeBallotCiphertext(c: BallotCiphertext): Uint8Array {
  const header = new Uint8Array(HEADER_BYTES);
  header[0] = c.version;
  new DataView(header.buffer).setUint16(1, c.c0.length);
  return concatBytes(header, c.c0, c.nonce, c.sealed);
}

/** Parses the binary form, or its base64url text form. Never throws on any input. */
export function decodeBallotCiphertext(input: Uint8Array | string): CryptoResult<BallotCiphertext> {
  const bytes = typeof input === 'string' ? fromBase64url(input) : input;
  if (!bytes) return fail('MALFORMED_CIPHERTEXT', 'ballot ciphertext is not canonical base64url');
  if (bytes.length < HEADER_BYTES) return fail('MALFORMED_CIPHERTEXT', 'ballot ciphertext is truncated');
  if (bytes[0] !== BALLOT_CIPHERTEXT_VERSION) return fail('UNSUPPORTED_VERSION', `unknown ballot ciphertext version ${bytes[0]}`);
  const c0Length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(1);
  if (!ALLOWED_C0_BYTES.has(c0Length)) return fail('MALFORMED_CIPHERTEXT', 'ballot ciphertext has an invalid KEM length');
  const nonceAt = HEADER_BYTES + c0Length;
  const sealedAt = nonceAt + GCM_NONCE_BYTES;
  if (bytes.length < sealedAt + GCM_TAG_BYTES) return fail('MALFORMED_CIPHERTEXT', 'ballot ciphertext is truncated');
  // Views, not copies (a copy is ~1 µs, three per ballot); no caller writes to the input.
  return ok({
    version: BALLOT_CIPHERTEXT_VERSION,
    c0: bytes.subarray(HEADER_BYTES, nonceAt),
    nonce: bytes.subarray(nonceAt, sealedAt),
    sealed: bytes.subarray(sealedAt),
  });
}

/** Encrypts to the counter's public key; returns the binary encoding (see toBase64url for text). */
export function encryptBallot(publicKey: KeyObject, electionId: string, plaintext: Uint8Array): Uint8Array {
  const { n, modulusBytes } = rsaPublicNumbers(publicKey);
  const rBytes = bigIntToBytes(randomBigIntInRange(2n, n), modulusBytes);
  const c0 = rsaRawPublic(publicKey, rBytes);
  const nonce = new Uint8Array(randomBytes(GCM_NONCE_BYTES));
  const key = ballotKey(rBytes, electionId);
  rBytes.fill(0);
  const { ciphertext, tag } = aes256GcmEncrypt(key, nonce, plaintext, utf8(electionId));
  key.fill(0);
  return encodeBallotCiphertext({ version: BALLOT_CIPHERTEXT_VERSION, c0, nonce, sealed: concatBytes(ciphertext, tag) });
}

export function encryptBallotToText(publicKey: KeyObject, electionId: string, plaintext: Uint8Array): string {
  return toBase64url(encryptBallot(publicKey, electionId, plaintext));
}

function openWithR(rBytes: Uint8Array, c: BallotCiphertext, electionId: string): CryptoResult<DecryptedBallot> {
  const key = ballotKey(rBytes, electionId);
  const split = c.sealed.length - GCM_TAG_BYTES;
  const opened = aes256GcmDecrypt(key, c.nonce, c.sealed.subarray(0, split), c.sealed.subarray(split), electionBytes(electionId).aad);
  key.fill(0);
  return opened.ok ? ok({ plaintext: opened.value, r: rBytes }) : opened;
}

function checkAgainstKey(publicKey: KeyObject, input: Uint8Array | string): CryptoResult<BallotCiphertext> {
  const decoded = decodeBallotCiphertext(input);
  if (!decoded.ok) return decoded;
  const numbers = rsaPublicNumbers(publicKey);
  if (decoded.value.c0.length !== numbers.modulusBytes) return fail('KEY_MISMATCH', 'ballot was encrypted to a key of another size');
  if (!isBelowModulus(numbers, decoded.value.c0)) return fail('DECRYPTION_FAILED', 'ballot KEM value is not below the modulus');
  return decoded;
}

/** The counter's decryption: r = c0^d mod n (OpenSSL), then AES-GCM. Returns r for publication. */
export function decryptBallot(privateKey: KeyObject, input: Uint8Array | string, electionId: string): CryptoResult<DecryptedBallot> {
  const checked = checkAgainstKey(privateKey, input);
  if (!checked.ok) return checked;
  let rBytes: Uint8Array;
  try {
    rBytes = rsaRawPrivate(privateKey, checked.value.c0);
  } catch {
    return fail('DECRYPTION_FAILED', 'RSA private operation refused the KEM value');
  }
  // Encryption never picks r < 2; such a c0 (0 or 1) was not made by encryptBallot.
  if (isZeroOrOne(rBytes)) return fail('DECRYPTION_FAILED', 'ballot KEM value is degenerate');
  return openWithR(rBytes, checked.value, electionId);
}

/** Anybody's decryption once r is published: a wrong r is REVEALED_SECRET_MISMATCH, not a decryption failure. */
export function decryptWithRevealedR(publicKey: KeyObject, r: Uint8Array, input: Uint8Array | string, electionId: string): CryptoResult<DecryptedBallot> {
  const checked = checkAgainstKey(publicKey, input);
  if (!checked.ok) return checked;
  const numbers = rsaPublicNumbers(publicKey);
  if (r.length !== numbers.modulusBytes) return fail('INVALID_LENGTH', `revealed r must be ${numbers.modulusBytes} bytes`);
  if (isZeroOrOne(r) || !isBelowModulus(numbers, r)) return fail('REVEALED_SECRET_MISMATCH', 'revealed r is out of range');
  if (!Buffer.from(rsaRawPublic(publicKey, r)).equals(Buffer.from(checked.value.c0))) {
    return fail('REVEALED_SECRET_MISMATCH', 'revealed r does not match the ballot (r^e mod n != c0)');
  }
  return openWithR(r, checked.value, electionId);
}
