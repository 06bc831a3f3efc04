/** Randomness is passed in (tests can make issuance deterministic); production uses the OS CSPRNG. */
import { randomBytes } from 'node:crypto';

export type RandomBytes = (length: number) => Uint8Array;

export const secureRandom: RandomBytes = (length) => new Uint8Array(randomBytes(length));
