/**
 * Database rows → the read-model shapes of read-models.ts; times leave as ISO-8601 whichever driver produced them.
 */
import type { ElectionRow, VoterRow } from './read-models.ts';
import type { ElectionStatus } from '../domain/election-events.ts';
import type { BallotRules } from '../domain/ballot-form.ts';
import type { WeightClass } from '../domain/weight-classes.ts';

export interface ElectionDbRow {
  election_id: string;
  theme: string;
  choices: unknown;
  expected_voters: number | string;
  status: string;
  voter_count: number | string;
  closes_at: Date | string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  ended_at: Date | string | null;
  position: number | string;
  authority_public_key: string;
  ballot_public_key: string;
  log_public_key: string;
  witnesses?: unknown;
  trustees?: unknown;
  ballot?: unknown;
  weight_classes?: unknown;
}

export interface VoterDbRow {
  voter_id: string;
  election_id: string;
  email_encrypted: string;
  registered_at: Date | string;
  credential_status: string;
  channel: string | null;
  issued_at: Date | string | null;
  delivery_failure: string | null;
}

export function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

const toIsoOrNull = (value: Date | string | null): string | null => (value === null ? null : toIso(value));

const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

export function toElectionRow(row: ElectionDbRow): ElectionRow {
  const choices = typeof row.choices === 'string' ? (JSON.parse(row.choices) as unknown) : row.choices;
  return {
    electionId: row.election_id,
    theme: row.theme,
    choices: Array.isArray(choices) ? choices.map(String) : [],
    expectedVoters: Number(row.expected_voters),
    status: row.status as ElectionStatus,
    voterCount: Number(row.voter_count),
    closesAt: toIsoOrNull(row.closes_at),
    createdAt: toIso(row.created_at),
    startedAt: toIsoOrNull(row.started_at),
    endedAt: toIsoOrNull(row.ended_at),
    position: Number(row.position),
    authorityPublicKey: row.authority_public_key,
    ballotPublicKey: row.ballot_public_key,
    logPublicKey: row.log_public_key,
    witnesses: Array.isArray(json(row.witnesses)) ? (json(row.witnesses) as unknown[]).map(String) : [],
    trustees: (json(row.trustees) ?? null) as ElectionRow['trustees'],
    // Only in rows of elections with a form: the rows of all others stay as they were.
    ...(json(row.ballot) ? { ballot: json(row.ballot) as BallotRules } : {}),
    ...(Array.isArray(json(row.weight_classes)) ? { weightClasses: json(row.weight_classes) as WeightClass[] } : {}),
  };
}

/** `email`: the address decrypted from `row.email_encrypted`, or null when it could not be. */
export function toVoterRow(row: VoterDbRow, email: string | null): VoterRow {
  return {
    voterId: row.voter_id,
    electionId: row.election_id,
    email,
    registeredAt: toIso(row.registered_at),
    credentialStatus: (row.credential_status ?? 'none') as NonNullable<VoterRow['credentialStatus']>,
    channel: (row.channel ?? null) as VoterRow['channel'],
    issuedAt: toIsoOrNull(row.issued_at ?? null),
    deliveryFailure: row.delivery_failure ?? null,
  };
}
