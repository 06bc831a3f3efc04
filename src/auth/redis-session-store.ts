/**
 * Redis session store shared by every gateway process; Redis enforces the TTLs. The multi-key
 * scripts assume one Redis, not a cluster (their keys are in different hash slots).
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../runtime/log.ts';
import { silentLogger } from '../runtime/log.ts';
import { createFailFastRedis } from '../runtime/redis-connection.ts';
import type { SessionEntry, SessionStore } from './session-store.ts';

// KEYS[1]; ARGV: expected, next, ttlMs ('' keeps the remaining TTL).
const COMPARE_AND_SWAP = `
local v = redis.call('GET', KEYS[1])
if v ~= ARGV[1] then return 0 end
if ARGV[3] == '' then redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

// KEYS: the counters; ARGV: their windows (ms). Returns {count1, ttl1, ...}. A window starts at the
// first increment and is never extended; a counter without a TTL is given one rather than kept forever.
const INCREMENT_ALL = `
local out = {}
for i, key in ipairs(KEYS) do
  local c = redis.call('INCR', key)
  local t = redis.call('PTTL', key)
  if t < 0 then redis.call('PEXPIRE', key, ARGV[i]); t = tonumber(ARGV[i]) end
  out[2 * i - 1] = c
  out[2 * i] = t
end
return out`;

// KEYS: the entries; ARGV: value1, ttl1, value2, ttl2, ... (ms).
const SET_ALL = `
for i, key in ipairs(KEYS) do
  redis.call('SET', key, ARGV[2 * i - 1], 'PX', ARGV[2 * i])
end
return 0`;

// KEYS[1]: the key to take; KEYS[2..]: the entries; ARGV: value1, ttl1, value2, ttl2, ... (ms).
const TAKE_THEN_SET_ALL = `
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], ARGV[2 * i - 3], 'PX', ARGV[2 * i - 2])
end
return 1`;

interface ScriptedRedis extends Redis {
  evoteCas(key: string, expected: string, next: string, ttlMs: string): Promise<number>;
  evoteIncrAll(numberOfKeys: number, ...keysThenWindows: string[]): Promise<number[]>;
  evoteSetAll(numberOfKeys: number, ...keysThenValuesAndTtls: string[]): Promise<number>;
  evoteTakeThenSetAll(numberOfKeys: number, ...keysThenValuesAndTtls: string[]): Promise<number>;
}

export interface RedisSessionStoreOptions {
  /** Prepended to every key, e.g. 'evote:auth:' (tests use a random prefix). */
  prefix?: string;
  log?: Logger;
}

export function createRedisSessionStore(redisUrl: string, opts: RedisSessionStoreOptions = {}): SessionStore {
  const prefix = opts.prefix ?? 'evote:auth:';
  const log = (opts.log ?? silentLogger).child({ component: 'redis-session-store' });
  // While Redis is down every call rejects at once with ServiceUnavailableError('sessions').
  const connection = createFailFastRedis(redisUrl, 'sessions', log, { enableAutoPipelining: true });
  const redis = connection.redis as ScriptedRedis;
  const run = <T>(command: (r: ScriptedRedis) => Promise<T>) => connection.run(() => command(redis));
  redis.defineCommand('evoteCas', { numberOfKeys: 1, lua: COMPARE_AND_SWAP });
  redis.defineCommand('evoteIncrAll', { lua: INCREMENT_ALL });
  redis.defineCommand('evoteSetAll', { lua: SET_ALL });
  redis.defineCommand('evoteTakeThenSetAll', { lua: TAKE_THEN_SET_ALL });

  const k = (key: string) => prefix + key;
  const px = (ttlMs: number) => {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('a session TTL must be a positive number of milliseconds');
    return Math.ceil(ttlMs);
  };

  const entryKeys = (entries: readonly SessionEntry[]) => entries.map((e) => k(e.key));
  const entryArgs = (entries: readonly SessionEntry[]) => entries.flatMap((e) => [e.value, String(px(e.ttlMs))]);

  return {
    async set(key, value, ttlMs) {
      const ms = px(ttlMs);
      await run((r) => r.set(k(key), value, 'PX', ms));
    },
    async get(key) {
      return (await run((r) => r.get(k(key)))) ?? undefined;
    },
    async delete(...keys) {
      return keys.length === 0 ? 0 : run((r) => r.del(...keys.map(k)));
    },
    async take(key) {
      return (await run((r) => r.getdel(k(key)))) ?? undefined;
    },
    async compareAndSwap(key, expected, next, ttlMs) {
      const ms = ttlMs === undefined ? '' : String(px(ttlMs));
      return (await run((r) => r.evoteCas(k(key), expected, next, ms))) === 1;
    },
    async setAll(entries) {
      if (entries.length === 0) return;
      const args = [...entryKeys(entries), ...entryArgs(entries)];
      await run((r) => r.evoteSetAll(entries.length, ...args));
    },
    async takeThenSetAll(key, entries) {
      const args = [k(key), ...entryKeys(entries), ...entryArgs(entries)];
      return (await run((r) => r.evoteTakeThenSetAll(entries.length + 1, ...args))) === 1;
    },
    async incrementAll(counters) {
      if (counters.length === 0) return [];
      const args = [...counters.map((c) => k(c.key)), ...counters.map((c) => String(px(c.windowMs)))];
      const flat = await run((r) => r.evoteIncrAll(counters.length, ...args));
      return counters.map((_, i) => ({ count: flat[2 * i]!, ttlMs: flat[2 * i + 1]! }));
    },
    async ping() {
      return (await run((r) => r.ping()).catch(() => undefined)) === 'PONG';
    },
    close: () => connection.close(),
  };
}
