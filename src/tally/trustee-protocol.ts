/** Messages between a trustee's partial-decryption pool (main thread) and its workers. */
import type { ThresholdParams } from '../crypto/threshold-rsa.ts';
import type { BatchPartials } from '../crypto/threshold-rsa-batch.ts';

export type TrusteeWorkerRequest =
  /** s as big-endian bytes, transferred: the worker zeroes them once read. */
  | { type: 'share'; params: ThresholdParams; index: number; s: Uint8Array }
  | { type: 'batch'; id: number; ciphertexts: bigint[] }
  | { type: 'forget' };

/** One batch's partials with their one proof (partialDecryptBatch). */
export type TrusteeWorkerReply = { id: number; batch: BatchPartials } | { id: number; error: string };
