/**
 * The `credentials` read model: hashes only, keyed by hash(N1). NO voter column and never joined with
 * `voters`: the log mints in shuffled batches so nothing links a voter to a credential.
 */
import type { SqlExecutor } from '../sql/client.ts';
import type { CredentialMinted, CredentialSpent } from '../domain/credential-events.ts';
import { CREDENTIAL_STREAM_PREFIX } from '../domain/streams.ts';
import type { Projection } from './projection.ts';
import { insertIgnoring } from './query-builder.ts';

export const CREDENTIALS_TABLE = 'credentials';

export function credentialsProjection(): Projection {
  return {
    name: 'credentials',
    filter: { streamPrefixes: [CREDENTIAL_STREAM_PREFIX], eventTypes: ['CredentialMinted', 'CredentialSpent'] },

    async reset(tx) {
      await tx.query(`DELETE FROM ${CREDENTIALS_TABLE}`);
    },

    async apply(tx, events) {
      const minted = events
        .filter((e) => e.type === 'CredentialMinted')
        .map((e) => {
          const d = e.data as CredentialMinted['data'];
          return { hash_n1: d.hashN1, hash_n2: d.hashN2, election_id: d.electionId, used: false, position: e.position };
        });
      await insertIgnoring(tx, CREDENTIALS_TABLE, minted, ['hash_n1']);
      // Revision 1 of the same stream: the mint's insert is in place before this update.
      const used = events.filter((e) => e.type === 'CredentialSpent').map((e) => (e.data as CredentialSpent['data']).hashN1);
      if (used.length > 0) await tx.query(`UPDATE ${CREDENTIALS_TABLE} SET used = true WHERE hash_n1 = ANY($1::text[])`, [used]);
      return [];
    },
  };
}

export interface CredentialCounts {
  minted: number;
  used: number;
}

export async function countCredentials(db: SqlExecutor, electionId: string): Promise<CredentialCounts> {
  const { rows } = await db.query<{ minted: number | string; used: number | string }>(
    `SELECT count(*) AS minted, count(*) FILTER (WHERE used) AS used FROM ${CREDENTIALS_TABLE} WHERE election_id = $1`,
    [electionId],
  );
  return { minted: Number(rows[0]?.minted ?? 0), used: Number(rows[0]?.used ?? 0) };
}
