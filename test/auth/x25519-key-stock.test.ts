/** The level-3 key pairs made ahead on a worker thread (src/auth/x25519-key-stock.ts). */
import { diffieHellman, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createX25519KeyStock } from '../../src/auth/x25519-key-stock.ts';
import { x25519PublicKeyFromRaw, x25519SharedSecret } from '../../src/crypto/x25519.ts';
import { until } from '../support/system.ts';

describe('X25519 key stock', () => {
  it('fills from its worker thread, and hands out distinct pairs whose halves match', async () => {
    const stock = createX25519KeyStock({ low: 50, batch: 100 });
    try {
      // The worker really runs (an inline fallback would hide a worker that cannot start).
      await until(() => stock.stocked() >= 100, 10_000, 'the first batch from the worker');
      const pairs = Array.from({ length: 300 }, () => stock.next());
      expect(new Set(pairs.map((p) => Buffer.from(p.publicKey).toString('hex'))).size).toBe(300);
      const peer = generateKeyPairSync('x25519');
      const peerRaw = new Uint8Array(Buffer.from(peer.publicKey.export({ format: 'jwk' }).x as string, 'base64url'));
      // Each private key belongs to its public key: both sides of an agreement get the same secret.
      for (const pair of [...pairs.slice(0, 20), ...pairs.slice(-20)]) {
        const ours = x25519SharedSecret(pair.privateKey, peerRaw);
        const theirPublic = x25519PublicKeyFromRaw(pair.publicKey);
        if (!ours.ok || !theirPublic.ok) throw new Error('unusable key pair');
        expect(Buffer.from(ours.value).equals(diffieHellman({ privateKey: peer.privateKey, publicKey: theirPublic.value }))).toBe(true);
      }
      // Drawing below `low` asked for a refill.
      await until(() => stock.stocked() >= 100, 10_000, 'a refill');
    } finally {
      await stock.close();
    }
  });

  it('makes pairs inline once closed (never waits, never fails)', async () => {
    const stock = createX25519KeyStock();
    await stock.close();
    expect(stock.stocked()).toBe(0);
    const a = stock.next();
    const b = stock.next();
    expect(Buffer.from(a.publicKey).equals(Buffer.from(b.publicKey))).toBe(false);
  });
});
