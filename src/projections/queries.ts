/**
 * The read models' queries for the gateway. E-mails are decrypted per page under the PII key, and
 * read as null once it is shredded.
 */
import type { SqlExecutor } from '../sql/client.ts';
import type { ReadModelQueries } from './read-models.ts';
import type { KeyStore } from '../keystore/port.ts';
import { decryptEmail, loadPiiKey } from '../keystore/pii.ts';
import { qb, run } from './query-builder.ts';
import { ELECTIONS_TABLE } from './elections-projection.ts';
import { VOTERS_TABLE } from './voters-projection.ts';
import { toElectionRow, toVoterRow, type ElectionDbRow, type VoterDbRow } from './row-mappers.ts';

export const MAX_VOTERS_PAGE = 1_000;
export const DEFAULT_VOTERS_PAGE = 100;

export function createReadModelQueries(db: SqlExecutor, keyStore: KeyStore): ReadModelQueries {
  return {
    async getElection(electionId) {
      const { rows } = await run<ElectionDbRow>(db, qb(ELECTIONS_TABLE).where({ election_id: electionId }).first());
      return rows[0] ? toElectionRow(rows[0]) : undefined;
    },

    async listElections() {
      const { rows } = await run<ElectionDbRow>(db, qb(ELECTIONS_TABLE).select('*').orderBy([{ column: 'created_at' }, { column: 'election_id' }]));
      return rows.map(toElectionRow);
    },

    async listVoters(electionId, page) {
      const limit = clamp(Math.trunc(page.limit), 0, MAX_VOTERS_PAGE);
      const offset = Math.max(0, Math.trunc(page.offset) || 0);
      if (limit === 0) return [];
      const q = qb(VOTERS_TABLE)
        .select('*')
        .where({ election_id: electionId })
        .orderBy([{ column: 'registered_at' }, { column: 'voter_id' }])
        .limit(limit)
        .offset(offset);
      const { rows } = await run<VoterDbRow>(db, q);
      if (rows.length === 0) return [];
      const piiKey = await loadPiiKey(keyStore, electionId);
      return rows.map((row) => toVoterRow(row, piiKey ? (decryptEmail(piiKey, electionId, row.email_encrypted) ?? null) : null));
    },

    async countVoters(electionId) {
      const { rows } = await run<{ n: number | string }>(db, qb(VOTERS_TABLE).where({ election_id: electionId }).count({ n: '*' }));
      return Number(rows[0]?.n ?? 0);
    },
  };
}

const clamp = (n: number, min: number, max: number) => (Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : min);
