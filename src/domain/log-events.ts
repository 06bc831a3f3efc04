/**
 * Events of the `log-{electionId}` stream: signed Merkle checkpoints over the election's events (docs/audit.md).
 */
export interface LogCheckpointed {
  type: 'LogCheckpointed';
  data: {
    electionId: string;
    size: number;
    root: string;
    /** Global position of the last covered event. */
    lastPosition: number;
    /** Ed25519 (base64url) over canonicalJson({ electionId, size, root, lastPosition }). */
    signature: string;
    checkpointedAt: string;
  };
}

/** A witness's C2SP cosignature/v1 of a checkpoint (src/audit/cosignature-core.ts; docs/witnesses.md). */
export interface CosignatureData {
  electionId: string;
  size: number;
  root: string;
  name: string;
  publicKey: string;
  time: number;
  signature: string;
}

/** Event of the `witness-{electionId}` stream: verified by the server before it is appended. */
export interface CheckpointCosigned {
  type: 'CheckpointCosigned';
  data: CosignatureData;
}
