/** The JWK-converting X25519 helpers agree with src/crypto/x25519.ts (DER) and with @noble/curves. */
import { randomBytes } from 'node:crypto';
import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { generateX25519KeyPairJwk, x25519RawPublicKeyJwk, x25519SharedSecretJwk } from '../../src/auth/x25519-jwk.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { x25519PrivateKeyFromRaw, x25519RawPublicKey, x25519SharedSecret } from '../../src/crypto/x25519.ts';

describe('X25519 through JWK', () => {
  it('gives the same raw public keys and shared secrets as the DER path and noble', () => {
    for (let i = 0; i < 20; i++) {
      const scalar = new Uint8Array(randomBytes(32));
      const priv = x25519PrivateKeyFromRaw(scalar);
      expect(toHex(x25519RawPublicKeyJwk(priv))).toBe(toHex(x25519RawPublicKey(priv)));
      expect(toHex(x25519RawPublicKeyJwk(priv))).toBe(toHex(nobleX25519.getPublicKey(scalar)));
      const other = generateX25519KeyPairJwk();
      const a = x25519SharedSecretJwk(priv, other.publicKey);
      const b = x25519SharedSecret(priv, other.publicKey);
      expect(a.ok && b.ok && toHex(a.value) === toHex(b.value)).toBe(true);
      if (a.ok) expect(toHex(a.value)).toBe(toHex(nobleX25519.getSharedSecret(scalar, other.publicKey)));
    }
  });

  it('refuses small-order points and wrong lengths, like the DER path', () => {
    const { privateKey } = generateX25519KeyPairJwk();
    const zero = new Uint8Array(32);
    const one = new Uint8Array(32);
    one[0] = 1;
    for (const bad of [zero, one]) {
      const r = x25519SharedSecretJwk(privateKey, bad);
      expect(r.ok ? 'OK' : r.error.code).toBe('INVALID_PUBLIC_KEY');
    }
    const short = x25519SharedSecretJwk(privateKey, new Uint8Array(31));
    expect(short.ok ? 'OK' : short.error.code).toBe('INVALID_LENGTH');
  });
});
