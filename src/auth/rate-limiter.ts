/**
 * Login limits per connection and per source address, never per voter: a 48-byte code cannot be
 * guessed, so a per-voter count only let strangers lock voters out (docs/auth.md, "Rate limiting").
 * Only failures count; bounded checks in flight keep parallel guesses from outrunning the count.
 */
import type { Logger } from '../runtime/log.ts';
import type { AuthSettings } from './auth-settings.ts';
import type { SessionStore } from './session-store.ts';
import { loginSource } from './source-address.ts';

/** The gateway's per-connection context, structurally: where an attempt comes from. */
export interface AttemptOrigin {
  readonly id: string;
  readonly state: Map<string, unknown>;
  /** The peer address and the upgrade's X-Forwarded-For (src/gateway/ws-protocol.ts). */
  readonly remoteAddress?: string;
  readonly forwardedFor?: string;
}

export type LimitScope = 'connection' | 'source';

export type Admission =
  | { ok: true; /** Frees the slot; a failure is counted first. */ done(failed: boolean): Promise<void> }
  | { ok: false; retryAfterMs: number; scope: LimitScope };

export interface RateLimiter {
  /** Admits one secret-code check, or says how long to wait; `done` must follow an admission. */
  admit(origin: AttemptOrigin): Promise<Admission>;
  /** Counts a failure outside a check (levels 2 and 3 fail only after level 1 passed). */
  recordFailure(origin: AttemptOrigin): Promise<void>;
}

type Limits = Pick<
  AuthSettings,
  'connectionMaxFailures' | 'connectionWindowMs' | 'sourceMaxFailures' | 'sourceWindowMs' | 'sourceMaxInFlight' | 'sourceMaxQueued' | 'trustedProxies'
>;

// Retry hints for refusals about work in progress rather than failures: there is no window to wait out.
const BUSY_CONNECTION_MS = 100;
const BUSY_SOURCE_MS = 1_000;
const SWEEP_IDLE_SOURCES_AT = 10_000;
const CONNECTION_STATE_KEY = 'auth.limits';

interface ConnectionLimits {
  source: string;
  checking: boolean;
  failures: number;
  windowEndsAt: number;
}

interface SourceLimits {
  running: number;
  /** Attempts waiting for a slot; the one leaving hands its slot to the first. */
  waiting: (() => void)[];
  /** Learned from the shared counter when a failure of this process crossed the limit. */
  blockedUntil: number;
}

const sourceCounterKey = (source: string) => `rl:s:${source}`;

export function createRateLimiter(store: SessionStore, limits: Limits, opts: { log?: Logger; now?: () => number } = {}): RateLimiter {
  const now = opts.now ?? Date.now;
  const sources = new Map<string, SourceLimits>();
  let lastSweep = 0;

  const connectionOf = (origin: AttemptOrigin) => {
    let c = origin.state.get(CONNECTION_STATE_KEY) as ConnectionLimits | undefined;
    if (!c) {
      c = { source: loginSource(origin.remoteAddress, origin.forwardedFor, limits.trustedProxies), checking: false, failures: 0, windowEndsAt: 0 };
      origin.state.set(CONNECTION_STATE_KEY, c);
    }
    return c;
  };

  const isIdle = (s: SourceLimits) => s.running === 0 && s.waiting.length === 0 && s.blockedUntil <= now();
  const sourceOf = (source: string) => {
    let s = sources.get(source);
    if (!s) {
      // At most once a second: with many addresses blocked, sweeping on every new one would cost O(n) each.
      if (sources.size >= SWEEP_IDLE_SOURCES_AT && now() - lastSweep >= 1_000) {
        lastSweep = now();
        for (const [k, v] of sources) if (isIdle(v)) sources.delete(k);
      }
      s = { running: 0, waiting: [], blockedUntil: 0 };
      sources.set(source, s);
    }
    return s;
  };
  const leave = (source: string, s: SourceLimits) => {
    const next = s.waiting.shift();
    if (next) return next();
    s.running--;
    if (isIdle(s)) sources.delete(source);
  };

  const countFailure = async (c: ConnectionLimits) => {
    const t = now();
    if (t >= c.windowEndsAt) {
      c.failures = 0;
      c.windowEndsAt = t + limits.connectionWindowMs;
    }
    if (++c.failures === limits.connectionMaxFailures) opts.log?.info('authentication rate limited', { scope: 'connection' });
    // Shared by every process: a source cannot spread its failures over the gateways.
    const [counted] = await store.incrementAll([{ key: sourceCounterKey(c.source), windowMs: limits.sourceWindowMs }]);
    if (!counted || counted.count < limits.sourceMaxFailures) return;
    const s = sourceOf(c.source);
    if (s.blockedUntil <= t) opts.log?.warn('authentication rate limited', { scope: 'source', source: c.source, failures: counted.count });
    s.blockedUntil = now() + Math.max(counted.ttlMs, 1);
  };

  const refused = (retryAfterMs: number, scope: LimitScope): Admission => ({ ok: false, retryAfterMs: Math.max(Math.ceil(retryAfterMs), 1), scope });

  return {
    async admit(origin) {
      const c = connectionOf(origin);
      const t = now();
      // One login at a time per connection (its progress is per connection anyway).
      if (c.checking) return refused(BUSY_CONNECTION_MS, 'connection');
      if (t < c.windowEndsAt && c.failures >= limits.connectionMaxFailures) return refused(c.windowEndsAt - t, 'connection');
      const s = sourceOf(c.source);
      if (s.blockedUntil > t) return refused(s.blockedUntil - t, 'source');
      if (s.running < limits.sourceMaxInFlight) s.running++;
      else {
        if (s.waiting.length >= limits.sourceMaxQueued) return refused(BUSY_SOURCE_MS, 'source');
        c.checking = true;
        await new Promise<void>((resolve) => s.waiting.push(resolve));
        // The block may have been learned while this attempt waited.
        if (s.blockedUntil > now()) {
          c.checking = false;
          leave(c.source, s);
          return refused(s.blockedUntil - now(), 'source');
        }
      }
      c.checking = true;
      let finished = false;
      return {
        ok: true,
        async done(failed) {
          if (finished) return;
          finished = true;
          try {
            // The slot is held until the failure is counted, so checks in flight plus failures counted stay bounded.
            if (failed) await countFailure(c);
          } finally {
            c.checking = false;
            leave(c.source, s);
          }
        },
      };
    },

    recordFailure: (origin) => countFailure(connectionOf(origin)),
  };
}
