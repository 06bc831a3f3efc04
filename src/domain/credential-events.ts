/**
 * Events of the `credential-{electionId}-{hashN1}` stream. A credential is minted (revision 0) in a
 * shuffled batch with no voter id anywhere near it; the ballot is appended with expected revision
 * 0, so one N1 casts exactly one ballot, atomically, without a cross-stream transaction.
 */
export interface CredentialMinted {
  type: 'CredentialMinted';
  /** SHA-256 (hex) of the decoded N1 and N2 bytes; never the values. */
  data: { electionId: string; hashN1: string; hashN2: string };
}

export interface BallotCast {
  type: 'BallotCast';
  /**
   * `ciphertext`: RSA-KEM + AES-256-GCM to the counter's key (base64url, src/crypto/ballot-encryption.ts);
   * `ballotHash`: SHA-256 (hex) of the ciphertext bytes, the voter's receipt. No cast time beyond
   * the store's own, so nothing here narrows the link to a voter's connection.
   */
  data: { electionId: string; hashN1: string; ballotHash: string; ciphertext: string };
}

export type CredentialEvent = CredentialMinted | BallotCast;

export const credentialStreamId = (electionId: string, hashN1: string) => `credential-${electionId}-${hashN1}`;
export const credentialStreamPrefix = (electionId: string) => `credential-${electionId}-`;
