/** Messages between the tally pool (main thread) and its workers (worker.ts). */
import type { OpenedBallot } from './classify.ts';

export interface WorkerInit {
  electionId: string;
  /** PKCS#8 DER; the worker zeroes its copy after importing it. */
  counterPrivateKeyPkcs8: Uint8Array;
  authorityPublicKeySpki: Uint8Array;
  /** Benchmarks only: CPU time per batch and raw probes. */
  measureCpu?: boolean;
}

export type WorkerRequest =
  | { id: number; ciphertexts: string[] }
  | { id: number; rawProbeMillis: number };

export interface WorkerReply {
  id: number;
  ballots: OpenedBallot[];
  cpuNanos?: number;
  raw?: { ops: number; wallMillis: number };
}
