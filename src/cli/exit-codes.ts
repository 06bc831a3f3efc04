/** Exit codes of the `evote` CLI, stable for scripts (README and `evote --help`). */
import type { AuditVerdict } from '../audit/report.ts';

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
  /** The audit found the log does not verify. */
  AUDIT_FAILED: 5,
  /** The log verifies as far as it goes, but it is not the whole election (cut short, unsigned tail, no tally). */
  AUDIT_INCOMPLETE: 6,
  /** Unexpected failure (a bug): reported without a stack trace unless EVOTE_DEBUG=1. */
  INTERNAL: 70,
} as const;

// PARTIAL is asked for (--live).
export function auditExitCode(verdict: AuditVerdict): number {
  if (verdict === 'FAILED') return EXIT.AUDIT_FAILED;
  return verdict === 'INCOMPLETE' ? EXIT.AUDIT_INCOMPLETE : EXIT.OK;
}

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
