/**
 * The ballot ciphertext's wire format and its opening with a known r (the counter's, or the one a
 * VoteCounted reveals), over CryptoPrimitives: the tally and the CLI audit run it on node:crypto,
 * the browser's audit on @noble. Scheme and format in docs/crypto.md.
 */
import { concatBytes, fromBase64url, utf8 } from './bytes.ts';
import { fail, ok, type CryptoResult } from './errors.ts';
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, bytesEqual, isBelowModulus, isZeroOrOne, type CryptoPrimitives, type PublicKeyHandle, type RsaPublicNumbers } from './primitives.ts';

export const BALLOT_CIPHERTEXT_VERSION = 1;
export const BALLOT_KDF_INFO = 'evote/ballot/v1';
/** c0 sizes of the RSA keys the protocol allows (2048, 3072, 4096 bits). */
const ALLOWED_C0_BYTES = new Set([256, 384, 512]);
export const BALLOT_HEADER_BYTES = 3;

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
let electionBytesCache: { electionId: string; info: Uint8Array; aad: Uint8Array } | undefined;

export function electionBytes(electionId: string): { info: Uint8Array; aad: Uint8Array } {
  if (electionBytesCache?.electionId !== electionId) {
    const aad = utf8(electionId);
    electionBytesCache = { electionId, info: concatBytes(utf8(BALLOT_KDF_INFO), aad), aad };
  }
  return electionBytesCache;
}

const EMPTY_SALT = new Uint8Array(0);

/** HKDF-SHA256(ikm = r, salt = empty, info = 'evote/ballot/v1' ‖ electionId, L = 32). */
export function ballotKey(p: Pick<CryptoPrimitives, 'hkdfSha256'>, rBytes: Uint8Array, electionId: string): Uint8Array {
  return p.hkdfSha256(rBytes, EMPTY_SALT, electionBytes(electionId).info, 32);
}

/** Parses the binary form, or its base64url text form. Never throws on any input. */
export function decodeBallotCiphertext(input: Uint8Array | string): CryptoResult<BallotCiphertext> {
  const bytes = typeof input === 'string' ? fromBase64url(input) : input;
  if (!bytes) return fail('MALFORMED_CIPHERTEXT', 'ballot ciphertext is not canonical base64url');
  if (bytes.length < BALLOT_HEADER_BYTES) return fail('MALFORMED_CIPHERTEXT', 'ballot ciphertext is truncated');
  if (bytes[0] !== BALLOT_CIPHERTEXT_VERSION) return fail('UNSUPPORTED_VERSION', `unknown ballot ciphertext version ${bytes[0]}`);
  const c0Length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(1);
  if (!ALLOWED_C0_BYTES.has(c0Length)) return fail('MALFORMED_CIPHERTEXT', 'ballot ciphertext has an invalid KEM length');
  const nonceAt = BALLOT_HEADER_BYTES + c0Length;
  const sealedAt = nonceAt + GCM_NONCE_BYTES;
  if (bytes.length < sealedAt + GCM_TAG_BYTES) return fail('MALFORMED_CIPHERTEXT', 'ballot ciphertext is truncated');
  // Views, not copies (a copy is ~1 µs, three per ballot); no caller writes to the input.
  return ok({
    version: BALLOT_CIPHERTEXT_VERSION,
    c0: bytes.subarray(BALLOT_HEADER_BYTES, nonceAt),
    nonce: bytes.subarray(nonceAt, sealedAt),
    sealed: bytes.subarray(sealedAt),
  });
}

/** AES-GCM under the key r derives; r is returned with the plaintext for publication. */
export function openWithR(p: CryptoPrimitives, rBytes: Uint8Array, c: BallotCiphertext, electionId: string): CryptoResult<DecryptedBallot> {
  const key = ballotKey(p, rBytes, electionId);
  const split = c.sealed.length - GCM_TAG_BYTES;
  const opened = p.aes256GcmDecrypt(key, c.nonce, c.sealed.subarray(0, split), c.sealed.subarray(split), electionBytes(electionId).aad);
  key.fill(0);
  return opened.ok ? ok({ plaintext: opened.value, r: rBytes }) : opened;
}

/** Decodes, and refuses a c0 of another key size or not below n. */
export function checkAgainstKey(numbers: RsaPublicNumbers, input: Uint8Array | string): CryptoResult<BallotCiphertext> {
  const decoded = decodeBallotCiphertext(input);
  if (!decoded.ok) return decoded;
  if (decoded.value.c0.length !== numbers.modulusBytes) return fail('KEY_MISMATCH', 'ballot was encrypted to a key of another size');
  if (!isBelowModulus(numbers, decoded.value.c0)) return fail('DECRYPTION_FAILED', 'ballot KEM value is not below the modulus');
  return decoded;
}

/** Anybody's decryption once r is published: a wrong r is REVEALED_SECRET_MISMATCH, not a decryption failure. */
export function decryptWithRevealedRUsing(p: CryptoPrimitives, publicKey: PublicKeyHandle, r: Uint8Array, input: Uint8Array | string, electionId: string): CryptoResult<DecryptedBallot> {
  const numbers = p.rsaPublicNumbers(publicKey);
  const checked = checkAgainstKey(numbers, input);
  if (!checked.ok) return checked;
  if (r.length !== numbers.modulusBytes) return fail('INVALID_LENGTH', `revealed r must be ${numbers.modulusBytes} bytes`);
  if (isZeroOrOne(r) || !isBelowModulus(numbers, r)) return fail('REVEALED_SECRET_MISMATCH', 'revealed r is out of range');
  if (!bytesEqual(p.rsaRawPublic(publicKey, r), checked.value.c0)) {
    return fail('REVEALED_SECRET_MISMATCH', 'revealed r does not match the ballot (r^e mod n != c0)');
  }
  return openWithR(p, r, checked.value, electionId);
}
