import type { ElectionRow } from '../projections/read-models.ts';
import { electionFingerprint } from '../crypto/election-fingerprint.ts';

/** Computed here from the public keys the server publishes (election.get), never taken from the server; null without them. */
export function fingerprintOf(e: Pick<ElectionRow, 'electionId' | 'authorityPublicKey' | 'ballotPublicKey' | 'logPublicKey'>): string | null {
  const { authorityPublicKey, ballotPublicKey, logPublicKey } = e;
  if (!authorityPublicKey || !ballotPublicKey || !logPublicKey) return null;
  const fp = electionFingerprint({ electionId: e.electionId, authorityPublicKey, ballotPublicKey, logPublicKey });
  return fp.ok ? fp.value : null;
}
