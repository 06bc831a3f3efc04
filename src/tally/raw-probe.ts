/**
 * The tally's speed limit: the bare RSA private operation, through the same call and key object the
 * tally uses, for benchmarks.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { rsaPublicNumbers, rsaRawPrivate } from '../crypto/rsa.ts';

export function rawPrivateOps(privateKey: KeyObject, millis: number): { ops: number; wallMillis: number } {
  const { modulusBytes } = rsaPublicNumbers(privateKey);
  // A leading zero byte keeps every input below n (whose top byte is never zero).
  const inputs = Array.from({ length: 64 }, () => {
    const x = new Uint8Array(randomBytes(modulusBytes));
    x[0] = 0;
    return x;
  });
  let ops = 0;
  const t0 = performance.now();
  do {
    for (const x of inputs) rsaRawPrivate(privateKey, x);
    ops += inputs.length;
  } while (performance.now() - t0 < millis);
  return { ops, wallMillis: performance.now() - t0 };
}
