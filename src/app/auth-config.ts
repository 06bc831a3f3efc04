/**
 * Authentication settings from the environment, overridable through `config.auth` (tests shorten
 * TTLs that way).
 */
import { DEFAULT_AUTH_SETTINGS, type AuthSettings } from '../auth/auth-settings.ts';
import { intFromEnv, type Config } from './config.ts';

const DAY = 24 * 3_600_000;
const ENV: [keyof AuthSettings, string, number, number][] = [
  ['sessionKeyTtlMs', 'EVOTE_SESSION_KEY_TTL_MS', 1, DAY],
  ['accessTokenTtlMs', 'EVOTE_ACCESS_TOKEN_TTL_MS', 1, DAY],
  ['refreshTokenTtlMs', 'EVOTE_REFRESH_TOKEN_TTL_MS', 1, 90 * DAY],
  ['expiredTokenMemoryMs', 'EVOTE_EXPIRED_TOKEN_MEMORY_MS', 1, DAY],
  ['connectionMaxFailures', 'EVOTE_AUTH_CONNECTION_MAX_FAILURES', 1, 1_000_000],
  ['connectionWindowMs', 'EVOTE_AUTH_CONNECTION_WINDOW_MS', 1, DAY],
  ['sourceMaxFailures', 'EVOTE_AUTH_SOURCE_MAX_FAILURES', 1, 1_000_000],
  ['sourceWindowMs', 'EVOTE_AUTH_SOURCE_WINDOW_MS', 1, DAY],
  ['sourceMaxInFlight', 'EVOTE_AUTH_SOURCE_MAX_IN_FLIGHT', 1, 100_000],
  ['sourceMaxQueued', 'EVOTE_AUTH_SOURCE_MAX_QUEUED', 0, 1_000_000],
  ['trustedProxies', 'EVOTE_AUTH_TRUSTED_PROXIES', 0, 10],
];

export function authSettingsFrom(config: Config, env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const settings: AuthSettings = { ...DEFAULT_AUTH_SETTINGS };
  for (const [field, name, min, max] of ENV) {
    (settings[field] as number) = intFromEnv(env, name, settings[field] as number, min, max);
  }
  if (env.EVOTE_AUTH_REDIS_PREFIX) settings.redisPrefix = env.EVOTE_AUTH_REDIS_PREFIX;
  return { ...settings, ...config.auth };
}
