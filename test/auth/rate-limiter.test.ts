/**
 * The login limits on both session stores: only failures count, per connection and per source
 * address; parallel attempts cannot outrun the count; concurrent successes are never refused; two
 * limiters on one store (two gateway processes) share the source's count.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_SETTINGS, type AuthSettings } from '../../src/auth/auth-settings.ts';
import { createMemorySessionStore } from '../../src/auth/memory-session-store.ts';
import { createRateLimiter, type Admission, type AttemptOrigin } from '../../src/auth/rate-limiter.ts';
import { createRedisSessionStore } from '../../src/auth/redis-session-store.ts';
import type { SessionStore } from '../../src/auth/session-store.ts';
import { REDIS_URL } from '../support/system.ts';

const adapters: [string, (prefix: string) => SessionStore][] = [
  ['memory', () => createMemorySessionStore()],
  ['redis', (prefix) => createRedisSessionStore(REDIS_URL, { prefix })],
];

const freshAddress = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`;
/** A fresh connection, from a fresh address unless one is given. */
const origin = (remoteAddress = freshAddress()): AttemptOrigin => ({ id: randomBytes(6).toString('hex'), state: new Map(), remoteAddress });

function admitted(a: Admission): Extract<Admission, { ok: true }> {
  if (!a.ok) throw new Error(`refused (${a.scope}, ${a.retryAfterMs} ms)`);
  return a;
}
/** One check that takes `ms` and ends as `failed` says; the refusal's scope when refused. */
async function attempt(limiter: ReturnType<typeof createRateLimiter>, o: AttemptOrigin, failed: boolean, ms = 0): Promise<string> {
  const a = await limiter.admit(o);
  if (!a.ok) return `refused:${a.scope}`;
  await new Promise((r) => setTimeout(r, ms));
  await a.done(failed);
  return 'checked';
}

describe.each(adapters)('login rate limiter: %s sessions', (_name, make) => {
  let store: SessionStore;
  beforeAll(() => {
    store = make(`evote-test-rl-${randomBytes(6).toString('hex')}:`);
  });
  afterAll(async () => {
    await store.close();
  });
  const limiterWith = (limits: Partial<AuthSettings> = {}) => createRateLimiter(store, { ...DEFAULT_AUTH_SETTINGS, ...limits });

  it('concurrent successes from one address are all admitted, however many', async () => {
    const limiter = limiterWith({ sourceMaxFailures: 3, sourceMaxInFlight: 4 });
    const address = freshAddress();
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => attempt(limiter, origin(address), false, 2)));
    expect(outcomes.every((o) => o === 'checked')).toBe(true);
    // Nothing was counted: the next failures start from zero.
    expect(await attempt(limiter, origin(address), true)).toBe('checked');
  });

  it('a connection is refused after its failures, with the window left to wait; the address is not', async () => {
    const limiter = limiterWith({ connectionMaxFailures: 3, connectionWindowMs: 60_000 });
    const address = freshAddress();
    const conn = origin(address);
    for (let i = 0; i < 3; i++) expect(await attempt(limiter, conn, true)).toBe('checked');
    const refused = await limiter.admit(conn);
    expect(refused).toMatchObject({ ok: false, scope: 'connection' });
    expect(!refused.ok && refused.retryAfterMs).toBeGreaterThan(59_000);
    expect(await attempt(limiter, origin(address), false)).toBe('checked');
  });

  it('a connection runs one check at a time', async () => {
    const limiter = limiterWith();
    const conn = origin();
    const first = admitted(await limiter.admit(conn));
    expect(await limiter.admit(conn)).toMatchObject({ ok: false, scope: 'connection' });
    await first.done(false);
    admitted(await limiter.admit(conn));
  });

  it('level-2/3 failures count on the connection and the source', async () => {
    const limiter = limiterWith({ connectionMaxFailures: 2, sourceMaxFailures: 3 });
    const address = freshAddress();
    const conn = origin(address);
    await limiter.recordFailure(conn);
    await limiter.recordFailure(conn);
    expect(await attempt(limiter, conn, false)).toBe('refused:connection');
    await limiter.recordFailure(origin(address));
    expect(await attempt(limiter, origin(address), false)).toBe('refused:source');
  });

  it('beyond the in-flight slots an address waits in a bounded queue, then is refused', async () => {
    const limiter = limiterWith({ sourceMaxInFlight: 2, sourceMaxQueued: 1 });
    const address = freshAddress();
    const [a, b] = [admitted(await limiter.admit(origin(address))), admitted(await limiter.admit(origin(address)))];
    let waited = false;
    const queued = limiter.admit(origin(address)).then((r) => ((waited = true), r));
    const busy = await limiter.admit(origin(address));
    expect(busy).toMatchObject({ ok: false, scope: 'source', retryAfterMs: 1_000 });
    await new Promise((r) => setTimeout(r, 20));
    expect(waited).toBe(false);
    await a.done(false);
    await admitted(await queued).done(false);
    await b.done(false);
  });

  it('parallel failures from an address cannot outrun its limit: at most limit + slots are checked', async () => {
    const limiter = limiterWith({ sourceMaxFailures: 5, sourceMaxInFlight: 3, sourceWindowMs: 60_000 });
    const address = freshAddress();
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => attempt(limiter, origin(address), true, 1)));
    const checked = outcomes.filter((o) => o === 'checked').length;
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(checked).toBeLessThanOrEqual(5 + 3);
    expect(outcomes.filter((o) => o === 'refused:source')).toHaveLength(100 - checked);
    const refused = await limiter.admit(origin(address));
    expect(!refused.ok && refused.retryAfterMs).toBeGreaterThan(59_000);
    // Another address is not touched.
    expect(await attempt(limiter, origin(freshAddress()), false)).toBe('checked');
  });

  it('two processes share an address’s count: the second learns of the block at its first failure', async () => {
    const [one, two] = [limiterWith({ sourceMaxFailures: 4 }), limiterWith({ sourceMaxFailures: 4 })];
    const address = freshAddress();
    for (let i = 0; i < 4; i++) expect(await attempt(one, origin(address), true)).toBe('checked');
    expect(await attempt(one, origin(address), false)).toBe('refused:source');
    expect(await attempt(two, origin(address), true)).toBe('checked');
    expect(await attempt(two, origin(address), false)).toBe('refused:source');
  });
});
