/**
 * The trustees' side of a trustee election's tally on the server: the covered ballots' c0 (what each
 * trustee decrypts) and the signed batches of partial decryptions they send back. Nothing here is
 * secret; partials are checked for form and origin only (their proofs are checked when a ballot
 * does not open, docs/trustees.md).
 */
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import type { EventStore } from '../eventstore/port.ts';
import type { SqlExecutor } from '../sql/client.ts';
import { domainError, type DomainError, type Result } from '../domain/errors.ts';
import { partialsBatchText, type TrusteeTranscript } from '../domain/trustees.ts';
import { decodeBallotCiphertext } from '../crypto/ballot-encryption.ts';
import { fromBase64url, toBase64url } from '../crypto/bytes.ts';
import { firstNonUnit, parseThresholdParams, type ThresholdParams } from '../crypto/threshold-rsa.ts';
import { batchIdOf, partialValueFromText, proofFromText } from './partial-text.ts';
import { readElectionFacts, type ElectionFacts } from './election-facts.ts';
import { TRUSTEE_PARTIALS_TABLE, type SubmittedPartial, type TrusteePartialsStore } from './trustee-partials-store.ts';

export const MAX_TRUSTEE_BALLOTS_PAGE = 1_000;
/** A batch's ballots (one proof each batch): 64 × ~430 bytes stay well under the gateway's default 64 KiB frame. */
export const MAX_PARTIALS_BATCH = 64;

export interface TrusteeBallot {
  position: number;
  ballotHash: string;
  /** base64url of the KEM ciphertext c0 = r^e mod n, big-endian, modulus size. */
  c0: string;
}

export interface PartialsSubmission {
  electionId: string;
  trusteeIndex: number;
  batch: number;
  /** `index.x` per ballot, in the order the batch's proof covers them. */
  partials: SubmittedPartial[];
  /** The batch's one proof, `c.z` (partialDecryptBatch). */
  proof: string;
  /** Ed25519 over partialsBatchText (values and proof), by the trustee's identity key; base64url. */
  signature: string;
}

export interface TrusteesOverview {
  transcript: TrusteeTranscript;
  /** Per trustee index (as a string key): ballots with a stored partial. */
  submitted: Record<string, number>;
}

export interface TrusteeSubmissions {
  /** The election's ceremony transcript (from the log) and how far each trustee's submissions are. */
  overview(electionId: string): Promise<Result<TrusteesOverview>>;
  /** The covered ballots (before VotingEnded, first copy of each) with position above `after`, in log order; with `missingFor`, only those without that trustee's partial. */
  ballots(electionId: string, page: { after?: number; limit?: number; missingFor?: number }): Promise<Result<{ ballots: TrusteeBallot[]; next: number | null }>>;
  submit(input: PartialsSubmission): Promise<Result<{ stored: number; batch: number }>>;
}

/** An ended trustee election's facts, or the coded reason it is not one. */
export async function endedTrusteeElection(store: EventStore, electionId: string): Promise<Result<ElectionFacts & { trustees: TrusteeTranscript; endedPosition: number }>> {
  const facts = await readElectionFacts(store, electionId);
  if (!facts) return { ok: false, error: domainError('ELECTION_NOT_FOUND', 'no such election', { electionId }) };
  if (!facts.trustees) return { ok: false, error: domainError('NOT_A_TRUSTEE_ELECTION', 'this election has no trustees: its counter key is on the server') };
  if (facts.status !== 'VOTE_ENDED' || facts.endedPosition === undefined) {
    return { ok: false, error: domainError('WRONG_STATE', `trustees decrypt after voting ended; the election is in ${facts.status}`, { current: facts.status, required: 'VOTE_ENDED' }) };
  }
  return { ok: true, value: facts as ElectionFacts & { trustees: TrusteeTranscript; endedPosition: number } };
}

function c0Of(ciphertext: string): string | null {
  const decoded = decodeBallotCiphertext(ciphertext);
  return decoded.ok ? toBase64url(decoded.value.c0) : null;
}

function checkSignature(trustee: { identityKey: string }, text: string, signature: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: trustee.identityKey }, format: 'jwk' });
    return verifySignature(null, Buffer.from(text), key, Buffer.from(fromBase64url(signature) ?? []));
  } catch {
    return false;
  }
}

function badPartials(input: PartialsSubmission, params: ThresholdParams): DomainError | undefined {
  if (!proofFromText(params, input.proof).ok) return domainError('INVALID_PARTIALS', "the batch's proof does not parse");
  const xs: bigint[] = [];
  for (const [i, p] of input.partials.entries()) {
    const parsed = partialValueFromText(params, p.partial, { checkUnit: false });
    if (!parsed.ok) return domainError('INVALID_PARTIALS', `partial ${i} does not parse`, { item: i });
    if (parsed.value.index !== input.trusteeIndex) return domainError('INVALID_PARTIALS', `partial ${i} is trustee ${parsed.value.index}'s, not ${input.trusteeIndex}'s`, { item: i });
    xs.push(parsed.value.x);
  }
  const nonUnit = firstNonUnit(xs, params.n);
  if (nonUnit >= 0) return domainError('INVALID_PARTIALS', `partial ${nonUnit} does not parse`, { item: nonUnit });
  if (new Set(input.partials.map((p) => p.ballotHash)).size !== input.partials.length) return domainError('INVALID_PARTIALS', 'a ballot appears twice in the batch');
  return undefined;
}

export function createTrusteeSubmissions(deps: { store: EventStore; sql: SqlExecutor; partials: TrusteePartialsStore }): TrusteeSubmissions {
  // Once voting ended an election's facts never change: read its stream once per process.
  type Ended = ElectionFacts & { trustees: TrusteeTranscript; endedPosition: number; params: ThresholdParams };
  const ended = new Map<string, Ended>();
  const factsOf = async (electionId: string): Promise<Result<Ended>> => {
    const cached = ended.get(electionId);
    if (cached) return { ok: true, value: cached };
    const facts = await endedTrusteeElection(deps.store, electionId);
    if (!facts.ok) return facts;
    const params = parseThresholdParams(facts.value.trustees.params);
    // The election was created with parsed parameters (checkTranscriptKeys): this is a broken log.
    if (!params.ok) throw new Error(`the threshold parameters of election ${electionId} do not parse`);
    const value = { ...facts.value, params: params.value };
    ended.set(electionId, value);
    return { ok: true, value };
  };

  return {
    async overview(electionId) {
      const facts = await readElectionFacts(deps.store, electionId);
      if (!facts) return { ok: false, error: domainError('ELECTION_NOT_FOUND', 'no such election', { electionId }) };
      if (!facts.trustees) return { ok: false, error: domainError('NOT_A_TRUSTEE_ELECTION', 'this election has no trustees: its counter key is on the server') };
      const counts = await deps.partials.countsByTrustee(electionId);
      return { ok: true, value: { transcript: facts.trustees, submitted: Object.fromEntries(facts.trustees.trustees.map((t) => [String(t.index), counts.get(t.index) ?? 0])) } };
    },

    async ballots(electionId, page) {
      const facts = await factsOf(electionId);
      if (!facts.ok) return facts;
      const limit = Math.min(MAX_TRUSTEE_BALLOTS_PAGE, Math.max(1, page.limit ?? MAX_TRUSTEE_BALLOTS_PAGE));
      const missing = page.missingFor === undefined ? '' : `and not exists (select 1 from ${TRUSTEE_PARTIALS_TABLE} p where p.election_id = v.election_id and p.ballot_hash = v.ballot_hash and p.trustee_index = $5)`;
      const { rows } = await deps.sql.query<{ position: number | string; ballot_hash: string; ciphertext: string }>(
        `select v.position, v.ballot_hash, v.ciphertext from votes v
         where v.election_id = $1 and v.position > $2 and v.position < $3
           and not exists (select 1 from votes w where w.ballot_hash = v.ballot_hash and w.election_id = v.election_id and w.position < v.position)
           ${missing}
         order by v.position limit $4`,
        [electionId, page.after ?? facts.value.createdPosition, facts.value.endedPosition, limit + 1, ...(page.missingFor === undefined ? [] : [page.missingFor])],
      );
      const ballots: TrusteeBallot[] = [];
      for (const r of rows.slice(0, limit)) {
        const c0 = c0Of(r.ciphertext);
        // A ciphertext that does not parse has no c0: the tally reports it UNDECRYPTABLE without partials.
        if (c0 !== null) ballots.push({ position: Number(r.position), ballotHash: r.ballot_hash, c0 });
      }
      const last = rows[Math.min(rows.length, limit) - 1];
      return { ok: true, value: { ballots, next: rows.length > limit && last ? Number(last.position) : null } };
    },

    async submit(input) {
      const facts = await factsOf(input.electionId);
      if (!facts.ok) return facts;
      const t = facts.value.trustees;
      const trustee = t.trustees.find((x) => x.index === input.trusteeIndex);
      const text = partialsBatchText(input.electionId, input.trusteeIndex, input.batch, input.partials, input.proof);
      if (!trustee || !checkSignature(trustee, text, input.signature)) {
        return { ok: false, error: domainError('INVALID_TRUSTEE_SIGNATURE', "the batch is not signed by this election's trustee of that index", { trusteeIndex: input.trusteeIndex }) };
      }
      const bad = badPartials(input, facts.value.params);
      if (bad) return { ok: false, error: bad };
      const hashes = input.partials.map((p) => p.ballotHash);
      const { rows } = await deps.sql.query<{ ballot_hash: string }>(
        `select distinct ballot_hash from votes where election_id = $1 and ballot_hash = any($2::text[]) and position < $3`,
        [input.electionId, hashes, facts.value.endedPosition],
      );
      if (rows.length !== new Set(hashes).size) return { ok: false, error: domainError('INVALID_PARTIALS', 'a partial names a ballot the tally does not cover') };
      const put = await deps.partials.put(input.electionId, input.trusteeIndex, { batchId: batchIdOf(hashes), partials: input.partials, proof: input.proof });
      if (put.conflicts.length > 0) {
        return { ok: false, error: domainError('PARTIALS_CONFLICT', 'another partial was already stored for a ballot of this batch', { ballotHash: put.conflicts[0], conflicts: put.conflicts.length }) };
      }
      return { ok: true, value: { stored: put.stored, batch: input.batch } };
    },
  };
}
