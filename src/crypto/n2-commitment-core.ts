/**
 * The N2 commitment's input and salt, with no Node built-in: n2-commitment.ts hashes it with
 * node:crypto (the tally, for every ballot), the booth with WebCrypto.
 */
import { randomBytes, toBase64url } from './bytes.ts';
import { canonicalJsonBytes } from './canonical.ts';

export const N2_COMMITMENT_TYPE = 'evote/n2-commitment/v1';
export const N2_SALT_BYTES = 16;

/** The bytes whose SHA-256 (lowercase hex) is the commitment: canonical JSON {type, n2, salt}. */
export function n2CommitmentInput(n2: string, salt: string): Uint8Array {
  return canonicalJsonBytes({ type: N2_COMMITMENT_TYPE, n2, salt });
}

/** A fresh salt, made on the voter's device: with N2 it finds the counted ballot, so it goes into the receipt only. */
export function newN2Salt(): string {
  return toBase64url(randomBytes(N2_SALT_BYTES));
}
