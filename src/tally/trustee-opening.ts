/**
 * The tally's opening step for a trustee election: each chunk of ballots goes to the workers with
 * every trustee's stored partial; faulty trustees are collected for TrusteeFaulted, and a ballot
 * short of k honest partials stops the tally with NOT_ENOUGH_TRUSTEES (docs/trustees.md).
 */
import { createHash } from 'node:crypto';
import { domainError, type DomainError } from '../domain/errors.ts';
import type { TrusteeTranscript } from '../domain/trustees.ts';
import { decodeBallotCiphertext } from '../crypto/ballot-encryption.ts';
import { fromBase64url } from '../crypto/bytes.ts';
import type { OpenedBallot } from './classify.ts';
import type { CoveredBallot } from './covered-ballots.ts';
import type { BallotOpener, TallyPool } from './pool.ts';
import type { TrusteePartialsStore } from './trustee-partials-store.ts';

export interface NamedFault {
  trusteeIndex: number;
  trustee: string;
  ballotHash: string;
  partial: string;
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
  /** Named already (earlier runs): their partials are not used again. */
  excluded: ReadonlySet<number>;
  /** Filled as faults are found, one per trustee. */
  faults: Map<number, NamedFault>;
}): BallotOpener {
  const { transcript: t } = deps;
  return {
    async open(ciphertexts: string[]): Promise<OpenedBallot[]> {
      const hashes = ciphertexts.map(hashOf);
      const byHash = await deps.partials.forBallots(deps.electionId, hashes);
      const usable = (i: number) => !deps.excluded.has(i) && !deps.faults.has(i);
      const reply = await deps.pool.openWithPartials(ciphertexts, hashes.map((h) => (byHash.get(h) ?? []).filter((p) => usable(p.trusteeIndex))));
      for (const f of reply.faults ?? []) {
        if (deps.faults.has(f.trusteeIndex)) continue;
        const trustee = t.trustees.find((x) => x.index === f.trusteeIndex)?.name ?? String(f.trusteeIndex);
        deps.faults.set(f.trusteeIndex, { trusteeIndex: f.trusteeIndex, trustee, ballotHash: hashes[f.ballot] as string, partial: f.partial });
      }
      const short = reply.short?.[0];
      if (short) {
        const holders = (byHash.get(hashes[short.ballot] as string) ?? []).map((p) => p.trusteeIndex).filter(usable);
        throw new NotEnoughTrusteesError(notEnoughTrustees(t, holders, [...deps.excluded, ...deps.faults.keys()]));
      }
      return reply.ballots;
    },
  };
}
