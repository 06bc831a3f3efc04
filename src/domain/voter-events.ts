/**
 * Events of the `voter-{electionId}-{voterId}` stream: what happened to one voter, never what they hold.
 */
export type DeliveryChannel = 'email' | 'letter';

export interface CredentialIssued {
  type: 'CredentialIssued';
  data: { electionId: string; voterId: string; channel: DeliveryChannel; issuedAt: string };
}

export interface CredentialDeliveryFailed {
  type: 'CredentialDeliveryFailed';
  /** `reason` is a code (e.g. DELIVERY_FAILED: 550), never an address or a secret. */
  data: { electionId: string; voterId: string; channel: DeliveryChannel; attempts: number; reason: string; failedAt: string };
}

export interface BlindSignatureIssued {
  type: 'BlindSignatureIssued';
  /** Recognises a retry by the blinded message's hash. No time: the pool releases this in random order. */
  data: { electionId: string; voterId: string; blindedMessageHash: string; /** The class signed under, in a weighted election (its key, not the voter, is what the ballot reveals). */ weight?: number };
}

export type VoterEvent = CredentialIssued | CredentialDeliveryFailed | BlindSignatureIssued;
