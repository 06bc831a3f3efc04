import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeToken, hashToken, issueTokens, isToken, newToken } from '../../src/credentials/tokens.ts';

describe('N1 / N2 tokens', () => {
  it('are 128 random bits in 22 base64url characters, all distinct', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const { n1, n2 } = issueTokens();
      for (const t of [n1, n2]) {
        expect(t).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(decodeToken(t)).toHaveLength(16);
        seen.add(t);
      }
    }
    expect(seen.size).toBe(2_000);
  });

  it('hashToken is hex SHA-256 of the 16 decoded bytes (not of the text)', () => {
    const raw = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const token = raw.toString('base64url');
    expect(token).toBe('AAECAwQFBgcICQoLDA0ODw');
    expect(hashToken(token)).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(hashToken(token)).not.toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashToken(newToken())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('malformed tokens hash to undefined', () => {
    const t = newToken();
    for (const bad of ['', t.slice(1), t + 'A', t.replace(/^./, '+'), 'AAECAwQFBgcICQoLDA0ODx', 42, null]) {
      expect(isToken(bad)).toBe(false);
      expect(hashToken(bad)).toBeUndefined();
    }
  });
});
