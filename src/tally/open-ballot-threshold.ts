/**
 * Opening one ballot of a trustee election: r = c0^d by combining k trustees' partial decryptions,
 * then the same r^e = c0 check, decryption and reading as with the counter's key. A combination that
 * does not give r^e = c0 has its partials' proofs checked (combineNamingFaults): the failing trustees
 * are named, and the ballot is opened with the honest ones if at least k remain (docs/trustees.md).
 */
import type { KeyObject } from 'node:crypto';
import { decodeBallotCiphertext, decryptWithRevealedR } from '../crypto/ballot-encryption.ts';
import { bigIntToBytes, bytesToBigInt, toBase64url } from '../crypto/bytes.ts';
import { verify } from '../crypto/blind-rsa.ts';
import { combineNamingFaults, type PartialDecryption, type ThresholdParams } from '../crypto/threshold-rsa.ts';
import { partialFromText } from './partial-text.ts';
import { readOpenedBallot, type OpenedBallot } from './classify.ts';
import type { StoredPartial } from './trustee-partials-store.ts';

export interface ThresholdBallotKeys {
  electionId: string;
  params: ThresholdParams;
  ballotPublicKey: KeyObject;
  authorityPublicKey: KeyObject;
  /** Modulus length in bytes (r is published at this length, as with the counter's key). */
  kLen: number;
}

export interface TrusteeFault {
  trusteeIndex: number;
  partial: string;
}

/** `short`: fewer than k honest partials, so the ballot is NOT opened (never reported undecryptable for that). */
export type ThresholdOpening = { opened: OpenedBallot; faults: TrusteeFault[] } | { short: { have: number }; faults: TrusteeFault[] };

const unusable: OpenedBallot = { kind: 'undecryptable', revealedR: null, choice: null, n2Commitment: null };

export function openBallotWithPartials(keys: ThresholdBallotKeys, ciphertext: string, stored: readonly StoredPartial[]): ThresholdOpening {
  const decoded = decodeBallotCiphertext(ciphertext);
  if (!decoded.ok) return { opened: unusable, faults: [] };
  const c0 = bytesToBigInt(decoded.value.c0);
  if (c0 <= 1n || c0 >= keys.params.n) return { opened: unusable, faults: [] };

  const faults: TrusteeFault[] = [];
  const candidates: { stored: StoredPartial; parsed: PartialDecryption }[] = [];
  for (const s of stored) {
    const parsed = partialFromText(keys.params, s.partial);
    if (parsed.ok && parsed.value.index === s.trusteeIndex) candidates.push({ stored: s, parsed: parsed.value });
    else faults.push({ trusteeIndex: s.trusteeIndex, partial: s.partial });
  }
  const { result, faulty } = combineNamingFaults(keys.params, c0, candidates.map((c) => c.parsed));
  for (const c of candidates) if (faulty.includes(c.stored.trusteeIndex)) faults.push({ trusteeIndex: c.stored.trusteeIndex, partial: c.stored.partial });
  if (!result.ok) return { short: { have: candidates.length - faulty.length }, faults };
  // r^e = c0 holds (combinePartials checked it); decryptWithRevealedR checks it again, as anyone will.
  const r = bigIntToBytes(result.value, keys.kLen);
  const decrypted = decryptWithRevealedR(keys.ballotPublicKey, r, ciphertext, keys.electionId);
  if (!decrypted.ok) return { opened: { kind: 'undecryptable', revealedR: toBase64url(r), choice: null, n2Commitment: null }, faults };
  const opened = readOpenedBallot((m, sig) => verify(keys.authorityPublicKey, m, sig), keys.electionId, decrypted.value.plaintext, toBase64url(r));
  return { opened, faults };
}
