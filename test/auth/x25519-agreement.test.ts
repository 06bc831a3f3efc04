/** The server's half of the level-3 agreement, on a worker thread (src/auth/x25519-agreement.ts). */
import { diffieHellman, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { agreeWithFreshKey, createX25519Agreement, type Agreement } from '../../src/auth/x25519-agreement.ts';
import { x25519PublicKeyFromRaw } from '../../src/crypto/x25519.ts';

function clientKeyPair() {
  const pair = generateKeyPairSync('x25519');
  const raw = new Uint8Array(Buffer.from(pair.publicKey.export({ format: 'jwk' }).x as string, 'base64url'));
  return { privateKey: pair.privateKey, raw };
}

/** What the client derives from the server's public key: it must be the server's secret. */
function clientSecret(client: ReturnType<typeof clientKeyPair>, a: Agreement): Buffer {
  const server = x25519PublicKeyFromRaw(a.publicKey);
  if (!server.ok) throw new Error('the server public key does not import');
  return diffieHellman({ privateKey: client.privateKey, publicKey: server.value });
}

// RFC 7748 §6.1's small-order point: the all-zero u-coordinate gives an all-zero secret.
const SMALL_ORDER = new Uint8Array(32);

describe('X25519 agreement on a worker thread', () => {
  it('agrees with each client key on a fresh server key, batched or not, and refuses a small-order key', async () => {
    const agreement = createX25519Agreement();
    try {
      const clients = Array.from({ length: 200 }, clientKeyPair);
      // 200 requests in one event-loop turn (one message to the worker), then 20 one by one.
      const batched = await Promise.all(clients.map((c) => agreement.agree(c.raw)));
      const single = [];
      for (const c of clients.slice(0, 20)) single.push(await agreement.agree(c.raw));
      const results = [...batched, ...single];
      // The worker really ran them (an inline fallback would hide a worker that cannot start).
      expect(agreement.where()).toBe('worker');
      const serverKeys = new Set<string>();
      results.forEach((r, i) => {
        if (!r.ok) throw new Error(r.error.code);
        const client = clients[i % clients.length]!;
        expect(Buffer.from(r.value.secret).equals(clientSecret(client, r.value))).toBe(true);
        serverKeys.add(Buffer.from(r.value.publicKey).toString('hex'));
      });
      // A fresh server key pair for every login, even for the same client key.
      expect(serverKeys.size).toBe(220);
      const refused = await agreement.agree(SMALL_ORDER);
      expect(refused.ok ? 'OK' : refused.error.code).toBe('INVALID_PUBLIC_KEY');
    } finally {
      await agreement.close();
    }
  });

  it('starts its worker at the first agreement and ends it when idle, then starts another on demand', async () => {
    const agreement = createX25519Agreement({ idleMs: 100 });
    try {
      expect(agreement.running()).toBe(false);
      const client = clientKeyPair();
      const first = await agreement.agree(client.raw);
      expect(agreement.running()).toBe(true);
      await expect.poll(() => agreement.running(), { timeout: 10_000 }).toBe(false);
      // Ended on purpose, not failed: the next agreement runs on a fresh worker, not inline.
      expect(agreement.where()).toBe('worker');
      const second = await agreement.agree(client.raw);
      expect(agreement.running()).toBe(true);
      for (const r of [first, second]) {
        if (!r.ok) throw new Error(r.error.code);
        expect(Buffer.from(r.value.secret).equals(clientSecret(client, r.value))).toBe(true);
      }
    } finally {
      await agreement.close();
    }
    expect(agreement.running()).toBe(false);
  });

  it('agrees inline once its worker is gone (never waits, never fails)', async () => {
    const agreement = createX25519Agreement();
    await agreement.close();
    expect(agreement.where()).toBe('inline');
    const client = clientKeyPair();
    const r = await agreement.agree(client.raw);
    if (!r.ok) throw new Error(r.error.code);
    expect(Buffer.from(r.value.secret).equals(clientSecret(client, r.value))).toBe(true);
  });

  it('is the same work inline: agreeWithFreshKey', () => {
    const client = clientKeyPair();
    const r = agreeWithFreshKey(client.raw);
    if (!r.ok) throw new Error(r.error.code);
    expect(Buffer.from(r.value.secret).equals(clientSecret(client, r.value))).toBe(true);
  });
});
