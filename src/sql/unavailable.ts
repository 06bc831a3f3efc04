/** Which driver errors mean "PostgreSQL did not serve this" (down, refusing, restarting), as opposed to a bad statement. */
import { ServiceUnavailableError } from '../runtime/service-unavailable.ts';

/** What a client is told to wait before retrying a request refused because the database is down. */
export const DATABASE_RETRY_AFTER_MS = 1_000;
/** Bound on opening a connection (a server that does not answer); a busy pool's queue is not bounded by it. */
export const DATABASE_CONNECT_TIMEOUT_MS = 1_000;

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections.
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// pg's and pg-pool's own words for a connection that failed, timed out or went away.
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Cannot use a pool after calling end|is not currently accepting connections|the database system is (starting up|shutting down|in recovery mode)/;

export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || code.startsWith('08'))) return true;
  return DRIVER_MESSAGES.test(err.message);
}

/** The error to throw on: ServiceUnavailableError('database') for an outage, `err` itself otherwise. */
export function databaseError(err: unknown): unknown {
  return isDatabaseUnavailable(err) ? new ServiceUnavailableError('database', DATABASE_RETRY_AFTER_MS, { cause: err }) : err;
}
