/** Configuration from the environment; the running modes are README's "Running modes". */
import type { AuthSettings } from '../auth/auth-settings.ts';
import { DEFAULT_POOL_K } from '../commands/ballot-pool.ts';
import { DEFAULT_SIGNING_IDLE_MS, MAX_SIGNING_WORKERS } from '../commands/signing-pool.ts';
import { DEFAULT_MAX_FRAME_BYTES } from '../gateway/input-bounds.ts';
import { DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION } from '../gateway/ws-protocol.ts';
import { DEFAULT_MAX_REQUESTS_PER_SECOND_PER_CONNECTION } from '../gateway/request-rate.ts';
import { DEFAULT_MAX_CONNECTIONS_PER_SOURCE, DEFAULT_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE } from '../gateway/source-connection-limiter.ts';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  eventStoreUrl?: string;
  /** Undefined in embedded mode until bootstrap generates one (written to dataDir/admin-token). */
  adminToken?: string;
  maxFrameBytes: number;
  /** EVOTE_MASTER_KEY (base64 of 32 bytes): encrypts the key store. Generated into dataDir in embedded mode. */
  masterKey?: string;
  /** SMTP_URL: where credential letters are mailed. */
  smtpUrl?: string;
  /** Overrides of the authentication TTLs and rate limits (tests shorten them); defaults from the environment. */
  auth?: Partial<AuthSettings>;
  /** EVOTE_RSA_BITS: modulus of the election's RSA keys (authority, counter), 2048 (default) or 3072. */
  rsaBits?: 2048 | 3072;
  /** EVOTE_POOL_K: ballots (and signature records) the pool always holds per election; 0 turns mixing off. */
  poolK?: number;
  /** EVOTE_MAX_INFLIGHT_PER_CONNECTION: requests one WebSocket may have awaiting replies (docs/gateway.md, "Limits"). */
  maxInFlightPerConnection?: number;
  /** EVOTE_MAX_REQUESTS_PER_SECOND_PER_CONNECTION: frames one WebSocket may send per second (docs/gateway.md, "Limits"). */
  maxRequestsPerSecondPerConnection?: number;
  /** EVOTE_MAX_CONNECTIONS_PER_SOURCE: open WebSockets per source address. */
  maxConnectionsPerSource?: number;
  /** EVOTE_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE: new WebSockets per second per source address. */
  newConnectionsPerSecondPerSource?: number;
  /** EVOTE_SIGNING_WORKERS: blind-signing worker threads at most (default os.availableParallelism()). */
  signingWorkers?: number;
  /** EVOTE_SIGNING_IDLE_MS: a signing worker idle this long ends (default 10 s); the next signature starts one. */
  signingIdleMs?: number;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_ERROR' as const;
}

/** An integer setting from the environment: the fallback when unset or empty, else in [min, max] or a ConfigError. */
export function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer in ${min}..${max}`);
  return n;
}

/** @eventstore/db-client 6 reads only these schemes; anything else would fail deep in start-up. */
function eventStoreUrlFromEnv(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (!/^esdb(\+discover)?:\/\/[^/?]/.test(raw)) throw new ConfigError('EVENTSTORE_URL must be esdb://host:port[,host:port…][?…] or esdb+discover://host:port[?…] (infra/README.md)');
  return raw;
}

function rsaBitsFromEnv(raw: string | undefined): 2048 | 3072 {
  if (raw === undefined || raw === '' || raw === '2048') return 2048;
  if (raw === '3072') return 3072;
  throw new ConfigError('EVOTE_RSA_BITS must be 2048 or 3072');
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const adminToken = env.EVOTE_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('EVOTE_ADMIN_TOKEN must be at least 16 characters');
  }
  // An operator who still sets these expects mixing they configured: say it changed, never ignore it.
  for (const gone of ['EVOTE_MIX_K', 'EVOTE_MIX_MS']) {
    if (env[gone]) throw new ConfigError(`${gone} is gone: the ballot pool always mixes (EVOTE_POOL_K, default ${DEFAULT_POOL_K}; docs/protocol.md)`);
  }
  return {
    host: env.EVOTE_HOST || '127.0.0.1',
    port: intFromEnv(env, 'EVOTE_PORT', 8080, 0, 65535),
    dataDir: env.EVOTE_DATA_DIR || './data',
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    eventStoreUrl: eventStoreUrlFromEnv(env.EVENTSTORE_URL),
    adminToken,
    // The client's voter-import chunks need 64 KiB; every socket, anonymous ones included, gets this limit.
    maxFrameBytes: intFromEnv(env, 'EVOTE_MAX_FRAME_BYTES', DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_FRAME_BYTES, 4 * 1024 * 1024),
    masterKey: env.EVOTE_MASTER_KEY || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    rsaBits: rsaBitsFromEnv(env.EVOTE_RSA_BITS),
    poolK: intFromEnv(env, 'EVOTE_POOL_K', DEFAULT_POOL_K, 0, 100_000),
    maxInFlightPerConnection: intFromEnv(env, 'EVOTE_MAX_INFLIGHT_PER_CONNECTION', DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION, 1, 100_000),
    maxRequestsPerSecondPerConnection: intFromEnv(env, 'EVOTE_MAX_REQUESTS_PER_SECOND_PER_CONNECTION', DEFAULT_MAX_REQUESTS_PER_SECOND_PER_CONNECTION, 1, 10_000_000),
    maxConnectionsPerSource: intFromEnv(env, 'EVOTE_MAX_CONNECTIONS_PER_SOURCE', DEFAULT_MAX_CONNECTIONS_PER_SOURCE, 1, 10_000_000),
    newConnectionsPerSecondPerSource: intFromEnv(env, 'EVOTE_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE', DEFAULT_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE, 1, 10_000_000),
    signingWorkers: env.EVOTE_SIGNING_WORKERS ? intFromEnv(env, 'EVOTE_SIGNING_WORKERS', 1, 1, MAX_SIGNING_WORKERS) : undefined,
    signingIdleMs: intFromEnv(env, 'EVOTE_SIGNING_IDLE_MS', DEFAULT_SIGNING_IDLE_MS, 100, 3_600_000),
  };
}

export function describeMode(config: Config): string {
  const events = config.eventStoreUrl ? 'EventStoreDB' : config.databaseUrl ? 'PostgreSQL' : `PGlite (${config.dataDir})`;
  const readModels = config.databaseUrl ? 'PostgreSQL' : `PGlite (${config.dataDir})`;
  const pubsub = config.redisUrl ? 'Redis' : 'in memory';
  return `events: ${events}; read models: ${readModels}; pub/sub: ${pubsub}`;
}
