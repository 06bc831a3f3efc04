/** Admin token check: both sides hashed first, so neither content nor length leaks through timing. */
import { createHash, timingSafeEqual } from 'node:crypto';

export const MIN_ADMIN_TOKEN_LENGTH = 16;

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function createAdminTokenCheck(adminToken: string): (presented: string | undefined) => boolean {
  if (adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new Error(`the admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  const expected = sha256(adminToken);
  return (presented) => presented !== undefined && timingSafeEqual(sha256(presented), expected);
}
