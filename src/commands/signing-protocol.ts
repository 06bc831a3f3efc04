/** Messages between the signing pool (src/commands/signing-pool.ts) and its workers (signing-worker.ts). */
import type { CryptoErrorCode } from '../crypto/errors.ts';

/** An election's authority key, PKCS#8 DER, transferred once per worker; the worker zeroes it after import. */
export interface KeyMessage {
  type: 'key';
  electionId: string;
  pkcs8: Uint8Array;
}

/** The worker drops the election's key (the pool keeps a bounded number per worker). */
export interface ForgetMessage {
  type: 'forget';
  electionId: string;
}

/** `count` blinded messages of one election, each kLen bytes, end to end in one buffer. */
export interface SignBatch {
  type: 'sign';
  id: number;
  electionId: string;
  count: number;
  blinded: Uint8Array;
}

export type SigningRequest = KeyMessage | ForgetMessage | SignBatch;

/** A code for an item the worker could not sign: blindSign's, or KEY_UNUSABLE (no key, or it did not import). */
export type SigningFailureCode = CryptoErrorCode | 'KEY_UNUSABLE';

/** The batch's signatures end to end (kLen each, in order); `failures` lists [index, code] of unsigned items. */
export interface SignReply {
  id: number;
  signatures: Uint8Array;
  failures: [number, SigningFailureCode][];
}
