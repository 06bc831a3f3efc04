/**
 * Events of the `log-{electionId}` stream: signed Merkle checkpoints over the election's events in
 * log order (RFC 6962/9162 hashing). The signature is Ed25519 over the checkpoint's canonical bytes.
 */
export interface LogCheckpointed {
  type: 'LogCheckpointed';
  data: {
    electionId: string;
    /** Number of leaves (election events) covered. */
    size: number;
    /** Merkle tree head, hex. */
    root: string;
    /** Global position of the last covered event. */
    lastPosition: number;
    /** Ed25519 signature (base64url) over canonicalJson({ electionId, size, root, lastPosition }). */
    signature: string;
    checkpointedAt: string;
  };
}

export { logStreamId } from './streams.ts';
