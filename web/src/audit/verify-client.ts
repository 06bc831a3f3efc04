/** Starts a verification in a Web Worker and follows it: what the panel and the benchmark call. */
import type { AuditReport } from '../../../src/audit/report.ts';
import type { VerifyRequest, VerifyWorkerMessage } from './verify-protocol.ts';
import type { VerifyProgress } from './verify-run.ts';

export type VerifyOutcome = { kind: 'report'; report: AuditReport } | { kind: 'error'; code: 'LOG_NOT_FOUND' | 'LOG_UNAVAILABLE' | 'VERIFIER_FAILED'; detail: string };

export interface RunningVerification {
  done: Promise<VerifyOutcome>;
  /** Stops the worker; `done` then never settles. */
  cancel(): void;
}

/** The gateway's export of an election's log (the file `evote log export` writes). */
export const electionLogUrl = (electionId: string) => `/elections/${encodeURIComponent(electionId)}/log`;

export function verifyInWorker(request: VerifyRequest, onProgress: (p: VerifyProgress) => void): RunningVerification {
  // Served from 'self' as its own script: the CSP's worker-src 'self' allows it.
  const worker = new Worker(new URL('./verify-worker.ts', import.meta.url), { type: 'module', name: 'evote-verify' });
  const done = new Promise<VerifyOutcome>((resolve) => {
    worker.addEventListener('message', (e: MessageEvent<VerifyWorkerMessage>) => {
      const m = e.data;
      if (m.type === 'progress') return onProgress(m.progress);
      worker.terminate();
      resolve(m.type === 'done' ? { kind: 'report', report: m.report } : { kind: 'error', code: m.code, detail: m.detail });
    });
    worker.addEventListener('error', (e) => {
      worker.terminate();
      resolve({ kind: 'error', code: 'VERIFIER_FAILED', detail: e.message || 'the verification worker failed' });
    });
  });
  worker.postMessage(request);
  return { done, cancel: () => worker.terminate() };
}
