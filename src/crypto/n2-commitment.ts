/**
 * What a ballot carries instead of N2, salted on the voter's device: the letter alone cannot find the counted ballot.
 */
import { createHash, randomBytes } from 'node:crypto';
import { canonicalJsonBytes } from './canonical.ts';
import { toBase64url, toHex } from './bytes.ts';

export const N2_COMMITMENT_TYPE = 'evote/n2-commitment/v1';
export const N2_SALT_BYTES = 16;

/** Lowercase hex SHA-256; `salt` is base64url of N2_SALT_BYTES bytes. */
export function n2Commitment(n2: string, salt: string): string {
  return toHex(createHash('sha256').update(canonicalJsonBytes({ type: N2_COMMITMENT_TYPE, n2, salt })).digest());
}

export function newN2Salt(): string {
  return toBase64url(new Uint8Array(randomBytes(N2_SALT_BYTES)));
}

export { isN2Commitment } from './canonical.ts';
