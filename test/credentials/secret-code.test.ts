import { createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueSecretCode, verifySecretCode, SECRET_CODE_LENGTH, STORED_SECRET_CODE_BYTES } from '../../src/credentials/secret-code.ts';
import { secureRandom } from '../../src/credentials/random.ts';

describe('secret code', () => {
  it('is the AES-256-GCM ciphertext‖tag of the stored message under the stored key and nonce', () => {
    const { secretCode, stored } = issueSecretCode();
    expect(secretCode).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(secretCode).toHaveLength(SECRET_CODE_LENGTH);
    expect(stored).toHaveLength(STORED_SECRET_CODE_BYTES);
    // Independent check with node:crypto directly: message ‖ key ‖ nonce.
    const code = Buffer.from(secretCode, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', stored.subarray(32, 64), stored.subarray(64, 76));
    decipher.setAuthTag(code.subarray(32));
    const message = Buffer.concat([decipher.update(code.subarray(0, 32)), decipher.final()]);
    expect(message.equals(Buffer.from(stored.subarray(0, 32)))).toBe(true);
  });

  it('uses the injected randomness (deterministic issuance for tests)', () => {
    let counter = 0;
    const fixed = (n: number) => new Uint8Array(n).map(() => counter++ & 0xff);
    const a = issueSecretCode(fixed);
    counter = 0;
    expect(issueSecretCode(fixed)).toEqual(a);
    expect(issueSecretCode(secureRandom).secretCode).not.toBe(a.secretCode);
  });

  it('the right code verifies; another voter’s code does not', () => {
    const alice = issueSecretCode();
    const bob = issueSecretCode();
    expect(verifySecretCode(alice.stored, alice.secretCode)).toBe(true);
    expect(verifySecretCode(bob.stored, bob.secretCode)).toBe(true);
    expect(verifySecretCode(alice.stored, bob.secretCode)).toBe(false);
    expect(verifySecretCode(bob.stored, alice.secretCode)).toBe(false);
  });

  it('every single flipped bit of the code is refused', () => {
    const { secretCode, stored } = issueSecretCode();
    const bytes = Buffer.from(secretCode, 'base64url');
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = Buffer.from(bytes);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(verifySecretCode(stored, flipped.toString('base64url'))).toBe(false);
    }
  });

  it('a tampered stored message is refused (the code is bound to the stored entry)', () => {
    const { secretCode, stored } = issueSecretCode();
    const tampered = new Uint8Array(stored);
    tampered[0]! ^= 1;
    expect(verifySecretCode(tampered, secretCode)).toBe(false);
  });

  it('garbage is false, never a throw', () => {
    const { secretCode, stored } = issueSecretCode();
    const garbage: unknown[] = ['', 'x', secretCode + 'A', secretCode.slice(1), secretCode.replace(/./, '!'), ' '.repeat(64), 'A'.repeat(64), null, undefined, 42, {}, [secretCode], Buffer.from(secretCode)];
    for (const g of garbage) expect(verifySecretCode(stored, g)).toBe(false);
    expect(verifySecretCode(new Uint8Array(0), secretCode)).toBe(false);
    expect(verifySecretCode(stored.subarray(0, 75), secretCode)).toBe(false);
    expect(verifySecretCode('not bytes' as unknown as Uint8Array, secretCode)).toBe(false);
  });
});
