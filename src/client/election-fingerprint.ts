import type { ElectionRow } from '../projections/read-models.ts';
import { electionFingerprint } from '../crypto/election-fingerprint.ts';

/**
 * Computed here from what the server publishes (election.get: the keys, the trustees' part of
 * TrusteesAppointed, the named witnesses, the ballot rules, the weight classes), never taken from the server; null without the keys.
 */
export function fingerprintOf(e: Pick<ElectionRow, 'electionId' | 'authorityPublicKey' | 'ballotPublicKey' | 'logPublicKey' | 'trustees' | 'witnesses' | 'ballot' | 'weightClasses'>): string | null {
  const { authorityPublicKey, ballotPublicKey, logPublicKey } = e;
  if (!authorityPublicKey || !ballotPublicKey || !logPublicKey) return null;
  const fp = electionFingerprint({ electionId: e.electionId, authorityPublicKey, ballotPublicKey, logPublicKey, trustees: e.trustees ?? null, witnesses: e.witnesses ?? [], ballot: e.ballot ?? null, weightClasses: e.weightClasses ?? null });
  return fp.ok ? fp.value : null;
}
