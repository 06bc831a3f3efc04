/** Authentication settings: TTLs and rate limits (read from the environment by src/app/auth-config.ts). */
export interface AuthSettings {
  /** Level-3 session key lifetime (EVOTE_SESSION_KEY_TTL_MS, default 5 min). */
  sessionKeyTtlMs: number;
  /** Access token lifetime (EVOTE_ACCESS_TOKEN_TTL_MS, default 15 min). */
  accessTokenTtlMs: number;
  /** Refresh token lifetime, renewed by each rotation (EVOTE_REFRESH_TOKEN_TTL_MS, default 24 h). */
  refreshTokenTtlMs: number;
  /** How long an expired access token still reads as TOKEN_EXPIRED, not UNAUTHENTICATED (default 1 h). */
  expiredTokenMemoryMs: number;
  /** Failed attempts per connection within the window (EVOTE_AUTH_CONNECTION_MAX_FAILURES, default 10). */
  connectionMaxFailures: number;
  /** EVOTE_AUTH_CONNECTION_WINDOW_MS, default 15 min. */
  connectionWindowMs: number;
  /** Failed attempts per source address, every process together (EVOTE_AUTH_SOURCE_MAX_FAILURES, default 100). */
  sourceMaxFailures: number;
  /** EVOTE_AUTH_SOURCE_WINDOW_MS, default 5 min. */
  sourceWindowMs: number;
  /** Secret-code checks running at once per source address in one process (EVOTE_AUTH_SOURCE_MAX_IN_FLIGHT, default 64). */
  sourceMaxInFlight: number;
  /** Checks waiting for one of those slots, beyond which RATE_LIMITED (EVOTE_AUTH_SOURCE_MAX_QUEUED, default 1,000). */
  sourceMaxQueued: number;
  /** Proxies in front of the gateway whose X-Forwarded-For entry is believed (EVOTE_AUTH_TRUSTED_PROXIES, default 0). */
  trustedProxies: number;
  /** Prefix of every session-store key in Redis (EVOTE_AUTH_REDIS_PREFIX, default 'evote:auth:'). */
  redisPrefix: string;
  /** How long a client key read from the key store is cached in process (default 5 s; revocation evicts at once). */
  clientKeyCacheMs: number;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  sessionKeyTtlMs: 5 * 60_000,
  accessTokenTtlMs: 15 * 60_000,
  refreshTokenTtlMs: 24 * 3_600_000,
  expiredTokenMemoryMs: 3_600_000,
  connectionMaxFailures: 10,
  connectionWindowMs: 15 * 60_000,
  sourceMaxFailures: 100,
  sourceWindowMs: 5 * 60_000,
  sourceMaxInFlight: 64,
  sourceMaxQueued: 1_000,
  trustedProxies: 0,
  redisPrefix: 'evote:auth:',
  clientKeyCacheMs: 5_000,
};
