/** The evote reference client library: one import for integrators (README, "The client library"). */
export { EvoteConnection, EvoteError, backoffDelay, retryDelay, RETRYABLE_CODES, type ConnectOptions, type ReconnectOptions, type RetryOptions, type RequestOptions, type Kind, type Push } from './connection.ts';
export { DEFAULT_STEP_RETRY, DROPPED_CODES, type StepRetryOptions } from './retry.ts';
export { EvoteAdmin, progressOf, type Progress, type Results, type TallyResult, type ProjectionStatus, type ElectionRow, type VoterRow, type IssuanceSummary } from './admin.ts';
export { readCredentialLetter, vote, checkReceipt, LetterError, type Receipt, type ReceiptCheck, type VoteInput, type CheckReceiptInput, type Credential, type ClientApp } from './voter.ts';
export { audit, exportLogToFile, fetchLog, followLog, httpBaseOf, type AuditInput, type AuditReport, type VerifiedCheckpoint } from './auditor.ts';
export { prepareBallot, finishBallot, importPublicKey, BallotClientError } from './voter-ballot.ts';
export { choiceText, type BallotInput } from './ballot-choice.ts';
