/**
 * The token service on the real Redis (and on the memory store, same suite): issuing, rotation,
 * reuse of a spent refresh token revoking the whole family, logout, and expiry with short TTLs
 * that really elapse.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemorySessionStore } from '../../src/auth/memory-session-store.ts';
import { createRedisSessionStore } from '../../src/auth/redis-session-store.ts';
import { hashForKey, type SessionStore } from '../../src/auth/session-store.ts';
import { createTokenService, type TokenPair } from '../../src/auth/token-service.ts';
import type { Result } from '../../src/domain/errors.ts';
import { REDIS_URL } from '../support/system.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const voter = { electionId: 'e1', voterId: 'v1', clientId: 'c1' };
const long = { accessTokenTtlMs: 60_000, refreshTokenTtlMs: 60_000, expiredTokenMemoryMs: 60_000 };

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}`);
  return r.value;
}
const code = (r: Result<unknown>) => (r.ok ? 'OK' : r.error.code);

const adapters: [string, (prefix: string) => SessionStore][] = [
  ['redis', (prefix) => createRedisSessionStore(REDIS_URL, { prefix })],
  ['memory', () => createMemorySessionStore()],
];

describe.each(adapters)('token service on %s', (name, make) => {
  const prefix = `evote-test-tokens-${randomBytes(6).toString('hex')}:`;
  const store = make(prefix);
  afterAll(() => store.close());

  it('issues opaque 32-byte tokens that resolve to the principal', async () => {
    const tokens = createTokenService({ store, settings: long, now: Date.now });
    const pair = await tokens.issue(voter);
    expect(pair.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.accessToken).not.toBe(pair.refreshToken);
    expect(pair.expiresIn).toBe(60);
    expect(value(await tokens.resolveAccess(pair.accessToken))).toEqual(voter);
    // The refresh token is not an access token, nor is garbage.
    expect(code(await tokens.resolveAccess(pair.refreshToken))).toBe('UNAUTHENTICATED');
    expect(code(await tokens.resolveAccess(undefined))).toBe('UNAUTHENTICATED');
    expect(code(await tokens.resolveAccess('x'.repeat(43)))).toBe('UNAUTHENTICATED');
  });

  it('rotates: the new pair works, the old refresh token is spent and the old access token superseded', async () => {
    const tokens = createTokenService({ store, settings: long, now: Date.now });
    const first = await tokens.issue(voter);
    const second = value(await tokens.refresh(first.refreshToken));
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(value(await tokens.resolveAccess(second.accessToken))).toEqual(voter);
    expect(code(await tokens.resolveAccess(first.accessToken))).toBe('UNAUTHENTICATED');
    const third = value(await tokens.refresh(second.refreshToken));
    expect(value(await tokens.resolveAccess(third.accessToken))).toEqual(voter);
  });

  it('reuse of a spent refresh token revokes the whole family, newer tokens included', async () => {
    const tokens = createTokenService({ store, settings: long, now: Date.now });
    const first = await tokens.issue(voter);
    const second = value(await tokens.refresh(first.refreshToken));
    const third = value(await tokens.refresh(second.refreshToken));
    const other = await tokens.issue({ ...voter, voterId: 'v2' });

    expect(code(await tokens.refresh(first.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
    expect(code(await tokens.resolveAccess(third.accessToken))).toBe('UNAUTHENTICATED');
    expect(code(await tokens.refresh(third.refreshToken))).toBe('INVALID_REFRESH_TOKEN');
    // Presenting it again still says reuse; another voter's login is untouched.
    expect(code(await tokens.refresh(first.refreshToken))).toBe('REFRESH_TOKEN_REUSED');
    expect(value(await tokens.resolveAccess(other.accessToken)).voterId).toBe('v2');
  });

  it('of two concurrent refreshes with one token, at most one gets a pair and the family ends revoked', async () => {
    const tokens = createTokenService({ store, settings: long, now: Date.now });
    const first = await tokens.issue(voter);
    const results = await Promise.all([tokens.refresh(first.refreshToken), tokens.refresh(first.refreshToken)]);
    const codes = results.map(code).sort();
    expect(codes.filter((c) => c === 'OK').length).toBeLessThanOrEqual(1);
    expect(codes).toContain('REFRESH_TOKEN_REUSED');
    for (const r of results) if (r.ok) expect(code(await tokens.resolveAccess(r.value.accessToken))).toBe('UNAUTHENTICATED');
  });

  it('logout revokes the family by access token, or by refresh token alone', async () => {
    const tokens = createTokenService({ store, settings: long, now: Date.now });
    const a = await tokens.issue(voter);
    expect(value(await tokens.logout({ accessToken: a.accessToken }))).toEqual({ loggedOut: true });
    expect(code(await tokens.resolveAccess(a.accessToken))).toBe('UNAUTHENTICATED');
    expect(code(await tokens.refresh(a.refreshToken))).toBe('INVALID_REFRESH_TOKEN');

    const b = await tokens.issue(voter);
    value(await tokens.logout({ refreshToken: b.refreshToken }));
    expect(code(await tokens.resolveAccess(b.accessToken))).toBe('UNAUTHENTICATED');
    expect(code(await tokens.logout({ accessToken: 'y'.repeat(43) }))).toBe('UNAUTHENTICATED');
  });

  it('an access token expires (TOKEN_EXPIRED), then is forgotten (UNAUTHENTICATED) when the store drops it', async () => {
    const tokens = createTokenService({
      store,
      // Lifetimes of a second or more: on a loaded machine one store round trip can take over 100 ms.
      settings: { accessTokenTtlMs: 1_000, refreshTokenTtlMs: 60_000, expiredTokenMemoryMs: 1_500 },
      now: Date.now,
    });
    const pair = await tokens.issue(voter);
    expect(value(await tokens.resolveAccess(pair.accessToken))).toEqual(voter);
    await sleep(1_300);
    expect(code(await tokens.resolveAccess(pair.accessToken))).toBe('TOKEN_EXPIRED');
    await sleep(1_700);
    expect(code(await tokens.resolveAccess(pair.accessToken))).toBe('UNAUTHENTICATED');
    // The refresh token outlives it and yields a working pair.
    const next = value(await tokens.refresh(pair.refreshToken));
    expect(value(await tokens.resolveAccess(next.accessToken))).toEqual(voter);
  });

  it('a refresh token expires with its TTL', async () => {
    const tokens = createTokenService({ store, settings: { accessTokenTtlMs: 100, refreshTokenTtlMs: 150, expiredTokenMemoryMs: 10 }, now: Date.now });
    const pair = await tokens.issue(voter);
    await sleep(300);
    expect(code(await tokens.refresh(pair.refreshToken))).toBe('INVALID_REFRESH_TOKEN');
  });

  if (name === 'redis') {
    it('Redis holds only hashes of the tokens, with TTLs', async () => {
      const tokens = createTokenService({ store, settings: long, now: Date.now });
      const pair: TokenPair = await tokens.issue(voter);
      const redis = new Redis(REDIS_URL);
      try {
        const keys = await redis.keys(`${prefix}*`);
        const dump = (await Promise.all(keys.map((k) => redis.get(k)))).join('\n') + keys.join('\n');
        expect(dump).not.toContain(pair.accessToken);
        expect(dump).not.toContain(pair.refreshToken);
        expect(keys).toContain(`${prefix}at:${hashForKey(pair.accessToken)}`);
        // -1 would be a key without TTL (kept forever); -2 is a short-lived key of an earlier test that just expired.
        for (const k of keys) expect(await redis.pttl(k)).not.toBe(-1);
      } finally {
        await redis.quit();
      }
    });
  }
});
