/**
 * What the voter's device makes of a ballot, byte for byte as the server's code: the N2 commitment
 * (src/crypto/n2-commitment.ts), the ballot plaintext (src/crypto/ballot-plaintext.ts) and its
 * RSA-KEM + AES-256-GCM encryption to the counter (src/crypto/ballot-encryption.ts).
 */
import { bigIntToBytes, concatBytes, lengthPrefixed, randomBigIntInRange, randomBytes, toBase64url, toHex, utf8 } from '../../../src/crypto/bytes.ts';
import { bs, sha256 } from './webcrypto.ts';
import { canonicalJsonBytes } from '../../../src/crypto/canonical.ts';
import { rsaRawPublic, type RsaPublicKey } from './rsa.ts';

export const N2_COMMITMENT_TYPE = 'evote/n2-commitment/v1';
export const N2_SALT_BYTES = 16;
export const BALLOT_PLAINTEXT_TAG = 'evote/ballot-plaintext/v1';
export const BALLOT_CIPHERTEXT_VERSION = 1;
export const BALLOT_KDF_INFO = 'evote/ballot/v1';
export const GCM_NONCE_BYTES = 12;

/** Lowercase hex SHA-256 of the canonical JSON {type, n2, salt}; `salt` is base64url of 16 bytes. */
export async function n2Commitment(n2: string, salt: string): Promise<string> {
  return toHex(await sha256(canonicalJsonBytes({ type: N2_COMMITMENT_TYPE, n2, salt })));
}

/** A fresh salt, made on this device: with N2 it finds the counted ballot, so it goes into the receipt only. */
export function newN2Salt(): string {
  return toBase64url(randomBytes(N2_SALT_BYTES));
}

/** tag ‖ prepared message ‖ signature, each length-prefixed. */
export function encodeBallotPlaintext(p: { preparedMessage: Uint8Array; signature: Uint8Array }): Uint8Array {
  return concatBytes(lengthPrefixed(utf8(BALLOT_PLAINTEXT_TAG)), lengthPrefixed(p.preparedMessage), lengthPrefixed(p.signature));
}

/** Injected randomness, for cross-checks only: the booth passes nothing. */
export interface EncryptionRandomness {
  r?: bigint;
  nonce?: Uint8Array;
}

/**
 * version(1) ‖ len(c0)(2) ‖ c0 = r^e mod n ‖ nonce(12) ‖ AES-256-GCM(key = HKDF-SHA256(r, salt = zeros,
 * info = 'evote/ballot/v1' ‖ electionId), aad = electionId) with the tag appended.
 */
export async function encryptBallot(key: RsaPublicKey, electionId: string, plaintext: Uint8Array, randomness: EncryptionRandomness = {}): Promise<Uint8Array> {
  const r = randomness.r ?? randomBigIntInRange(2n, key.n);
  if (r < 2n || r >= key.n) throw new RangeError('KEM secret must be in [2, n-1]');
  const rBytes = bigIntToBytes(r, key.modulusBytes);
  const c0 = rsaRawPublic(key, r);
  const nonce = randomness.nonce ?? randomBytes(GCM_NONCE_BYTES);
  if (nonce.length !== GCM_NONCE_BYTES) throw new RangeError('AES-GCM nonce must be 12 bytes');
  const aad = utf8(electionId);
  const ikm = await crypto.subtle.importKey('raw', bs(rBytes), 'HKDF', false, ['deriveKey']);
  rBytes.fill(0);
  // An empty HKDF salt means HashLen zero bytes (RFC 5869 §2.2); given explicitly, as not every browser takes an empty one.
  const aesKey = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: bs(concatBytes(utf8(BALLOT_KDF_INFO), aad)) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: bs(nonce), additionalData: bs(aad), tagLength: 128 }, aesKey, bs(plaintext)));
  const header = new Uint8Array(3);
  header[0] = BALLOT_CIPHERTEXT_VERSION;
  new DataView(header.buffer).setUint16(1, c0.length);
  return concatBytes(header, c0, nonce, sealed);
}

/** The ballot hash the server must acknowledge: lowercase hex SHA-256 of the ciphertext bytes. */
export async function ballotHash(ciphertext: Uint8Array): Promise<string> {
  return toHex(await sha256(ciphertext));
}
