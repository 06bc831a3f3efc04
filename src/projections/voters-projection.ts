/**
 * The `voters` read model with delivery status, in multi-row statements. E-mails stay encrypted; no
 * N1, N2 or their hashes, and never joined with `credentials`.
 */
import type { RecordedEvent } from '../eventstore/port.ts';
import type { SqlExecutor } from '../sql/client.ts';
import type { VoterRegistered } from '../domain/election-events.ts';
import { ELECTION_STREAM_PREFIX, VOTER_STREAM_PREFIX } from '../domain/streams.ts';
import type { CredentialDeliveryFailed, CredentialIssued } from '../domain/voter-events.ts';
import type { Projection } from './projection.ts';
import { insertIgnoring } from './query-builder.ts';

export const VOTERS_TABLE = 'voters';
const STATUS_CHUNK = 5_000;

export type CredentialStatus = 'none' | 'issued' | 'failed';

interface StatusChange {
  voterId: string;
  electionId: string;
  status: CredentialStatus;
  channel: string;
  at: string;
  reason: string | null;
}

function statusChange(e: RecordedEvent): StatusChange | undefined {
  if (e.type === 'CredentialIssued') {
    const d = e.data as CredentialIssued['data'];
    return { voterId: d.voterId, electionId: d.electionId, status: 'issued', channel: d.channel, at: d.issuedAt, reason: null };
  }
  if (e.type === 'CredentialDeliveryFailed') {
    const d = e.data as CredentialDeliveryFailed['data'];
    return { voterId: d.voterId, electionId: d.electionId, status: 'failed', channel: d.channel, at: d.failedAt, reason: d.reason };
  }
  return undefined;
}

export function votersProjection(): Projection {
  return {
    name: 'voters',
    filter: {
      streamPrefixes: [ELECTION_STREAM_PREFIX, VOTER_STREAM_PREFIX],
      eventTypes: ['VoterRegistered', 'CredentialIssued', 'CredentialDeliveryFailed'],
    },

    async reset(tx) {
      await tx.query(`DELETE FROM ${VOTERS_TABLE}`);
    },

    async apply(tx, events) {
      const rows = events
        .filter((e) => e.type === 'VoterRegistered')
        .map((e) => {
          const data = e.data as VoterRegistered['data'];
          return { voter_id: data.voterId, election_id: data.electionId, email_encrypted: data.emailEncrypted, registered_at: data.registeredAt, ...(data.weight !== undefined && { weight: data.weight }) };
        });
      await insertIgnoring(tx, VOTERS_TABLE, rows, ['voter_id']);
      // Registrations precede credential events in the log: inserts first, then the last change per voter.
      const last = new Map<string, StatusChange>();
      for (const e of events) {
        const change = statusChange(e);
        if (change) last.set(change.voterId, change);
      }
      const changes = [...last.values()];
      for (let i = 0; i < changes.length; i += STATUS_CHUNK) await applyStatusChanges(tx, changes.slice(i, i + STATUS_CHUNK));
      return [];
    },
  };
}

async function applyStatusChanges(tx: SqlExecutor, changes: StatusChange[]): Promise<void> {
  await tx.query(
    `UPDATE ${VOTERS_TABLE} AS v
        SET credential_status = u.status,
            channel = u.channel,
            issued_at = CASE WHEN u.status = 'issued' THEN u.at ELSE v.issued_at END,
            delivery_failure = u.reason
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::text[])
            AS u(voter_id, election_id, status, channel, at, reason)
      WHERE v.voter_id = u.voter_id AND v.election_id = u.election_id`,
    [
      changes.map((c) => c.voterId),
      changes.map((c) => c.electionId),
      changes.map((c) => c.status),
      changes.map((c) => c.channel),
      changes.map((c) => c.at),
      changes.map((c) => c.reason),
    ],
  );
}
