/** A voter who completed the three authentication levels; resolved from an access token. */
export interface VoterPrincipal {
  electionId: string;
  voterId: string;
  clientId: string;
}

/** Resolves voter access tokens (issued after level 3). Implemented by src/auth. */
export interface VoterAuthenticator {
  /** undefined when the token is absent, unknown, expired or revoked. */
  authenticate(accessToken: string | undefined): Promise<VoterPrincipal | undefined>;
}
