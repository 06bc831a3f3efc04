/**
 * Voters' e-mail addresses under a per-election PII key: deleting that one key entry forgets every
 * address without rewriting the log (docs/credentials.md "E-mail addresses and crypto-shredding").
 */
import { randomBytes } from 'node:crypto';
import { aes256GcmDecrypt, aes256GcmEncrypt, AES_256_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES, randomGcmNonce } from '../crypto/aes-gcm.ts';
import { concatBytes, fromBase64url, toBase64url, toHex, utf8 } from '../crypto/bytes.ts';
import { hkdfSha256 } from '../crypto/hkdf.ts';
import { hmacSha256 } from '../crypto/hmac.ts';
import { keyNames, type KeyStore } from './port.ts';

export const PII_KEY_BYTES = AES_256_KEY_BYTES;
const EMAIL_HMAC_INFO = utf8('evote/email-hmac');

/** The election's PII key, created on first use; putIfAbsent makes it race-free across processes. */
export async function getOrCreatePiiKey(store: KeyStore, electionId: string): Promise<Uint8Array> {
  const name = keyNames.pii(electionId);
  const existing = await store.get(name);
  if (existing) return existing;
  await store.putIfAbsent(name, new Uint8Array(randomBytes(PII_KEY_BYTES)));
  const key = await store.get(name);
  if (!key) throw new Error(`PII key ${name} vanished right after it was stored`);
  return key;
}

export async function loadPiiKey(store: KeyStore, electionId: string): Promise<Uint8Array | undefined> {
  return store.get(keyNames.pii(electionId));
}

/** Crypto-shredding: forgets every e-mail address of the election. True when a key was deleted. */
export async function shredPiiKey(store: KeyStore, electionId: string): Promise<boolean> {
  return store.delete(keyNames.pii(electionId));
}

/** base64url(nonce ‖ ciphertext ‖ tag) under the PII key, the election id as AAD. */
export function encryptEmail(piiKey: Uint8Array, electionId: string, email: string): string {
  const nonce = randomGcmNonce();
  const { ciphertext, tag } = aes256GcmEncrypt(piiKey, nonce, utf8(email), utf8(electionId));
  return toBase64url(concatBytes(nonce, ciphertext, tag));
}

/** The address, or undefined for a wrong key or election, a tampered or malformed value. */
export function decryptEmail(piiKey: Uint8Array, electionId: string, encrypted: string): string | undefined {
  if (piiKey.length !== PII_KEY_BYTES) return undefined;
  const bytes = fromBase64url(encrypted);
  if (!bytes || bytes.length < GCM_NONCE_BYTES + GCM_TAG_BYTES) return undefined;
  const nonce = bytes.subarray(0, GCM_NONCE_BYTES);
  const ciphertext = bytes.subarray(GCM_NONCE_BYTES, bytes.length - GCM_TAG_BYTES);
  const tag = bytes.subarray(bytes.length - GCM_TAG_BYTES);
  const r = aes256GcmDecrypt(piiKey, nonce, ciphertext, tag, utf8(electionId));
  if (!r.ok) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(r.value);
  } catch {
    return undefined;
  }
}

const emailHmacSubkeys = new WeakMap<Uint8Array, Uint8Array>();

/** Hex HMAC-SHA256 of the normalised address under a subkey of the PII key: uniqueness without a guessable hash. */
export function emailHmac(piiKey: Uint8Array, email: string): string {
  let subkey = emailHmacSubkeys.get(piiKey);
  if (!subkey) {
    subkey = hkdfSha256(piiKey, new Uint8Array(0), EMAIL_HMAC_INFO, 32);
    emailHmacSubkeys.set(piiKey, subkey);
  }
  return toHex(hmacSha256(subkey, email.trim().toLowerCase()));
}
