/** The services a request may depend on; `/readyz` and SERVICE_UNAVAILABLE name them the same way. */
export type ServiceName = 'sessions' | 'pubsub' | 'database' | 'eventstore' | 'signing';

/**
 * A dependency is down or did not answer within its bound. Thrown by adapters; the gateway answers
 * SERVICE_UNAVAILABLE with `service` and `retryAfterMs` instead of INTERNAL.
 */
export class ServiceUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE' as const;
  constructor(
    readonly service: ServiceName,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(`${service} unavailable`, options);
    this.name = 'ServiceUnavailableError';
  }
}

export function isServiceUnavailable(err: unknown): err is ServiceUnavailableError {
  return err instanceof ServiceUnavailableError;
}
