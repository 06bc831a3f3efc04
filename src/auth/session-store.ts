/**
 * The session store port: short-lived authentication state (level-3 session keys, access and
 * refresh tokens, failure counters), each entry with a TTL. Redis when REDIS_URL is set, so every
 * gateway process sees the same sessions; in process memory in embedded mode.
 *
 * Keys never contain a token or a session id in clear, only their SHA-256 (see hashForKey): a dump
 * of Redis gives nobody a usable token. Values hold no token either, only what a token stands for.
 */
import { createHash } from 'node:crypto';

export interface CounterState {
  count: number;
  /** Milliseconds until the counter's window ends (and it resets to 0). */
  ttlMs: number;
}

/** One counter of an `incrementAll`. */
export interface CounterWindow {
  key: string;
  windowMs: number;
}

/** One entry of a `setAll`. */
export interface SessionEntry {
  key: string;
  value: string;
  ttlMs: number;
}

export interface SessionStore {
  /** Stores `value` under `key` for `ttlMs` milliseconds (replacing any previous value and TTL). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** How many of the keys existed. */
  delete(...keys: string[]): Promise<number>;
  /** Atomic get-and-delete: of two concurrent takes of one key, exactly one gets the value. */
  take(key: string): Promise<string | undefined>;
  /**
   * Atomically replaces the value when it still equals `expected`; true when it did. The remaining
   * TTL is kept unless `ttlMs` is given. An absent key never matches.
   */
  compareAndSwap(key: string, expected: string, next: string, ttlMs?: number): Promise<boolean>;
  /**
   * Adds one to each counter and returns them, in the order given, atomically and in one round trip
   * (one script). A counter's first increment
   * starts a fixed window of its `windowMs`; later increments do not extend it.
   */
  incrementAll(counters: readonly CounterWindow[]): Promise<CounterState[]>;
  /** `set` of every entry, atomically and in one round trip (a login's token records). */
  setAll(entries: readonly SessionEntry[]): Promise<void>;
  /**
   * Atomically, in one round trip: deletes `key` and, only when it was there, sets every entry as
   * `setAll`. True when `key` was there. Of two concurrent calls on one key, exactly one is true:
   * a level-3 session key is spent and the login's tokens written together.
   */
  takeThenSetAll(key: string, entries: readonly SessionEntry[]): Promise<boolean>;
  /** True when the store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** SHA-256 (base64url) of a secret that names an entry: the key says which entry, never the secret. */
export function hashForKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}
