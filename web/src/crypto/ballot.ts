/**
 * What the voter's device makes of a ballot, byte for byte as the server's code, on WebCrypto: the N2
 * commitment (src/crypto/n2-commitment-core.ts) and the RSA-KEM + AES-256-GCM encryption to the
 * counter (layout in src/crypto/ballot-ciphertext.ts); the plaintext is src/crypto/ballot-plaintext.ts's.
 */
import { bigIntToBytes, concatBytes, randomBigIntInRange, randomBytes, toHex } from '../../../src/crypto/bytes.ts';
import { BALLOT_CIPHERTEXT_VERSION, BALLOT_HEADER_BYTES, electionBytes } from '../../../src/crypto/ballot-ciphertext.ts';
import { n2CommitmentInput } from '../../../src/crypto/n2-commitment-core.ts';
import { GCM_NONCE_BYTES } from '../../../src/crypto/primitives.ts';
import { rsaRawPublic, type RsaPublicKey } from './rsa.ts';
import { bs, sha256 } from './webcrypto.ts';

export { encodeBallotPlaintext } from '../../../src/crypto/ballot-plaintext.ts';
export { newN2Salt } from '../../../src/crypto/n2-commitment-core.ts';

/** Lowercase hex SHA-256 of the canonical JSON {type, n2, salt}; `salt` is base64url of 16 bytes. */
export async function n2Commitment(n2: string, salt: string): Promise<string> {
  return toHex(await sha256(n2CommitmentInput(n2, salt)));
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
  const { info, aad } = electionBytes(electionId);
  const ikm = await crypto.subtle.importKey('raw', bs(rBytes), 'HKDF', false, ['deriveKey']);
  rBytes.fill(0);
  // An empty HKDF salt means HashLen zero bytes (RFC 5869 §2.2); given explicitly, as not every browser takes an empty one.
  const aesKey = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: bs(info) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: bs(nonce), additionalData: bs(aad), tagLength: 128 }, aesKey, bs(plaintext)));
  const header = new Uint8Array(BALLOT_HEADER_BYTES);
  header[0] = BALLOT_CIPHERTEXT_VERSION;
  new DataView(header.buffer).setUint16(1, c0.length);
  return concatBytes(header, c0, nonce, sealed);
}

/** The ballot hash the server must acknowledge: lowercase hex SHA-256 of the ciphertext bytes. */
export async function ballotHash(ciphertext: Uint8Array): Promise<string> {
  return toHex(await sha256(ciphertext));
}
