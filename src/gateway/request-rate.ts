/**
 * The per-connection request rate: a token bucket holding one second's worth. A frame beyond it is
 * refused (TOO_MANY_REQUESTS); a client that keeps sending while refused digs the bucket below zero,
 * and one more second's worth of ignored refusals cuts the connection. docs/gateway.md, "Limits".
 */

export const DEFAULT_MAX_REQUESTS_PER_SECOND_PER_CONNECTION = 1_000;
/** WebSocket close code for a connection cut for its rate (RFC 6455 §7.4.1, policy violation). */
export const CLOSE_POLICY_VIOLATION = 1008;

export interface RequestBudget {
  tokens: number;
  /** When `tokens` was last refilled (ms, monotonic). */
  at: number;
}

export type RequestAdmission = 'ok' | 'refuse' | 'cut';

export const fullBudget = (perSecond: number, now: number): RequestBudget => ({ tokens: perSecond, at: now });

/** A frame costs one token and one more per whole 8 KiB, so large frames cannot multiply a flood's cost. */
export const frameCost = (bytes: number): number => 1 + (bytes >>> 13);

/** Takes a frame's tokens from `b` (refused frames take theirs too, so ignoring refusals leads to the cut). */
export function takeRequestToken(b: RequestBudget, perSecond: number, now: number, cost = 1): RequestAdmission {
  b.tokens = Math.min(perSecond, b.tokens + ((now - b.at) * perSecond) / 1000) - cost;
  b.at = now;
  if (b.tokens >= 0) return 'ok';
  return b.tokens < -perSecond ? 'cut' : 'refuse';
}

/** When the refused frame's retry would find a token. */
export const retryAfterMsOf = (b: RequestBudget, perSecond: number): number => Math.ceil(((1 - b.tokens) * 1000) / perSecond);
