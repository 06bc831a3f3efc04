import { x25519 as nobleX25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/crypto/bytes.ts';
import {
  generateX25519KeyPair,
  x25519PrivateKeyFromRaw,
  x25519PublicKeyFromRaw,
  x25519RawPublicKey,
  x25519SharedSecret,
} from '../../src/crypto/x25519.ts';
import { loadVectors } from './load-vectors.ts';

interface X25519Vectors {
  scalarMult: { scalar: string; u: string; output: string }[];
  diffieHellman: { alicePrivate: string; alicePublic: string; bobPrivate: string; bobPublic: string; shared: string };
}
const v = loadVectors<X25519Vectors>('rfc7748-x25519.json');

function shared(privateHex: string, peerHex: string): string {
  const result = x25519SharedSecret(x25519PrivateKeyFromRaw(fromHex(privateHex)), fromHex(peerHex));
  if (!result.ok) throw new Error(result.error.code);
  return toHex(result.value);
}

describe('X25519 against RFC 7748', () => {
  v.scalarMult.forEach((c, i) => {
    it(`section 5.2 scalar multiplication vector ${i + 1} (OpenSSL and noble agree)`, () => {
      expect(shared(c.scalar, c.u)).toBe(c.output);
      expect(toHex(nobleX25519.scalarMult(fromHex(c.scalar), fromHex(c.u)))).toBe(c.output);
    });
  });

  it('section 6.1: public keys derived from the private keys', () => {
    const dh = v.diffieHellman;
    expect(toHex(x25519RawPublicKey(x25519PrivateKeyFromRaw(fromHex(dh.alicePrivate))))).toBe(dh.alicePublic);
    expect(toHex(x25519RawPublicKey(x25519PrivateKeyFromRaw(fromHex(dh.bobPrivate))))).toBe(dh.bobPublic);
    expect(toHex(nobleX25519.getPublicKey(fromHex(dh.alicePrivate)))).toBe(dh.alicePublic);
  });

  it('section 6.1: both sides compute the published shared secret', () => {
    const dh = v.diffieHellman;
    expect(shared(dh.alicePrivate, dh.bobPublic)).toBe(dh.shared);
    expect(shared(dh.bobPrivate, dh.alicePublic)).toBe(dh.shared);
  });
});

describe('X25519 key handling', () => {
  it('fresh key pairs agree with each other and with noble', () => {
    const a = generateX25519KeyPair();
    const b = generateX25519KeyPair();
    expect(a.publicKey).toHaveLength(32);
    const ab = x25519SharedSecret(a.privateKey, b.publicKey);
    const ba = x25519SharedSecret(b.privateKey, a.publicKey);
    expect(ab.ok && ba.ok).toBe(true);
    if (!ab.ok || !ba.ok) return;
    expect(toHex(ab.value)).toBe(toHex(ba.value));
    const aRaw = new Uint8Array(a.privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32));
    expect(toHex(nobleX25519.getSharedSecret(aRaw, b.publicKey))).toBe(toHex(ab.value));
  });

  it('refuses a small-order peer key (all-zero shared secret) as a value', () => {
    const a = generateX25519KeyPair();
    for (const bad of [new Uint8Array(32), Uint8Array.of(1, ...new Uint8Array(31))]) {
      const result = x25519SharedSecret(a.privateKey, bad);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('INVALID_PUBLIC_KEY');
    }
  });

  it('refuses a public key of the wrong length as a value', () => {
    const result = x25519PublicKeyFromRaw(new Uint8Array(31));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('INVALID_LENGTH');
    const shared = x25519SharedSecret(generateX25519KeyPair().privateKey, new Uint8Array(33));
    expect(shared.ok).toBe(false);
  });
});
