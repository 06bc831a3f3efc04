/**
 * The text forms trustees send and the server stores (docs/trustees.md "The trustees decrypt"): a
 * partial's value as `index.x`, a batch's one proof as `c.z` (base64url fields joined by '.'), and
 * a batch's id, the SHA-256 of its ordered ballot hashes.
 */
import { createHash } from 'node:crypto';
import { encodePartialValue, encodeProof, parsePartialValue, parseProof, type LogEqualityProof, type PartialValue, type ThresholdParams } from '../crypto/threshold-rsa.ts';
import { fail, type CryptoResult } from '../crypto/errors.ts';

export function partialValueToText(params: ThresholdParams, partial: PartialValue): string {
  const e = encodePartialValue(params, partial);
  return `${e.index}.${e.x}`;
}

export function partialValueFromText(params: ThresholdParams, text: string, opts: { checkUnit: boolean } = { checkUnit: true }): CryptoResult<PartialValue> {
  const parts = text.split('.');
  if (parts.length !== 2 || !/^[1-9][0-9]{0,2}$/.test(parts[0] as string)) return fail('MALFORMED_THRESHOLD_DATA', 'partial text is not index.x');
  return parsePartialValue(params, { index: Number(parts[0]), x: parts[1] }, opts);
}

export function proofToText(proof: LogEqualityProof): string {
  const e = encodeProof(proof);
  return `${e.c}.${e.z}`;
}

export function proofFromText(params: ThresholdParams, text: string): CryptoResult<LogEqualityProof> {
  const parts = text.split('.');
  if (parts.length !== 2) return fail('MALFORMED_THRESHOLD_DATA', 'proof text is not c.z');
  return parseProof(params, { c: parts[0], z: parts[1] });
}

/** SHA-256 (hex) of the batch's ballot hashes in order, one per line: the same grouping is the same batch. */
export function batchIdOf(ballotHashes: readonly string[]): string {
  return createHash('sha256').update(ballotHashes.map((h) => `${h}\n`).join('')).digest('hex');
}
