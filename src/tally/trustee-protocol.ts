/** Messages between a trustee's partial-decryption pool (main thread) and its workers. */
import type { PartialDecryption, ThresholdParams } from '../crypto/threshold-rsa.ts';

export type TrusteeWorkerRequest =
  /** s as big-endian bytes, transferred: the worker zeroes them once read. */
  | { type: 'share'; params: ThresholdParams; index: number; s: Uint8Array }
  | { type: 'batch'; id: number; ciphertexts: bigint[] }
  | { type: 'forget' };

export type TrusteeWorkerReply = { id: number; partials: PartialDecryption[] } | { id: number; error: string };
