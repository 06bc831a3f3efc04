/**
 * Stream naming: the one place that spells a stream's category. Every id is `{category}-…`; an
 * election's per-voter, per-credential and per-ballot streams are `{category}-{electionId}-{id}`.
 */
export const STREAM_CATEGORIES = {
  election: 'election-',
  voter: 'voter-',
  credential: 'credential-',
  ballot: 'ballot-',
  tally: 'tally-',
  log: 'log-',
  client: 'client-',
  booth: 'booth-',
  witness: 'witness-',
} as const;

const { election, voter, credential, ballot, tally, log, client } = STREAM_CATEGORIES;

export const ELECTION_STREAM_PREFIX = election;
export const VOTER_STREAM_PREFIX = voter;
export const CREDENTIAL_STREAM_PREFIX = credential;
export const BALLOT_STREAM_PREFIX = ballot;
export const TALLY_STREAM_PREFIX = tally;
export const LOG_STREAM_PREFIX = log;

export const electionStreamId = (electionId: string) => `${election}${electionId}`;
export const tallyStreamId = (electionId: string) => `${tally}${electionId}`;
export const logStreamId = (electionId: string) => `${log}${electionId}`;
/** Witnesses' co-signatures of the log's checkpoints: outside the Merkle tree (docs/witnesses.md). */
export const witnessStreamId = (electionId: string) => `${STREAM_CATEGORIES.witness}${electionId}`;
export const clientStreamId = (clientId: string) => `${client}${clientId}`;
/** The one stream naming which registered client application is the web booth's. */
export const BOOTH_APP_STREAM_ID = `${STREAM_CATEGORIES.booth}app`;

export const voterStreamPrefix = (electionId: string) => `${voter}${electionId}-`;
export const voterStreamId = (electionId: string, voterId: string) => `${voterStreamPrefix(electionId)}${voterId}`;
export const credentialStreamPrefix = (electionId: string) => `${credential}${electionId}-`;
export const credentialStreamId = (electionId: string, hashN1: string) => `${credentialStreamPrefix(electionId)}${hashN1}`;
/** `ballotId` is random (a uuid): a copied ciphertext is a second ballot, judged by the tally. */
export const ballotStreamPrefix = (electionId: string) => `${ballot}${electionId}-`;
export const ballotStreamId = (electionId: string, ballotId: string) => `${ballotStreamPrefix(electionId)}${ballotId}`;

/** The categories whose streams make up the elections' public logs (not `log-`, not `client-`). */
export const ELECTION_LOG_CATEGORIES = [election, voter, credential, ballot, tally] as const;
