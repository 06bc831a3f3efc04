/**
 * A credential (`credential-{electionId}-{hashN1}`) is minted (revision 0) in a shuffled batch with
 * no voter id anywhere near it, and spent once (revision 1) by the cast it authorised. The ballot
 * itself goes to a stream of its own (`ballot-{electionId}-{random id}`) and names no credential:
 * whoever holds a letter finds that its N1 was spent, never which ballot it cast. The ballot pool
 * releases ballots k-mixed and holds spends until the close (docs/protocol.md).
 */
export interface CredentialMinted {
  type: 'CredentialMinted';
  /** SHA-256 (hex) of the decoded N1 and N2 bytes; never the values. */
  data: { electionId: string; hashN1: string; hashN2: string };
}

export interface CredentialSpent {
  type: 'CredentialSpent';
  data: { electionId: string; hashN1: string };
}

export interface BallotCast {
  type: 'BallotCast';
  /**
   * `ciphertext`: RSA-KEM + AES-256-GCM to the counter's key (base64url, src/crypto/ballot-encryption.ts);
   * `ballotHash`: SHA-256 (hex) of the ciphertext bytes, the voter's receipt. No credential and no
   * cast time: nothing here leads back to a letter or to a voter's connection.
   */
  data: { electionId: string; ballotHash: string; ciphertext: string };
}

export type CredentialEvent = CredentialMinted | CredentialSpent;

export { credentialStreamId, credentialStreamPrefix, ballotStreamId, ballotStreamPrefix, BALLOT_STREAM_PREFIX } from './streams.ts';
