/**
 * The session store port: short-lived authentication state with TTLs (Redis, or memory when embedded).
 * Keys hold only the SHA-256 of a token or session id, and values no token: a dump gives nobody a token.
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
  /** Atomically replaces the value when it still equals `expected` (TTL kept unless given); true when it did. */
  compareAndSwap(key: string, expected: string, next: string, ttlMs?: number): Promise<boolean>;
  /** Adds one to each counter atomically, in one round trip; a first increment starts a fixed window. */
  incrementAll(counters: readonly CounterWindow[]): Promise<CounterState[]>;
  /** `set` of every entry, atomically and in one round trip (a login's token records). */
  setAll(entries: readonly SessionEntry[]): Promise<void>;
  /** Deletes `key` and, only when it was there, sets every entry, atomically; exactly one of two concurrent calls wins. */
  takeThenSetAll(key: string, entries: readonly SessionEntry[]): Promise<boolean>;
  /** True when the store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** SHA-256 (base64url) of a secret that names an entry: the key says which entry, never the secret. */
export function hashForKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}
