/**
 * Database rows → the read-model shapes of src/app/services.ts. Times leave as ISO-8601 strings
 * whichever driver produced them (pg and PGlite both return Date for timestamptz).
 */
import type { ElectionRow, VoterRow } from '../app/services.ts';
import type { ElectionStatus } from '../domain/election-events.ts';

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
}

export interface VoterDbRow {
  voter_id: string;
  election_id: string;
  email: string;
  registered_at: Date | string;
}

export function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

const toIsoOrNull = (value: Date | string | null): string | null => (value === null ? null : toIso(value));

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
  };
}

export function toVoterRow(row: VoterDbRow): VoterRow {
  return { voterId: row.voter_id, electionId: row.election_id, email: row.email, registeredAt: toIso(row.registered_at) };
}
