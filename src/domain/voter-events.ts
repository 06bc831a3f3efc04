/**
 * Events of the `voter-{electionId}-{voterId}` stream: what happened to one voter, never what
 * they hold. No secret code, N1, N2, e-mail or ballot link appears here (docs/protocol.md).
 */
export type DeliveryChannel = 'email' | 'letter';

export interface CredentialIssued {
  type: 'CredentialIssued';
  /** Only that the voter was served a letter, through which channel. */
  data: { electionId: string; voterId: string; channel: DeliveryChannel; issuedAt: string };
}

export interface CredentialDeliveryFailed {
  type: 'CredentialDeliveryFailed';
  /** `reason` is a code (e.g. DELIVERY_FAILED: 550), never an address or a secret. */
  data: { electionId: string; voterId: string; channel: DeliveryChannel; attempts: number; reason: string; failedAt: string };
}

export interface BlindSignatureIssued {
  type: 'BlindSignatureIssued';
  /**
   * SHA-256 (hex) of the blinded message: a retry with the same blinded message is recognised. No
   * time: the event is released from the ballot pool in random order, and a signing time would undo that.
   */
  data: { electionId: string; voterId: string; blindedMessageHash: string };
}

export type VoterEvent = CredentialIssued | CredentialDeliveryFailed | BlindSignatureIssued;

export { voterStreamId, voterStreamPrefix } from './streams.ts';
