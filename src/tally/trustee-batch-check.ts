/**
 * The tally's check of a trustee's batch proof (verifyPartialBatch), run only when a ballot's
 * combination failed: the batch is read whole with its ballots' c0, and each batch's verdict is
 * kept, so one bad batch is verified once per run.
 */
import { decodeBallotCiphertext } from '../crypto/ballot-encryption.ts';
import { bytesToBigInt } from '../crypto/bytes.ts';
import type { ThresholdParams } from '../crypto/threshold-rsa.ts';
import { verifyPartialBatch } from '../crypto/threshold-rsa-batch.ts';
import { partialValueFromText, proofFromText } from './partial-text.ts';
import type { StoredBatch, TrusteePartialsStore } from './trustee-partials-store.ts';

/** A failed batch, as the log's evidence: anyone re-checks it with the c0 of its ballots on the log. */
export interface BatchEvidence {
  id: string;
  ballotHashes: string[];
  partials: string[];
  proof: string;
}

export type BatchVerdict = { valid: true } | { valid: false; evidence?: BatchEvidence };

function verifies(params: ThresholdParams, trusteeIndex: number, batch: StoredBatch): boolean {
  const proof = proofFromText(params, batch.proof);
  if (!proof.ok || batch.partials.length !== batch.ballotHashes.length) return false;
  const xs: bigint[] = [];
  const cs: bigint[] = [];
  for (const [j, text] of batch.partials.entries()) {
    const value = partialValueFromText(params, text, { checkUnit: false });
    const decoded = decodeBallotCiphertext(batch.ciphertexts.get(batch.ballotHashes[j] as string) ?? '');
    if (!value.ok || value.value.index !== trusteeIndex || !decoded.ok) return false;
    xs.push(value.value.x);
    cs.push(bytesToBigInt(decoded.value.c0));
  }
  return verifyPartialBatch(params, cs, { index: trusteeIndex, xs, proof: proof.value });
}

export function createBatchChecker(deps: { partials: TrusteePartialsStore; electionId: string; params: ThresholdParams }): (trusteeIndex: number, batchId: string | null) => Promise<BatchVerdict> {
  const verdicts = new Map<string, Promise<BatchVerdict>>();
  const check = async (trusteeIndex: number, batchId: string | null): Promise<BatchVerdict> => {
    // A partial without a batch has no proof to show (stored before batched proofs).
    if (batchId === null) return { valid: false };
    const batch = await deps.partials.batch(deps.electionId, trusteeIndex, batchId);
    if (!batch) return { valid: false };
    if (verifies(deps.params, trusteeIndex, batch)) return { valid: true };
    return { valid: false, evidence: { id: batch.batchId, ballotHashes: batch.ballotHashes, partials: batch.partials, proof: batch.proof } };
  };
  return (trusteeIndex, batchId) => {
    const key = `${trusteeIndex} ${batchId ?? ''}`;
    let verdict = verdicts.get(key);
    if (!verdict) verdicts.set(key, (verdict = check(trusteeIndex, batchId)));
    return verdict;
  };
}
