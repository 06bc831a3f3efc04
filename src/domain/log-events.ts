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
