/**
 * The evote reference client library: one import for integrators.
 *
 *   import { EvoteAdmin, vote, readCredentialLetter, checkReceipt, audit } from 'evote/src/client/index.ts';
 *
 * - connection.ts: EvoteConnection (WebSocket request/reply, progress, subscriptions, timeouts,
 *   reconnection with backoff) and EvoteError (the server's stable codes);
 * - admin.ts: EvoteAdmin, a typed facade over every admin command and query, and progressOf;
 * - voter.ts: readCredentialLetter, vote (login → blind signature → anonymous cast), checkReceipt;
 * - auditor.ts: exportLogToFile, audit, followLog;
 * - voter-ballot.ts: the ballot's cryptography on the voter's side (prepare/blind, finish).
 */
export { EvoteConnection, EvoteError, backoffDelay, type ConnectOptions, type ReconnectOptions, type RequestOptions, type Kind, type Push } from './connection.ts';
export { EvoteAdmin, progressOf, type Progress, type Results, type TallyResult, type ProjectionStatus, type ElectionRow, type VoterRow, type IssuanceSummary } from './admin.ts';
export { readCredentialLetter, vote, checkReceipt, LetterError, type Receipt, type ReceiptCheck, type VoteInput, type CheckReceiptInput, type Credential, type ClientApp } from './voter.ts';
export { audit, exportLogToFile, fetchLog, followLog, httpBaseOf, type AuditInput, type AuditReport, type VerifiedCheckpoint } from './auditor.ts';
export { prepareBallot, finishBallot, importPublicKey, BallotClientError } from './voter-ballot.ts';
