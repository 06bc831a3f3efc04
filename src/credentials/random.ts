/** Randomness is passed in (tests make issuance deterministic); production draws from the pooled CSPRNG. */
import { pooledRandomBytes } from '../crypto/random-pool.ts';

export type RandomBytes = (length: number) => Uint8Array;

export const secureRandom: RandomBytes = (length) => {
  const bytes = pooledRandomBytes(length);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};
