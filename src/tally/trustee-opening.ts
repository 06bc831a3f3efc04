/**
 * The tally's opening step for a trustee election: each chunk of ballots goes to the workers with
 * every trustee's stored partial; a ballot whose combination failed has its partials' batch proofs
 * checked here, the failing trustees are collected for TrusteeFaulted and the ballot is opened again
 * with the honest ones; a ballot short of k honest partials stops the tally with
 * NOT_ENOUGH_TRUSTEES (docs/trustees.md).
 */
import { createHash } from 'node:crypto';
import { domainError, type DomainError } from '../domain/errors.ts';
import type { TrusteeTranscript } from '../domain/trustees.ts';
import { decodeBallotCiphertext } from '../crypto/ballot-encryption.ts';
import { fromBase64url } from '../crypto/bytes.ts';
import type { OpenedBallot } from './classify.ts';
import type { CoveredBallot } from './covered-ballots.ts';
import type { BallotOpener, TallyPool } from './pool.ts';
import type { ThresholdParams } from '../crypto/threshold-rsa.ts';
import type { TrusteePartialsStore } from './trustee-partials-store.ts';
import { createBatchChecker, type BatchEvidence } from './trustee-batch-check.ts';

export interface NamedFault {
  trusteeIndex: number;
  trustee: string;
  ballotHash: string;
  partial: string;
  /** The trustee's batch whose proof failed (absent when the partial itself does not parse). */
  batch?: BatchEvidence;
}

/** Thrown out of the counting loop (the run then returns the coded error; what was counted stays). */
export class NotEnoughTrusteesError extends Error {
  constructor(readonly error: DomainError) {
    super(error.message);
  }
}

export function notEnoughTrustees(t: TrusteeTranscript, usable: readonly number[], faulty: readonly number[]): DomainError {
  const names = (ix: readonly number[]) => ix.map((i) => t.trustees.find((x) => x.index === i)?.name ?? String(i));
  return domainError('NOT_ENOUGH_TRUSTEES', `${usable.length} trustee(s) have usable partial decryptions for every ballot; ${t.threshold} are needed`, {
    have: usable.length,
    need: t.threshold,
    trustees: names(usable),
    ...(faulty.length > 0 && { faulty: names(faulty) }),
  });
}

const hashOf = (ciphertext: string) => createHash('sha256').update(fromBase64url(ciphertext) ?? new Uint8Array()).digest('hex');

/** Trustees who submitted a partial for every covered ballot that has a c0 (the others need none). */
export async function completeTrustees(store: TrusteePartialsStore, electionId: string, covered: readonly CoveredBallot[]): Promise<number[]> {
  const needed = covered.filter((b) => decodeBallotCiphertext(b.ciphertext).ok).length;
  const counts = await store.countsByTrustee(electionId);
  return [...counts].filter(([, n]) => n >= needed).map(([i]) => i).sort((a, b) => a - b);
}

export function trusteeOpener(deps: {
  pool: TallyPool;
  partials: TrusteePartialsStore;
  electionId: string;
  transcript: TrusteeTranscript;
  /** The transcript's parsed params: for checking batch proofs. */
  params: ThresholdParams;
  /** Named already (earlier runs): their partials are not used again. */
  excluded: ReadonlySet<number>;
  /** Filled as faults are found, one per trustee. */
  faults: Map<number, NamedFault>;
}): BallotOpener {
  const { transcript: t } = deps;
  const checkBatch = createBatchChecker(deps);
  const nameOf = (i: number) => t.trustees.find((x) => x.index === i)?.name ?? String(i);
  const name = (fault: NamedFault) => {
    if (!deps.faults.has(fault.trusteeIndex)) deps.faults.set(fault.trusteeIndex, fault);
  };
  return {
    async open(ciphertexts: string[]): Promise<OpenedBallot[]> {
      const hashes = ciphertexts.map(hashOf);
      const byHash = await deps.partials.forBallots(deps.electionId, hashes);
      const usable = (i: number) => !deps.excluded.has(i) && !deps.faults.has(i);
      const partialsOf = (ballot: number) => (byHash.get(hashes[ballot] as string) ?? []).filter((p) => usable(p.trusteeIndex));
      const shortOf = (ballot: number) => new NotEnoughTrusteesError(notEnoughTrustees(t, partialsOf(ballot).map((p) => p.trusteeIndex), [...deps.excluded, ...deps.faults.keys()]));
      const openSome = async (which: readonly number[]) => {
        const reply = await deps.pool.openWithPartials(which.map((i) => ciphertexts[i] as string), which.map(partialsOf));
        for (const f of reply.faults ?? []) name({ trusteeIndex: f.trusteeIndex, trustee: nameOf(f.trusteeIndex), ballotHash: hashes[which[f.ballot] as number] as string, partial: f.partial });
        return reply;
      };
      const reply = await openSome(ciphertexts.map((_, i) => i));
      const ballots = reply.ballots.slice();
      const failed = reply.failed ?? [];
      if (failed.length > 0) {
        // A wrong value among a ballot's first k: each partial's batch proof decides whose (verdicts cached per batch).
        for (const ballot of failed) {
          for (const p of partialsOf(ballot)) {
            const verdict = await checkBatch(p.trusteeIndex, p.batchId);
            if (!verdict.valid) name({ trusteeIndex: p.trusteeIndex, trustee: nameOf(p.trusteeIndex), ballotHash: hashes[ballot] as string, partial: p.partial, ...(verdict.evidence && { batch: verdict.evidence }) });
          }
        }
        const again = await openSome(failed);
        again.ballots.forEach((b, j) => (ballots[failed[j] as number] = b));
        const stuck = again.short?.[0]?.ballot ?? again.failed?.[0];
        if (stuck !== undefined) throw shortOf(failed[stuck] as number);
      }
      const short = reply.short?.[0];
      if (short) throw shortOf(short.ballot);
      return ballots;
    },
  };
}
