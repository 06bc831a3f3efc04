/**
 * EMSA-PSS-ENCODE (RFC 8017 §9.1.1), SHA-384: blinding acts on the encoded message, which OpenSSL does not expose.
 */
import { createHash } from 'node:crypto';
import { concatBytes } from './bytes.ts';

export const SHA384_BYTES = 48;

function sha384(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha384');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function mgf1Sha384(seed: Uint8Array, maskLength: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(maskLength / SHA384_BYTES) * SHA384_BYTES);
  const counter = new Uint8Array(4);
  for (let i = 0; i * SHA384_BYTES < maskLength; i++) {
    new DataView(counter.buffer).setUint32(0, i);
    out.set(sha384(seed, counter), i * SHA384_BYTES);
  }
  return out.subarray(0, maskLength);
}

/** EM for emBits = modBits - 1; undefined for the RFC's "encoding error" (impossible from 1024-bit keys). */
export function emsaPssEncodeSha384(message: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array | undefined {
  const emLen = Math.ceil(emBits / 8);
  if (emLen < SHA384_BYTES + salt.length + 2) return undefined;
  const mHash = sha384(message);
  const h = sha384(new Uint8Array(8), mHash, salt);
  const db = concatBytes(new Uint8Array(emLen - salt.length - SHA384_BYTES - 2), Uint8Array.of(0x01), salt);
  const mask = mgf1Sha384(h, emLen - SHA384_BYTES - 1);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  return concatBytes(db, h, Uint8Array.of(0xbc));
}
