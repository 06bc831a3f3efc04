/**
 * Failed-attempt limits per voter (election + voter id) and per connection, as fixed-window
 * counters in the session store (INCR, PEXPIRE on the first one).
 *
 * An attempt is counted BEFORE the secret is checked (reserve) and handed back when it succeeds
 * (forgive). Counting only after a failure would let a client fire 1,000 guesses at once on one
 * or many connections, all passing the check before any failure is recorded; reserving first
 * bounds the guesses in flight to the limit. A refused attempt is answered without looking at the
 * secret at all, so a brute force gains nothing, not even a timing signal; the right code is
 * refused too until the window ends.
 */
import type { AuthSettings } from './auth-settings.ts';
import type { CounterState, SessionStore } from './session-store.ts';

export interface VoterRef {
  electionId: string;
  voterId: string;
}

export type Reservation = { ok: true; forgive(): Promise<void> } | { ok: false; retryAfterMs: number; scope: 'voter' | 'connection' };

export interface RateLimiter {
  /** Counts one attempt; refuses it when the voter's or the connection's counter is over its limit. */
  reserve(connectionId: string, voter: VoterRef): Promise<Reservation>;
  /** Counts a failure that was not reserved (levels 2 and 3 fail only after level 1 succeeded). */
  recordFailure(connectionId: string, voter: VoterRef | undefined): Promise<void>;
}

type Limits = Pick<AuthSettings, 'voterMaxFailures' | 'voterWindowMs' | 'connectionMaxFailures' | 'connectionWindowMs'>;

// The voter id is not secret, but a delimiter that cannot occur in either id keeps two pairs apart.
export const voterCounterKey = (v: VoterRef) => `rl:v:${v.electionId}/${v.voterId}`;
export const connectionCounterKey = (connectionId: string) => `rl:c:${connectionId}`;

export function createRateLimiter(store: SessionStore, limits: Limits): RateLimiter {
  return {
    async reserve(connectionId, voter) {
      const vKey = voterCounterKey(voter);
      const cKey = connectionCounterKey(connectionId);
      // Both in one command (one script in Redis): counted together, atomically.
      const [c, v] = (await store.incrementAll([
        { key: cKey, windowMs: limits.connectionWindowMs },
        { key: vKey, windowMs: limits.voterWindowMs },
      ])) as [CounterState, CounterState];
      if (c.count > limits.connectionMaxFailures) return { ok: false, retryAfterMs: Math.max(c.ttlMs, 1), scope: 'connection' };
      if (v.count > limits.voterMaxFailures) return { ok: false, retryAfterMs: Math.max(v.ttlMs, 1), scope: 'voter' };
      return {
        ok: true,
        forgive: () => store.decrementAll([cKey, vKey]),
      };
    },

    async recordFailure(connectionId, voter) {
      const counters = [{ key: connectionCounterKey(connectionId), windowMs: limits.connectionWindowMs }];
      if (voter) counters.push({ key: voterCounterKey(voter), windowMs: limits.voterWindowMs });
      await store.incrementAll(counters);
    },
  };
}
