/** Messages between the tally pool (main thread) and its workers (worker.ts). */
import type { OpenedBallot } from './classify.ts';

export interface WorkerInit {
  electionId: string;
  /** The counter's private key, PKCS#8 DER; the worker zeroes its copy after importing it. */
  counterPrivateKeyPkcs8: Uint8Array;
  /** The authority's public key, SPKI DER. */
  authorityPublicKeySpki: Uint8Array;
  /**
   * Benchmarks only: report the worker thread's CPU time per batch (thread-cpu.ts) and answer raw
   * probes. Off in a real tally, which then does nothing but open ballots.
   */
  measureCpu?: boolean;
}

export type WorkerRequest =
  | { id: number; ciphertexts: string[] }
  /** Run the bare RSA private operation for about this long (needs measureCpu). */
  | { id: number; rawProbeMillis: number };

export interface WorkerReply {
  id: number;
  ballots: OpenedBallot[];
  /** CPU time this worker thread spent on the request, when measureCpu is on and the platform has the clock. */
  cpuNanos?: number;
  /** Answer to a raw probe: private operations done, and the wall time they took. */
  raw?: { ops: number; wallMillis: number };
}
