/**
 * EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384 and MGF1-SHA-384, written once for a synchronous
 * hash (node:crypto, the server and the CLI) and an asynchronous one (WebCrypto, the booth): the
 * steps yield each input to hash and are resumed with its digest; runHashSteps and
 * runHashStepsAsync drive them. Blinding acts on the encoded message, which no platform exposes.
 */
import { concatBytes } from './bytes.ts';

export const SHA384_BYTES = 48;

/** A computation that yields each byte string to hash and is resumed with its SHA-384 digest. */
export type HashSteps<T> = Generator<Uint8Array, T, Uint8Array>;

export function runHashSteps<T>(steps: HashSteps<T>, hash: (data: Uint8Array) => Uint8Array): T {
  let next = steps.next();
  while (!next.done) next = steps.next(hash(next.value));
  return next.value;
}

export async function runHashStepsAsync<T>(steps: HashSteps<T>, hash: (data: Uint8Array) => Promise<Uint8Array>): Promise<T> {
  let next = steps.next();
  while (!next.done) next = steps.next(await hash(next.value));
  return next.value;
}

export function* mgf1Sha384Steps(seed: Uint8Array, maskLength: number): HashSteps<Uint8Array> {
  const out = new Uint8Array(Math.ceil(maskLength / SHA384_BYTES) * SHA384_BYTES);
  const counter = new Uint8Array(4);
  for (let i = 0; i * SHA384_BYTES < maskLength; i++) {
    new DataView(counter.buffer).setUint32(0, i);
    out.set(yield concatBytes(seed, counter), i * SHA384_BYTES);
  }
  return out.subarray(0, maskLength);
}

/** EM for emBits = modBits - 1; undefined for the RFC's "encoding error" (impossible from 1024-bit keys). */
export function* emsaPssEncodeSha384Steps(message: Uint8Array, emBits: number, salt: Uint8Array): HashSteps<Uint8Array | undefined> {
  const emLen = Math.ceil(emBits / 8);
  if (emLen < SHA384_BYTES + salt.length + 2) return undefined;
  const mHash = yield message;
  const h = yield concatBytes(new Uint8Array(8), mHash, salt);
  const db = concatBytes(new Uint8Array(emLen - salt.length - SHA384_BYTES - 2), Uint8Array.of(0x01), salt);
  const mask = yield* mgf1Sha384Steps(h, emLen - SHA384_BYTES - 1);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >> (8 * emLen - emBits));
  return concatBytes(db, h, Uint8Array.of(0xbc));
}
