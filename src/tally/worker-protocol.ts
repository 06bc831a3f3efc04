/** Messages between the tally pool (main thread) and its workers (worker.ts). */
import type { OpenedBallot } from './classify.ts';

export interface WorkerInit {
  electionId: string;
  /** The counter's private key, PKCS#8 DER; the worker zeroes its copy after importing it. */
  counterPrivateKeyPkcs8: Uint8Array;
  /** The authority's public key, SPKI DER. */
  authorityPublicKeySpki: Uint8Array;
}

export interface WorkerRequest {
  id: number;
  ciphertexts: string[];
}

export interface WorkerReply {
  id: number;
  ballots: OpenedBallot[];
}
