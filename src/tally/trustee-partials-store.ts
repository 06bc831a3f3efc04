/**
 * The trustees' partial decryptions in SQL (evote_trustee_partials): stored idempotently (the same
 * partial again is a no-op, a different one for the same trustee and ballot is a conflict), read per
 * ballot by the tally.
 */
import type { SqlExecutor } from '../sql/client.ts';

export interface SubmittedPartial {
  ballotHash: string;
  /** encodePartial text. */
  partial: string;
}

export interface StoredPartial {
  trusteeIndex: number;
  partial: string;
}

export interface TrusteePartialsStore {
  /** Stores what is new; returns the ballot hashes whose stored partial has another value x (nothing is stored then for them). */
  put(electionId: string, trusteeIndex: number, partials: readonly SubmittedPartial[]): Promise<{ stored: number; conflicts: string[] }>;
  /** Ballots with a partial, per trustee index. */
  countsByTrustee(electionId: string): Promise<Map<number, number>>;
  /** Every trustee's partial of each ballot, in trustee order. */
  forBallots(electionId: string, ballotHashes: readonly string[]): Promise<Map<string, StoredPartial[]>>;
}

export const TRUSTEE_PARTIALS_TABLE = 'evote_trustee_partials';

/** x of a partial's `index.x.c.z` text (src/tally/partial-text.ts). */
const valueOf = (text: string) => text.split('.', 2)[1];

export function createTrusteePartialsStore(db: SqlExecutor): TrusteePartialsStore {
  return {
    async put(electionId, trusteeIndex, partials) {
      const hashes = partials.map((p) => p.ballotHash);
      const inserted = await db.query(
        `insert into ${TRUSTEE_PARTIALS_TABLE} (election_id, trustee_index, ballot_hash, partial)
         select $1, $2, x.h, x.p from unnest($3::text[], $4::text[]) as x(h, p)
         on conflict do nothing`,
        [electionId, trusteeIndex, hashes, partials.map((p) => p.partial)],
      );
      if (inserted.rowCount === partials.length) return { stored: inserted.rowCount, conflicts: [] };
      const { rows } = await db.query<{ ballot_hash: string; partial: string }>(
        `select ballot_hash, partial from ${TRUSTEE_PARTIALS_TABLE} where election_id = $1 and trustee_index = $2 and ballot_hash = any($3::text[])`,
        [electionId, trusteeIndex, hashes],
      );
      // The proof is randomised, so a recomputed partial repeats only its value x: same x, a repeat (the first proof stays).
      const stored = new Map(rows.map((r) => [r.ballot_hash, valueOf(r.partial)]));
      return { stored: inserted.rowCount, conflicts: partials.filter((p) => stored.get(p.ballotHash) !== valueOf(p.partial)).map((p) => p.ballotHash) };
    },

    async countsByTrustee(electionId) {
      const { rows } = await db.query<{ trustee_index: number; n: number }>(
        `select trustee_index, count(*)::int as n from ${TRUSTEE_PARTIALS_TABLE} where election_id = $1 group by trustee_index`,
        [electionId],
      );
      return new Map(rows.map((r) => [r.trustee_index, r.n]));
    },

    async forBallots(electionId, ballotHashes) {
      const { rows } = await db.query<{ ballot_hash: string; trustee_index: number; partial: string }>(
        `select ballot_hash, trustee_index, partial from ${TRUSTEE_PARTIALS_TABLE}
         where election_id = $1 and ballot_hash = any($2::text[]) order by ballot_hash, trustee_index`,
        [electionId, ballotHashes],
      );
      const out = new Map<string, StoredPartial[]>();
      for (const r of rows) {
        const list = out.get(r.ballot_hash) ?? [];
        list.push({ trusteeIndex: r.trustee_index, partial: r.partial });
        out.set(r.ballot_hash, list);
      }
      return out;
    },
  };
}
