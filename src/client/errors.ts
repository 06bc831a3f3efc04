/** The client's error type, in a module without Node imports so that the browser's bundles can share it. */

/** A refusal with the server's stable code, or UNREACHABLE, CONNECTION_CLOSED, TIMEOUT from the client side. */
export class EvoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'EvoteError';
  }
}
