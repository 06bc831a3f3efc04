/** Exit codes of the `evote` CLI, stable for scripts (README and `evote --help`). */
import { AUDIT_EXIT } from '../audit/report.ts';

export const EXIT = {
  OK: 0,
  /** The server refused the request (a domain or validation error code is printed). */
  REFUSED: 1,
  /** Bad command line: unknown command or option, missing argument. */
  USAGE: 2,
  /** The server could not be reached, or the connection dropped. */
  UNREACHABLE: 3,
  /** A local file could not be read or written, or its content is malformed. */
  LOCAL_INPUT: 4,
  AUDIT_FAILED: AUDIT_EXIT.FAILED,
  AUDIT_INCOMPLETE: AUDIT_EXIT.INCOMPLETE,
  /** `evote witness run` refused a checkpoint: a fork, a rollback or a bad signature (docs/witnesses.md). */
  WITNESS_REFUSED: 7,
  /** Unexpected failure (a bug): reported without a stack trace unless EVOTE_DEBUG=1. */
  INTERNAL: 70,
} as const;

export class CliError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
