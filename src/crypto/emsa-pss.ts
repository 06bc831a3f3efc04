/**
 * EMSA-PSS-ENCODE with SHA-384 on node:crypto (the steps, shared with the booth, are in emsa-pss-core.ts).
 */
import { createHash } from 'node:crypto';
import { emsaPssEncodeSha384Steps, mgf1Sha384Steps, runHashSteps } from './emsa-pss-core.ts';

export { SHA384_BYTES } from './emsa-pss-core.ts';

export function sha384(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha384').update(data).digest());
}

export function mgf1Sha384(seed: Uint8Array, maskLength: number): Uint8Array {
  return runHashSteps(mgf1Sha384Steps(seed, maskLength), sha384);
}

/** EM for emBits = modBits - 1; undefined for the RFC's "encoding error" (impossible from 1024-bit keys). */
export function emsaPssEncodeSha384(message: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array | undefined {
  return runHashSteps(emsaPssEncodeSha384Steps(message, emBits, salt), sha384);
}
