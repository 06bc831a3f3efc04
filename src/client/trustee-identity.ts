/**
 * A trustee's Ed25519 identity key, derived from its share (HKDF): one secret per trustee to protect,
 * and whoever holds the share can sign that trustee's submissions, nobody else.
 */
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { hkdfSha256 } from '../crypto/hkdf.ts';
import { toBase64url, utf8 } from '../crypto/bytes.ts';

const IDENTITY_INFO = utf8('evote/trustee-identity/v1');
// RFC 8410 PKCS#8 wrapping of a 32-byte Ed25519 seed.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface TrusteeIdentity {
  privateKey: KeyObject;
  /** base64url raw 32-byte public key, as in the transcript. */
  publicKey: string;
}

/** `encodedShare`: encodeShare's text of the trustee's share. */
export function trusteeIdentityOf(encodedShare: string): TrusteeIdentity {
  const seed = hkdfSha256(utf8(encodedShare), new Uint8Array(0), IDENTITY_INFO, 32);
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  seed.fill(0);
  der.fill(0);
  const x = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new TypeError('Ed25519 public key export has no x');
  return { privateKey, publicKey: x };
}

export function signAsTrustee(identity: TrusteeIdentity, text: string): string {
  return toBase64url(new Uint8Array(sign(null, Buffer.from(text), identity.privateKey)));
}
