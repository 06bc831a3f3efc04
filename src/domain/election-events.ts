/**
 * Events of the `election-{electionId}` stream. They are public to auditors (docs/events.md): nothing
 * secret, nothing that links a voter to a ballot. Event payloads are plain JSON (no Dates, no bigints);
 * times are ISO-8601 strings chosen by the command handler's clock.
 *
 * Voters are registered in the election stream itself (one `VoterRegistered` per voter), so the
 * decider sees every e-mail already registered and enforces uniqueness and the lifecycle with a
 * single expected-revision append; see docs/events.md.
 */

export type ElectionStatus = 'REGISTER' | 'VOTE_STARTED' | 'VOTE_ENDED';

export interface ElectionCreated {
  type: 'ElectionCreated';
  data: {
    electionId: string;
    theme: string;
    choices: string[];
    expectedVoters: number;
    createdAt: string;
    /**
     * Public halves of the election's keys (private halves are in the key store only):
     * the authority's RSA blind-signing key and the counter's RSA ballot key as base64url
     * SPKI DER; the transparency log's Ed25519 key as base64url of the raw 32 bytes.
     */
    authorityPublicKey: string;
    ballotPublicKey: string;
    logPublicKey: string;
  };
}

export interface ElectionConfigured {
  type: 'ElectionConfigured';
  data: {
    electionId: string;
    /** Only the fields that changed are present. */
    theme?: string;
    choices?: string[];
    expectedVoters?: number;
    /** ISO-8601; voting closes automatically at this time when set. */
    closesAt?: string | null;
    configuredAt: string;
  };
}

export interface VoterRegistered {
  type: 'VoterRegistered';
  data: {
    electionId: string;
    voterId: string;
    /**
     * HMAC-SHA256 (hex) of the normalised address under the election's PII key: uniqueness without
     * the address (src/keystore/pii.ts).
     */
    emailHmac: string;
    /** AES-256-GCM of the address under the election's PII key; destroying the key forgets it. */
    emailEncrypted: string;
    registeredAt: string;
  };
}

export interface VotingStarted {
  type: 'VotingStarted';
  data: { electionId: string; startedAt: string; registeredVoters: number };
}

export type VotingEndReason = 'ADMIN' | 'ALL_VOTED' | 'CLOSING_TIME';

export interface VotingEnded {
  type: 'VotingEnded';
  data: { electionId: string; endedAt: string; reason: VotingEndReason };
}

export type ElectionEvent = ElectionCreated | ElectionConfigured | VoterRegistered | VotingStarted | VotingEnded;
export type ElectionEventType = ElectionEvent['type'];

export const ELECTION_EVENT_TYPES: readonly ElectionEventType[] = [
  'ElectionCreated',
  'ElectionConfigured',
  'VoterRegistered',
  'VotingStarted',
  'VotingEnded',
];

export { electionStreamId, ELECTION_STREAM_PREFIX } from './streams.ts';
