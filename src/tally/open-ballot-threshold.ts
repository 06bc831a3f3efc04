/**
 * Opening one ballot of a trustee election: r = c0^d by combining k trustees' partial decryptions,
 * then the same r^e = c0 check, decryption and reading as with the counter's key. A combination that
 * does not give r^e = c0 has its partials' proofs checked: the failing trustees are named, and the
 * ballot is opened with the honest ones if at least k remain (docs/trustees.md).
 */
import type { KeyObject } from 'node:crypto';
import { decodeBallotCiphertext, decryptWithRevealedR } from '../crypto/ballot-encryption.ts';
import { bigIntToBytes, bytesToBigInt, toBase64url } from '../crypto/bytes.ts';
import { verify } from '../crypto/blind-rsa.ts';
import { combinePartials, verifyPartial, type PartialDecryption, type ThresholdParams } from '../crypto/threshold-rsa.ts';
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
  let candidates: { stored: StoredPartial; parsed: PartialDecryption }[] = [];
  for (const s of stored) {
    const parsed = partialFromText(keys.params, s.partial);
    if (parsed.ok && parsed.value.index === s.trusteeIndex) candidates.push({ stored: s, parsed: parsed.value });
    else faults.push({ trusteeIndex: s.trusteeIndex, partial: s.partial });
  }
  let verified = false;
  for (;;) {
    if (candidates.length < keys.params.k) return { short: { have: candidates.length }, faults };
    const opened = tryCombination(keys, ciphertext, c0, candidates.slice(0, keys.params.k).map((c) => c.parsed));
    if (opened) return { opened, faults };
    if (verified) return { short: { have: candidates.length }, faults };
    // Rare: only now pay for the proofs (a few exponentiations per partial).
    const honest = candidates.filter((c) => verifyPartial(keys.params, c0, c.parsed));
    for (const c of candidates) if (!honest.includes(c)) faults.push({ trusteeIndex: c.stored.trusteeIndex, partial: c.stored.partial });
    candidates = honest;
    verified = true;
  }
}

/** The opened ballot when these partials combine to an r with r^e = c0, else undefined. */
function tryCombination(keys: ThresholdBallotKeys, ciphertext: string, c0: bigint, partials: PartialDecryption[]): OpenedBallot | undefined {
  const combined = combinePartials(keys.params, c0, partials);
  if (!combined.ok) return undefined;
  const r = bigIntToBytes(combined.value, keys.kLen);
  const decrypted = decryptWithRevealedR(keys.ballotPublicKey, r, ciphertext, keys.electionId);
  if (!decrypted.ok) {
    if (decrypted.error.code === 'REVEALED_SECRET_MISMATCH') return undefined;
    // r is right (r^e = c0) but the rest does not open: publish r so anyone can confirm it.
    return { kind: 'undecryptable', revealedR: combined.value <= 1n ? null : toBase64url(r), choice: null, n2Commitment: null };
  }
  return readOpenedBallot((m, s) => verify(keys.authorityPublicKey, m, s), keys.electionId, decrypted.value.plaintext, toBase64url(r));
}
