/**
 * Running modes, chosen by the environment (README "Running modes"):
 * - embedded (no environment): events and read models in PGlite under EVOTE_DATA_DIR (./data),
 *   sessions and pub/sub in memory;
 * - DATABASE_URL (+ REDIS_URL): events and read models in PostgreSQL, pub/sub in Redis;
 * - EVENTSTORE_URL: events in EventStoreDB, read models in PostgreSQL (DATABASE_URL) or, without it,
 *   in embedded PGlite.
 */
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
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_ERROR' as const;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer in ${min}..${max}`);
  return n;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const adminToken = env.EVOTE_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('EVOTE_ADMIN_TOKEN must be at least 16 characters');
  }
  return {
    host: env.EVOTE_HOST || '127.0.0.1',
    port: intFromEnv(env, 'EVOTE_PORT', 8080, 0, 65535),
    dataDir: env.EVOTE_DATA_DIR || './data',
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    eventStoreUrl: env.EVENTSTORE_URL || undefined,
    adminToken,
    maxFrameBytes: intFromEnv(env, 'EVOTE_MAX_FRAME_BYTES', 32 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    masterKey: env.EVOTE_MASTER_KEY || undefined,
    smtpUrl: env.SMTP_URL || undefined,
  };
}

export function describeMode(config: Config): string {
  const events = config.eventStoreUrl ? 'EventStoreDB' : config.databaseUrl ? 'PostgreSQL' : `PGlite (${config.dataDir})`;
  const readModels = config.databaseUrl ? 'PostgreSQL' : `PGlite (${config.dataDir})`;
  const pubsub = config.redisUrl ? 'Redis' : 'in memory';
  return `events: ${events}; read models: ${readModels}; pub/sub: ${pubsub}`;
}
