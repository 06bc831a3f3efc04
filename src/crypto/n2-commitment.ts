/**
 * What a ballot carries instead of N2, salted on the voter's device: the letter alone cannot find the counted ballot.
 */
import { createHash } from 'node:crypto';
import { toHex } from './bytes.ts';
import { n2CommitmentInput } from './n2-commitment-core.ts';

export { N2_COMMITMENT_TYPE, N2_SALT_BYTES, newN2Salt } from './n2-commitment-core.ts';

/** Lowercase hex SHA-256; `salt` is base64url of N2_SALT_BYTES bytes. */
export function n2Commitment(n2: string, salt: string): string {
  return toHex(createHash('sha256').update(n2CommitmentInput(n2, salt)).digest());
}

export { isN2Commitment } from './canonical.ts';
