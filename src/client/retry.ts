/**
 * Steps of a flow that survive a lost gateway: each attempt on a fresh connection (behind a load
 * balancer, likely another gateway), bounded, with exponential backoff and jitter (docs/gateway.md, "Clients").
 */
import { EvoteConnection, EvoteError, backoffDelay, type ConnectOptions, type ReconnectOptions } from './connection.ts';

/** The connection failed before or while the request travelled: resend only what is idempotent. */
export const DROPPED_CODES: ReadonlySet<string> = new Set(['CONNECTION_CLOSED', 'TIMEOUT', 'UNREACHABLE', 'SHUTTING_DOWN']);

/** Attempts of one step and the delays between them (`retries` counts attempts after the first). */
export type StepRetryOptions = ReconnectOptions;

export const DEFAULT_STEP_RETRY: Required<StepRetryOptions> = { retries: 6, initialDelayMs: 200, maxDelayMs: 5_000 };

export const isDropped = (err: unknown): err is EvoteError => err instanceof EvoteError && DROPPED_CODES.has(err.code);

/**
 * Runs `step` on a new connection (closed afterwards) until it succeeds, or `retryable(err)` (default: a dropped
 * connection) says no, or the attempts are spent. `step` gets the attempt number from 1. The connection itself retries
 * SERVICE_UNAVAILABLE, TOO_MANY_IN_FLIGHT and TOO_MANY_REQUESTS (RETRYABLE_CODES).
 */
export async function onFreshConnections<T>(
  url: string,
  connect: ConnectOptions | undefined,
  policy: Required<StepRetryOptions>,
  step: (conn: EvoteConnection, attempt: number) => Promise<T>,
  opts: { retryable?: (err: unknown) => boolean; onRetry?: (attempt: number, err: unknown) => void } = {},
): Promise<T> {
  const retryable = opts.retryable ?? isDropped;
  for (let attempt = 1; ; attempt++) {
    let conn: EvoteConnection | undefined;
    try {
      conn = await EvoteConnection.connect(url, { retry: true, ...connect });
      return await step(conn, attempt);
    } catch (err) {
      if (attempt > policy.retries || !retryable(err)) throw err;
      opts.onRetry?.(attempt + 1, err);
    } finally {
      await conn?.close().catch(() => undefined);
    }
    await new Promise((res) => setTimeout(res, backoffDelay(attempt, policy)));
  }
}
