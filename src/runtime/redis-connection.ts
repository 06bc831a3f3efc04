/**
 * One ioredis connection that fails fast: while Redis is down a command is refused at once with
 * ServiceUnavailableError instead of queueing, and the connection keeps reconnecting in the
 * background (docs/resilience.md).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from './log.ts';
import { ServiceUnavailableError, type ServiceName } from './service-unavailable.ts';

/** What a client is told to wait before retrying a request refused because Redis is down. */
export const REDIS_RETRY_AFTER_MS = 1_000;
const COMMAND_TIMEOUT_MS = 1_000;
const RECONNECT_MAX_MS = 1_000;
// Start-up only, possibly on a loaded machine; after the first connection "not ready" means down.
const FIRST_CONNECT_WAIT_MS = 10_000;
const QUIT_TIMEOUT_MS = 500;

export const failFastRedisOptions: RedisOptions = {
  lazyConnect: false,
  enableOfflineQueue: false,
  // Commands on a connection that dies are failed at once, not resent after the reconnect.
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  // A Redis that is up but does not answer (hung, partitioned) fails the command too.
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: COMMAND_TIMEOUT_MS,
  retryStrategy: (attempt) => Math.min(100 * attempt, RECONNECT_MAX_MS),
};

// Replies Redis gives while it cannot serve (loading, busy script, failover), unlike a script's own error.
const UNAVAILABLE_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)\b/;
const CONNECTION_FAILURE = /Stream isn't writeable|Connection is closed|Command timed out|Command aborted/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** True for errors that mean "Redis did not serve this" rather than "this command is wrong". */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return UNAVAILABLE_REPLY.test(err.message);
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'AbortError') return true;
  const code = (err as { code?: unknown }).code;
  return (typeof code === 'string' && SOCKET_CODES.has(code)) || CONNECTION_FAILURE.test(err.message);
}

export interface FailFastRedis {
  redis: Redis;
  /** Connection failures become ServiceUnavailableError(service). */
  run<T>(command: (redis: Redis) => Promise<T>): Promise<T>;
  /** QUIT, bounded; then the socket is closed and reconnection stops. Never throws. */
  close(): Promise<void>;
}

export function createFailFastRedis(url: string, service: ServiceName, log: Logger, extra: RedisOptions = {}): FailFastRedis {
  const redis = new Redis(url, { ...failFastRedisOptions, ...extra });
  let everReady = false;
  let down = false;
  let closing = false;
  redis.on('ready', () => {
    if (down) log.info('redis connection restored', { service });
    everReady = true;
    down = false;
  });
  // Without an 'error' listener a refused reconnection would be an unhandled event; one line per outage.
  const lost = (error: string) => {
    if (down || closing) return;
    down = true;
    log.warn('redis connection lost; requests that need it are refused until it is back', { service, error });
  };
  redis.on('error', (err: Error) => lost(err.message));
  redis.on('close', () => {
    if (everReady) lost('connection closed');
  });

  const unavailable = (cause?: unknown) => new ServiceUnavailableError(service, REDIS_RETRY_AFTER_MS, { cause });

  const firstConnection = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        reject(unavailable());
      }, FIRST_CONNECT_WAIT_MS);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', onReady);
    });

  const call = async <T>(command: (redis: Redis) => Promise<T>): Promise<T> => {
    try {
      return await command(redis);
    } catch (err) {
      throw isRedisUnavailable(err) ? unavailable(err) : err;
    }
  };

  return {
    redis,
    run(command) {
      if (redis.status === 'ready') return call(command);
      if (everReady || redis.status === 'end') return Promise.reject(unavailable());
      return firstConnection().then(() => call(command));
    },
    async close() {
      closing = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
      });
      await Promise.race([redis.quit().catch(() => {}), timeout]);
      clearTimeout(timer);
      redis.disconnect();
    },
  };
}
