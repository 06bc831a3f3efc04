/** Messages between the tally pool (main thread) and its workers (worker.ts). */
import type { OpenedBallot } from './classify.ts';
import type { TrusteeFault } from './open-ballot-threshold.ts';
import type { StoredPartial } from './trustee-partials-store.ts';

/** One of the two ways to open c0: the counter's private key, or trustees' partial decryptions. */
export interface WorkerInit {
  electionId: string;
  /** PKCS#8 DER; the worker zeroes its copy after importing it. Absent for a trustee election. */
  counterPrivateKeyPkcs8?: Uint8Array;
  /** A trustee election: the transcript's encoded threshold params and the ballot key (public). */
  threshold?: { params: unknown; ballotPublicKeySpki: Uint8Array };
  authorityPublicKeySpki: Uint8Array;
  /** A weighted election: each class's weight and authority key (SPKI DER); signatures are checked against these. */
  weightClasses?: { weight: number; spki: Uint8Array }[];
  /** Benchmarks only: CPU time per batch and raw probes. */
  measureCpu?: boolean;
}

export type WorkerRequest =
  | { id: number; ciphertexts: string[]; partials?: StoredPartial[][] }
  | { id: number; rawProbeMillis: number };

export interface WorkerReply {
  id: number;
  ballots: OpenedBallot[];
  /** Trustee elections: partials that do not parse as their trustee's (by ballot index in the request). */
  faults?: (TrusteeFault & { ballot: number })[];
  /** Trustee elections: ballots left unopened for want of k honest partials (their `ballots` entry is a placeholder). */
  short?: { ballot: number; have: number }[];
  /** Trustee elections: ballots whose first k partials did not combine (a wrong value among them): the main thread checks their batch proofs. */
  failed?: number[];
  cpuNanos?: number;
  raw?: { ops: number; wallMillis: number };
}
