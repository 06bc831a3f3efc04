/**
 * Randomness is passed in (tests can make issuance deterministic); production uses the OS CSPRNG
 * through the pooled draw of src/crypto/random-pool.ts (five small draws per letter).
 */
import { pooledRandomBytes } from '../crypto/random-pool.ts';

export type RandomBytes = (length: number) => Uint8Array;

export const secureRandom: RandomBytes = (length) => {
  const bytes = pooledRandomBytes(length);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};
