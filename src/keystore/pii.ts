/**
 * Voters' e-mail addresses under a per-election PII key (crypto-shredding). Events carry only
 * `encryptEmail(...)` and `emailHmac(...)`; the key lives in the key store under
 * `election/<eid>/pii`. Deleting that one entry makes every address of the election
 * unrecoverable without rewriting the (append-only, public) log.
 */
import { randomBytes } from 'node:crypto';
import { aes256GcmDecrypt, aes256GcmEncrypt, AES_256_KEY_BYTES, GCM_NONCE_BYTES, GCM_TAG_BYTES, randomGcmNonce } from '../crypto/aes-gcm.ts';
import { concatBytes, fromBase64url, toBase64url, toHex, utf8 } from '../crypto/bytes.ts';
import { hkdfSha256 } from '../crypto/hkdf.ts';
import { hmacSha256 } from '../crypto/hmac.ts';
import { keyNames, type KeyStore } from './port.ts';

export const PII_KEY_BYTES = AES_256_KEY_BYTES;
const EMAIL_HMAC_INFO = utf8('evote/email-hmac');

/**
 * The election's PII key, created on first use. Race-free across processes: every caller stores a
 * candidate with putIfAbsent and then reads back whichever one won.
 */
export async function getOrCreatePiiKey(store: KeyStore, electionId: string): Promise<Uint8Array> {
  const name = keyNames.pii(electionId);
  const existing = await store.get(name);
  if (existing) return existing;
  await store.putIfAbsent(name, new Uint8Array(randomBytes(PII_KEY_BYTES)));
  const key = await store.get(name);
  if (!key) throw new Error(`PII key ${name} vanished right after it was stored`);
  return key;
}

/** The PII key, or undefined once it has been shredded (or never existed). */
export async function loadPiiKey(store: KeyStore, electionId: string): Promise<Uint8Array | undefined> {
  return store.get(keyNames.pii(electionId));
}

/** Crypto-shredding: forgets every e-mail address of the election. True when a key was deleted. */
export async function shredPiiKey(store: KeyStore, electionId: string): Promise<boolean> {
  return store.delete(keyNames.pii(electionId));
}

/**
 * base64url(nonce ‖ ciphertext ‖ tag), AES-256-GCM under the PII key with the election id as AAD
 * (a ciphertext copied into another election's event does not decrypt there).
 */
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

/** A 100,000-row import HMACs every address under one key object: derive its subkey once. */
const emailHmacSubkeys = new WeakMap<Uint8Array, Uint8Array>();

/**
 * Hex HMAC-SHA256 of the normalised address (trimmed, lower-cased, as the domain normalises it)
 * under a subkey HKDF(piiKey, info 'evote/email-hmac'): equal addresses give equal values, so
 * uniqueness is checkable from the log, while the address itself cannot be recovered or guessed
 * without the key (a plain hash of an e-mail is easily brute-forced from address lists).
 */
export function emailHmac(piiKey: Uint8Array, email: string): string {
  let subkey = emailHmacSubkeys.get(piiKey);
  if (!subkey) {
    subkey = hkdfSha256(piiKey, new Uint8Array(0), EMAIL_HMAC_INFO, 32);
    emailHmacSubkeys.set(piiKey, subkey);
  }
  return toHex(hmacSha256(subkey, email.trim().toLowerCase()));
}
