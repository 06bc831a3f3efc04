/**
 * Per-source limits on WebSocket connections, checked at the upgrade: open connections at once, and
 * new ones per second (a token bucket holding one second's worth). docs/gateway.md, "Limits".
 */

export const DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 10_000;
export const DEFAULT_NEW_CONNECTIONS_PER_SECOND_PER_SOURCE = 1_000;
/** Retry-After for a source at its open-connection limit: one of its connections must close first. */
export const OPEN_LIMIT_RETRY_AFTER_SECONDS = 5;
/**
 * A cut costs the source this many seconds' worth of new connections (the bucket goes below zero), so
 * a flooder that reconnects at once is refused at the upgrade instead of earning a fresh budget.
 */
export const PENALTY_SECONDS = 10;
/** Sources with nothing open and a full bucket are forgotten at most this often. */
const SWEEP_EVERY_MS = 10_000;

export type SourceAdmission = { ok: true } | { ok: false; reason: 'open' | 'rate'; retryAfterSeconds: number };

export interface SourceConnectionLimiter {
  /** Takes one new-connection token for `source`, or says why not (nothing is taken then). */
  admit(source: string): SourceAdmission;
  /** A connection admitted for `source` is open. */
  opened(source: string): void;
  /** A connection counted by opened() closed. */
  closed(source: string): void;
  /** A connection of `source` was cut for flooding: its new connections wait PENALTY_SECONDS. */
  penalise(source: string): void;
  /** Sources remembered now (open connections, or tokens still refilling). */
  readonly trackedSources: number;
}

interface SourceState {
  open: number;
  tokens: number;
  /** When `tokens` was last refilled (ms, monotonic). */
  at: number;
}

export function createSourceConnectionLimiter(
  limits: { maxOpen: number; newPerSecond: number },
  now: () => number = () => performance.now(),
): SourceConnectionLimiter {
  const { maxOpen, newPerSecond } = limits;
  const sources = new Map<string, SourceState>();
  let lastSweep = now();

  const refill = (s: SourceState, t: number) => {
    s.tokens = Math.min(newPerSecond, s.tokens + ((t - s.at) * newPerSecond) / 1000);
    s.at = t;
  };

  const stateOf = (source: string, t: number): SourceState => {
    let s = sources.get(source);
    if (!s) {
      s = { open: 0, tokens: newPerSecond, at: t };
      sources.set(source, s);
    } else refill(s, t);
    return s;
  };

  // An entry is kept while its bucket refills, so closing and reconnecting cannot reset the rate.
  const sweep = (t: number) => {
    lastSweep = t;
    for (const [source, s] of sources) {
      refill(s, t);
      if (s.open === 0 && s.tokens >= newPerSecond) sources.delete(source);
    }
  };

  return {
    admit(source) {
      const t = now();
      if (t - lastSweep >= SWEEP_EVERY_MS) sweep(t);
      const s = stateOf(source, t);
      if (s.open >= maxOpen) return { ok: false, reason: 'open', retryAfterSeconds: OPEN_LIMIT_RETRY_AFTER_SECONDS };
      if (s.tokens < 1) return { ok: false, reason: 'rate', retryAfterSeconds: Math.max(1, Math.ceil((1 - s.tokens) / newPerSecond)) };
      s.tokens -= 1;
      return { ok: true };
    },
    opened(source) {
      stateOf(source, now()).open++;
    },
    closed(source) {
      const s = sources.get(source);
      if (s && s.open > 0) s.open--;
    },
    penalise(source) {
      const s = stateOf(source, now());
      s.tokens = Math.min(s.tokens, 0) - PENALTY_SECONDS * newPerSecond;
    },
    get trackedSources() {
      return sources.size;
    },
  };
}
