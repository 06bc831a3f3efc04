/**
 * Redis session store: every gateway process shares the sessions, and Redis enforces the TTLs
 * (an entry is gone when its PX elapsed, whichever process asks). The atomic operations are
 * single commands (GETDEL) or Lua scripts, which Redis runs without interleaving. Auto-pipelining
 * batches the commands issued in one event-loop tick into one round trip.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../app/log.ts';
import { silentLogger } from '../app/log.ts';
import type { CounterState, SessionStore } from './session-store.ts';

// KEYS[1]; ARGV: expected, next, ttlMs ('' keeps the remaining TTL).
const COMPARE_AND_SWAP = `
local v = redis.call('GET', KEYS[1])
if v ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

// KEYS[1]; ARGV: windowMs. The window starts at the first increment and is never extended; a
// counter found without a TTL (cannot happen through this code) is given one rather than kept forever.
const INCREMENT = `
local c = redis.call('INCR', KEYS[1])
local t = redis.call('PTTL', KEYS[1])
if t < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); t = tonumber(ARGV[1]) end
return {c, t}`;

// KEYS[1]. DECR on an absent key would create it at -1 without a TTL: only existing counters move.
const DECREMENT = `
local v = redis.call('GET', KEYS[1])
if v and tonumber(v) > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

interface ScriptedRedis extends Redis {
  evoteCas(key: string, expected: string, next: string, ttlMs: string): Promise<number>;
  evoteIncr(key: string, windowMs: string): Promise<[number, number]>;
  evoteDecr(key: string): Promise<number>;
}

export interface RedisSessionStoreOptions {
  /** Prepended to every key, e.g. 'evote:auth:' (tests use a random prefix). */
  prefix?: string;
  log?: Logger;
}

export function createRedisSessionStore(redisUrl: string, opts: RedisSessionStoreOptions = {}): SessionStore {
  const prefix = opts.prefix ?? 'evote:auth:';
  const log = (opts.log ?? silentLogger).child({ component: 'redis-session-store' });
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, lazyConnect: false }) as ScriptedRedis;
  // ioredis retries connections itself; without a listener an 'error' event would be unhandled.
  redis.on('error', (err: Error) => log.warn('redis session store error', { error: err.message }));
  redis.defineCommand('evoteCas', { numberOfKeys: 1, lua: COMPARE_AND_SWAP });
  redis.defineCommand('evoteIncr', { numberOfKeys: 1, lua: INCREMENT });
  redis.defineCommand('evoteDecr', { numberOfKeys: 1, lua: DECREMENT });

  const k = (key: string) => prefix + key;
  const px = (ttlMs: number) => {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('a session TTL must be a positive number of milliseconds');
    return Math.ceil(ttlMs);
  };

  return {
    async set(key, value, ttlMs) {
      await redis.set(k(key), value, 'PX', px(ttlMs));
    },
    async get(key) {
      return (await redis.get(k(key))) ?? undefined;
    },
    async delete(...keys) {
      return keys.length === 0 ? 0 : redis.del(...keys.map(k));
    },
    async take(key) {
      return (await redis.getdel(k(key))) ?? undefined;
    },
    async compareAndSwap(key, expected, next, ttlMs) {
      return (await redis.evoteCas(k(key), expected, next, ttlMs === undefined ? '' : String(px(ttlMs)))) === 1;
    },
    async increment(key, windowMs): Promise<CounterState> {
      const [count, ttlMs] = await redis.evoteIncr(k(key), String(px(windowMs)));
      return { count, ttlMs };
    },
    async decrement(key) {
      await redis.evoteDecr(k(key));
    },
    async ping() {
      return (await redis.ping()) === 'PONG';
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
