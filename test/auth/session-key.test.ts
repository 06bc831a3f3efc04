/**
 * Level 3's derivation against an independent computation: @noble/curves' X25519 (not OpenSSL)
 * for the key agreement, node's hkdfSync and createHmac directly, and the info string assembled
 * by hand from its definition in the issue.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { clientProof, deriveSessionKey, sessionInfo, sessionProof } from '../../src/auth/session-key.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { generateX25519KeyPair, x25519PrivateKeyFromRaw, x25519SharedSecret } from '../../src/crypto/x25519.ts';

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function independentInfo(voterId: string, clientId: string): Buffer {
  const v = Buffer.from(voterId, 'utf8');
  const c = Buffer.from(clientId, 'utf8');
  return Buffer.concat([Buffer.from('evote/session/v1', 'ascii'), u32be(v.length), v, u32be(c.length), c]);
}

describe('level 3 session key', () => {
  it('the info string is label ‖ u32be len ‖ voterId ‖ u32be len ‖ clientId (UTF-8 byte lengths)', () => {
    expect(Buffer.from(sessionInfo('vötér', 'app-1'))).toEqual(independentInfo('vötér', 'app-1'));
    expect(toHex(sessionInfo('ab', 'c'))).not.toBe(toHex(sessionInfo('a', 'bc')));
  });

  it('matches noble X25519 + node HKDF on both sides of the exchange', () => {
    for (let i = 0; i < 5; i++) {
      const clientSecret = new Uint8Array(randomBytes(32));
      const clientPublic = nobleX25519.getPublicKey(clientSecret);
      const server = generateX25519KeyPair();
      const nonce = new Uint8Array(randomBytes(32));
      const voterId = `voter-${i}-${randomBytes(4).toString('hex')}`;
      const clientId = `client-${i}`;

      // Server side, as src/auth/voter-login.ts computes it (OpenSSL).
      const serverSecret = x25519SharedSecret(server.privateKey, clientPublic);
      if (!serverSecret.ok) throw new Error('unexpected small-order key');
      const serverKey = deriveSessionKey(serverSecret.value, nonce, voterId, clientId);

      // Client side, computed independently.
      const ikm = nobleX25519.getSharedSecret(clientSecret, server.publicKey);
      const expected = Buffer.from(hkdfSync('sha256', ikm, nonce, independentInfo(voterId, clientId), 32));
      expect(Buffer.from(serverKey)).toEqual(expected);

      const expectedProof = createHmac('sha256', expected).update(voterId, 'utf8').digest();
      expect(Buffer.from(sessionProof(serverKey, voterId))).toEqual(expectedProof);
    }
  });

  it('src/crypto x25519 on the client side agrees too (what client-login.ts uses)', () => {
    const a = generateX25519KeyPair();
    const bRaw = new Uint8Array(randomBytes(32));
    const b = x25519PrivateKeyFromRaw(bRaw);
    const s1 = x25519SharedSecret(a.privateKey, nobleX25519.getPublicKey(bRaw));
    const s2 = x25519SharedSecret(b, a.publicKey);
    expect(s1.ok && s2.ok && toHex(s1.value) === toHex(s2.value)).toBe(true);
  });

  it('binds voter and client: another voter or client gives another key', () => {
    const secret = new Uint8Array(randomBytes(32));
    const nonce = new Uint8Array(randomBytes(32));
    const k = toHex(deriveSessionKey(secret, nonce, 'v1', 'c1'));
    expect(toHex(deriveSessionKey(secret, nonce, 'v2', 'c1'))).not.toBe(k);
    expect(toHex(deriveSessionKey(secret, nonce, 'v1', 'c2'))).not.toBe(k);
    expect(toHex(deriveSessionKey(secret, new Uint8Array(randomBytes(32)), 'v1', 'c1'))).not.toBe(k);
  });

  it("level 2's client proof is HMAC-SHA256(clientKey, voterId)", () => {
    const key = randomBytes(32);
    expect(Buffer.from(clientProof(new Uint8Array(key), 'v-1'))).toEqual(createHmac('sha256', key).update('v-1').digest());
  });
});
