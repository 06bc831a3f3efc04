/**
 * Errors are values with stable codes. Domain deciders return them; command handlers and the
 * gateway pass them through unchanged, so a client sees the same `code` whatever layer refused.
 * Codes are part of the public protocol (docs/asyncapi.yaml): never rename one.
 */
export type DomainErrorCode =
  | 'ELECTION_ALREADY_EXISTS'
  | 'ELECTION_NOT_FOUND'
  | 'WRONG_STATE'
  | 'INVALID_THEME'
  | 'INVALID_CHOICES'
  | 'INVALID_EXPECTED_VOTERS'
  | 'INVALID_EMAIL'
  | 'DUPLICATE_VOTER'
  | 'NO_VOTERS'
  | 'TOO_MANY_VOTERS'
  | 'INVALID_CLOSING_TIME'
  | 'INVALID_CSV'
  /** A command kept losing the optimistic-concurrency race on its stream; safe to retry later. */
  | 'CONCURRENCY_CONFLICT'
  /** An election id given by the client is not 1-64 letters, digits, '-' or '_'. */
  | 'INVALID_ELECTION_ID';

export interface DomainError {
  readonly kind: 'DomainError';
  readonly code: DomainErrorCode;
  readonly message: string;
  /** Optional structured detail (never secrets): e.g. the CSV line of a bad row. */
  readonly details?: Record<string, unknown>;
}

export function domainError(code: DomainErrorCode, message: string, details?: Record<string, unknown>): DomainError {
  return details ? { kind: 'DomainError', code, message, details } : { kind: 'DomainError', code, message };
}

export function isDomainError(x: unknown): x is DomainError {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'DomainError';
}
