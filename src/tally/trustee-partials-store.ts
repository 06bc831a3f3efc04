/**
 * The trustees' partial decryptions in SQL (evote_trustee_partials, evote_trustee_batches): a batch
 * is stored idempotently (the same values again are a no-op, another value for a trustee's ballot is
 * a conflict and nothing of the batch is stored), read per ballot by the tally, and a batch whole
 * when its proof must be checked.
 */
import type { SqlExecutor } from '../sql/client.ts';

export interface SubmittedPartial {
  ballotHash: string;
  /** `index.x` (partial-text.ts). */
  partial: string;
}

/** One signed submission: its ballots in order, their values and the batch's one proof. */
export interface SubmittedBatch {
  /** batchIdOf(the ballot hashes in order). */
  batchId: string;
  partials: readonly SubmittedPartial[];
  /** `c.z` (partial-text.ts). */
  proof: string;
}

export interface StoredPartial {
  trusteeIndex: number;
  partial: string;
  /** The batch the partial was first stored in (null: stored before batches existed). */
  batchId: string | null;
}

export interface StoredBatch {
  trusteeIndex: number;
  batchId: string;
  ballotHashes: string[];
  partials: string[];
  proof: string;
  /** The votes' ciphertexts by ballot hash (first copy), for the c0 each value decrypts. */
  ciphertexts: Map<string, string>;
}

export interface TrusteePartialsStore {
  /** Stores what is new; returns the ballot hashes whose stored partial has another value x (nothing of the batch is stored then). */
  put(electionId: string, trusteeIndex: number, batch: SubmittedBatch): Promise<{ stored: number; conflicts: string[] }>;
  /** Ballots with a partial, per trustee index. */
  countsByTrustee(electionId: string): Promise<Map<number, number>>;
  /** Every trustee's partial of each ballot, in trustee order. */
  forBallots(electionId: string, ballotHashes: readonly string[]): Promise<Map<string, StoredPartial[]>>;
  /** A stored batch, with its ballots' ciphertexts. */
  batch(electionId: string, trusteeIndex: number, batchId: string): Promise<StoredBatch | undefined>;
}

export const TRUSTEE_PARTIALS_TABLE = 'evote_trustee_partials';
export const TRUSTEE_BATCHES_TABLE = 'evote_trustee_batches';

export function createTrusteePartialsStore(db: SqlExecutor): TrusteePartialsStore {
  const conflictsOf = async (electionId: string, trusteeIndex: number, partials: readonly SubmittedPartial[]): Promise<string[]> => {
    const { rows } = await db.query<{ ballot_hash: string; partial: string }>(
      `select ballot_hash, partial from ${TRUSTEE_PARTIALS_TABLE} where election_id = $1 and trustee_index = $2 and ballot_hash = any($3::text[])`,
      [electionId, trusteeIndex, partials.map((p) => p.ballotHash)],
    );
    const stored = new Map(rows.map((r) => [r.ballot_hash, r.partial]));
    return partials.filter((p) => stored.has(p.ballotHash) && stored.get(p.ballotHash) !== p.partial).map((p) => p.ballotHash);
  };

  return {
    async put(electionId, trusteeIndex, batch) {
      const before = await conflictsOf(electionId, trusteeIndex, batch.partials);
      if (before.length > 0) return { stored: 0, conflicts: before };
      const hashes = batch.partials.map((p) => p.ballotHash);
      const values = batch.partials.map((p) => p.partial);
      // One statement: the batch row exists whenever a partial names it; a batch of repeats only (the same values grouped again) adds nothing.
      const { rows } = await db.query<{ n: number }>(
        `with p as (
           insert into ${TRUSTEE_PARTIALS_TABLE} (election_id, trustee_index, ballot_hash, partial, batch_id)
           select $1, $2, x.h, x.p, $3 from unnest($4::text[], $5::text[]) as x(h, p)
           on conflict do nothing returning 1
         ), b as (
           insert into ${TRUSTEE_BATCHES_TABLE} (election_id, trustee_index, batch_id, ballot_hashes, partials, proof)
           select $1, $2, $3, $4::text[], $5::text[], $6 where exists (select 1 from p)
           on conflict do nothing
         )
         select count(*)::int as n from p`,
        [electionId, trusteeIndex, batch.batchId, hashes, values, batch.proof],
      );
      const stored = Number(rows[0]?.n ?? 0);
      // Same values already stored (a repeat: the first batch stays), or another submission won a race with other values.
      return { stored, conflicts: stored === batch.partials.length ? [] : await conflictsOf(electionId, trusteeIndex, batch.partials) };
    },

    async countsByTrustee(electionId) {
      const { rows } = await db.query<{ trustee_index: number; n: number }>(
        `select trustee_index, count(*)::int as n from ${TRUSTEE_PARTIALS_TABLE} where election_id = $1 group by trustee_index`,
        [electionId],
      );
      return new Map(rows.map((r) => [r.trustee_index, r.n]));
    },

    async forBallots(electionId, ballotHashes) {
      const { rows } = await db.query<{ ballot_hash: string; trustee_index: number; partial: string; batch_id: string | null }>(
        `select ballot_hash, trustee_index, partial, batch_id from ${TRUSTEE_PARTIALS_TABLE}
         where election_id = $1 and ballot_hash = any($2::text[]) order by ballot_hash, trustee_index`,
        [electionId, ballotHashes],
      );
      const out = new Map<string, StoredPartial[]>();
      for (const r of rows) {
        const list = out.get(r.ballot_hash) ?? [];
        list.push({ trusteeIndex: r.trustee_index, partial: r.partial, batchId: r.batch_id });
        out.set(r.ballot_hash, list);
      }
      return out;
    },

    async batch(electionId, trusteeIndex, batchId) {
      const { rows } = await db.query<{ ballot_hashes: string[]; partials: string[]; proof: string }>(
        `select ballot_hashes, partials, proof from ${TRUSTEE_BATCHES_TABLE} where election_id = $1 and trustee_index = $2 and batch_id = $3`,
        [electionId, trusteeIndex, batchId],
      );
      const row = rows[0];
      if (!row) return undefined;
      const votes = await db.query<{ ballot_hash: string; ciphertext: string }>(
        `select distinct on (ballot_hash) ballot_hash, ciphertext from votes where election_id = $1 and ballot_hash = any($2::text[]) order by ballot_hash, position`,
        [electionId, row.ballot_hashes],
      );
      return { trusteeIndex, batchId, ballotHashes: row.ballot_hashes, partials: row.partials, proof: row.proof, ciphertexts: new Map(votes.rows.map((v) => [v.ballot_hash, v.ciphertext])) };
    },
  };
}
