/**
 * A credential is minted (revision 0) with no voter id near it and spent once by its cast. The ballot goes
 * to a stream of its own that names no credential, so a letter shows that N1 was spent, never which ballot.
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
  /** `ballotHash`: SHA-256 of the ciphertext bytes. No credential, no cast time: nothing leads back to a voter. */
  data: { electionId: string; ballotHash: string; ciphertext: string };
}

export type CredentialEvent = CredentialMinted | CredentialSpent;
