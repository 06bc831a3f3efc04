/** Messages between the verify panel and its Web Worker. */
import type { AuditReport } from '../../../src/audit/report.ts';
import type { VerifyProgress } from './verify-run.ts';

/**
 * The log to verify: the gateway's export of an election, or a file the user chose. `helpers`: helper
 * workers for leaf hashing and ballot opening (default: one per core from 4 cores, else none).
 */
export type VerifyRequest = ({ source: 'url'; url: string } | { source: 'file'; file: Blob }) & { helpers?: number };

export type VerifyWorkerMessage =
  | { type: 'progress'; progress: VerifyProgress }
  | { type: 'done'; report: AuditReport }
  /** The log could not be read at all (no verdict): HTTP status, network, or an internal error. */
  | { type: 'error'; code: 'LOG_NOT_FOUND' | 'LOG_UNAVAILABLE' | 'VERIFIER_FAILED'; detail: string };
