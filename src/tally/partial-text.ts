/**
 * A partial decryption as one text, `index.x.c.z` (encodePartial's base64url fields joined by '.'):
 * how trustees send it and the server stores it, two JSON items per ballot instead of six.
 */
import { encodePartial, parsePartial, type PartialDecryption, type ThresholdParams } from '../crypto/threshold-rsa.ts';
import { fail, type CryptoResult } from '../crypto/errors.ts';

export function partialToText(params: ThresholdParams, partial: PartialDecryption): string {
  const e = encodePartial(params, partial);
  return `${e.index}.${e.x}.${e.proof.c}.${e.proof.z}`;
}

export function partialFromText(params: ThresholdParams, text: string, opts: { checkUnit: boolean } = { checkUnit: true }): CryptoResult<PartialDecryption> {
  const parts = text.split('.');
  if (parts.length !== 4 || !/^[1-9][0-9]{0,2}$/.test(parts[0] as string)) return fail('MALFORMED_THRESHOLD_DATA', 'partial text is not index.x.c.z');
  const [index, x, c, z] = parts as [string, string, string, string];
  return parsePartial(params, { index: Number(index), x, proof: { c, z } }, opts);
}
