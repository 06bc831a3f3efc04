/** A share sealed under its trustee's passphrase: scrypt + AES-256-GCM (docs/trustees.md, "A share at rest"). */
import { randomBytes, scrypt } from 'node:crypto';
import { aes256GcmDecrypt, aes256GcmEncrypt, GCM_NONCE_BYTES, GCM_TAG_BYTES } from './aes-gcm.ts';
import { concatBytes, fromBase64url, lengthPrefixed, toBase64url, utf8 } from './bytes.ts';
import { fail, ok, type CryptoResult } from './errors.ts';
import { encodeShare, MAX_TRUSTEES, parseShare, type TrusteeShare } from './threshold-rsa-encoding.ts';

export const SHARE_PROTECTION_SCHEME = 'evote-protected-share/v1' as const;
/** scrypt cost N = 2^17 (128 MiB); parsing accepts 2^15..2^20. */
export const DEFAULT_SCRYPT_LOG_N = 17;
const MIN_SCRYPT_LOG_N = 15;
const MAX_SCRYPT_LOG_N = 20;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SALT_BYTES = 16;
export const MIN_PASSPHRASE_CHARS = 12;

export interface ProtectedShare {
  scheme: typeof SHARE_PROTECTION_SCHEME;
  index: number;
  /** Free text bound into the AAD (e.g. the election and the trustee's name); shown before asking for the passphrase. */
  label: string;
  kdf: { name: 'scrypt'; logN: number; r: number; p: number; salt: string };
  nonce: string;
  /** AES-256-GCM ciphertext ‖ tag of the share's JSON form. */
  sealed: string;
}

function deriveKey(passphrase: string, salt: Uint8Array, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  return new Promise((resolve, reject) =>
    scrypt(utf8(passphrase.normalize('NFC')), salt, 32, { N, r: SCRYPT_R, p: SCRYPT_P, maxmem: 256 * N * SCRYPT_R }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function aad(blob: Omit<ProtectedShare, 'nonce' | 'sealed'>): Uint8Array {
  const head = new Uint8Array(12);
  const view = new DataView(head.buffer);
  view.setUint32(0, blob.index);
  view.setUint32(4, blob.kdf.logN);
  view.setUint16(8, blob.kdf.r);
  view.setUint16(10, blob.kdf.p);
  return concatBytes(...[utf8(blob.scheme), head, utf8(blob.label), fromBase64url(blob.kdf.salt) as Uint8Array].map(lengthPrefixed));
}

/** Seals `share`; WEAK_PASSPHRASE when the passphrase has fewer than 12 characters. */
export async function encryptShare(share: TrusteeShare, passphrase: string, opts: { label?: string; logN?: number } = {}): Promise<CryptoResult<ProtectedShare>> {
  if ([...passphrase.normalize('NFC')].length < MIN_PASSPHRASE_CHARS) return fail('WEAK_PASSPHRASE', `a share's passphrase needs at least ${MIN_PASSPHRASE_CHARS} characters`);
  const logN = opts.logN ?? DEFAULT_SCRYPT_LOG_N;
  if (!Number.isInteger(logN) || logN < MIN_SCRYPT_LOG_N || logN > MAX_SCRYPT_LOG_N) throw new RangeError(`scrypt logN must be ${MIN_SCRYPT_LOG_N}..${MAX_SCRYPT_LOG_N}`);
  const salt = new Uint8Array(randomBytes(SALT_BYTES));
  const header = { scheme: SHARE_PROTECTION_SCHEME, index: share.index, label: opts.label ?? '', kdf: { name: 'scrypt' as const, logN, r: SCRYPT_R, p: SCRYPT_P, salt: toBase64url(salt) } };
  const key = await deriveKey(passphrase, salt, logN);
  const nonce = new Uint8Array(randomBytes(GCM_NONCE_BYTES));
  const plaintext = utf8(JSON.stringify(encodeShare(share)));
  const { ciphertext, tag } = aes256GcmEncrypt(key, nonce, plaintext, aad(header));
  key.fill(0);
  plaintext.fill(0);
  return ok({ ...header, nonce: toBase64url(nonce), sealed: toBase64url(concatBytes(ciphertext, tag)) });
}

function malformed(what: string): CryptoResult<never> {
  return fail('MALFORMED_THRESHOLD_DATA', `protected share: ${what}`);
}

/** Opens a protected share: WRONG_PASSPHRASE when it does not open (a wrong passphrase or an altered file). */
export async function decryptShare(blob: unknown, passphrase: string): Promise<CryptoResult<TrusteeShare>> {
  if (typeof blob !== 'object' || blob === null) return malformed('not an object');
  const b = blob as Partial<Record<keyof ProtectedShare, unknown>>;
  const kdf = (typeof b.kdf === 'object' && b.kdf !== null ? b.kdf : {}) as Record<string, unknown>;
  if (b.scheme !== SHARE_PROTECTION_SCHEME) return malformed(`scheme is not ${SHARE_PROTECTION_SCHEME}`);
  if (typeof b.index !== 'number' || !Number.isInteger(b.index) || b.index < 1 || b.index > MAX_TRUSTEES) return malformed('index is not a trustee index');
  if (typeof b.label !== 'string') return malformed('label is not text');
  const logN = kdf.logN;
  if (kdf.name !== 'scrypt' || typeof logN !== 'number' || !Number.isInteger(logN) || logN < MIN_SCRYPT_LOG_N || logN > MAX_SCRYPT_LOG_N || kdf.r !== SCRYPT_R || kdf.p !== SCRYPT_P) {
    return malformed('kdf is not scrypt with accepted parameters');
  }
  const salt = typeof kdf.salt === 'string' ? fromBase64url(kdf.salt) : undefined;
  const nonce = typeof b.nonce === 'string' ? fromBase64url(b.nonce) : undefined;
  const sealed = typeof b.sealed === 'string' ? fromBase64url(b.sealed) : undefined;
  if (salt?.length !== SALT_BYTES || nonce?.length !== GCM_NONCE_BYTES || !sealed || sealed.length <= GCM_TAG_BYTES) return malformed('salt, nonce or sealed share has the wrong length');
  const header = { scheme: SHARE_PROTECTION_SCHEME, index: b.index, label: b.label, kdf: { name: 'scrypt' as const, logN, r: SCRYPT_R, p: SCRYPT_P, salt: kdf.salt as string } };
  const key = await deriveKey(passphrase, salt, logN);
  const opened = aes256GcmDecrypt(key, nonce, sealed.subarray(0, sealed.length - GCM_TAG_BYTES), sealed.subarray(sealed.length - GCM_TAG_BYTES), aad(header));
  key.fill(0);
  if (!opened.ok) return fail('WRONG_PASSPHRASE', 'the share does not open with this passphrase (or the file was altered)');
  let parsed: CryptoResult<TrusteeShare>;
  try {
    parsed = parseShare(JSON.parse(new TextDecoder().decode(opened.value)));
  } catch {
    parsed = malformed('sealed share is not JSON');
  } finally {
    opened.value.fill(0);
  }
  if (parsed.ok && parsed.value.index !== b.index) return malformed('sealed share names another index');
  return parsed;
}
