/**
 * Opening one ballot of a trustee election: r = c0^d by combining k trustees' partial decryptions,
 * then the same r^e = c0 check, decryption and reading as with the counter's key. A combination that
 * does not give r^e = c0 is reported `failed`: the tally's main thread then checks the batch proofs
 * of the partials involved, names the failing trustees and opens the ballot again with the honest
 * ones (trustee-opening.ts, docs/trustees.md).
 */
import type { KeyObject } from 'node:crypto';
import { decodeBallotCiphertext, decryptWithRevealedR } from '../crypto/ballot-encryption.ts';
import { bigIntToBytes, bytesToBigInt, toBase64url } from '../crypto/bytes.ts';
import { verify } from '../crypto/blind-rsa.ts';
import { combineMany, type PartialValue, type ThresholdParams } from '../crypto/threshold-rsa.ts';
import { partialValueFromText } from './partial-text.ts';
import { readOpenedBallot, type OpenedBallot } from './classify.ts';
import { classCheck, type ClassKey } from './weighted-signature.ts';
import type { StoredPartial } from './trustee-partials-store.ts';

export interface ThresholdBallotKeys {
  electionId: string;
  params: ThresholdParams;
  ballotPublicKey: KeyObject;
  authorityPublicKey: KeyObject;
  /** A weighted election's class keys: the signature is checked against these instead. */
  classes?: ClassKey[];
  /** Modulus length in bytes (r is published at this length, as with the counter's key). */
  kLen: number;
}

export interface TrusteeFault {
  trusteeIndex: number;
  partial: string;
}

/**
 * `short`: fewer than k usable partials; `failed`: the first k did not combine to an e-th root of c0
 * (a wrong value among them). Neither is opened, and neither is ever reported undecryptable for that.
 */
export type ThresholdOpening = { opened: OpenedBallot; faults: TrusteeFault[] } | { short: { have: number }; faults: TrusteeFault[] } | { failed: true; faults: TrusteeFault[] };

const unusable: OpenedBallot = { kind: 'undecryptable', revealedR: null, choice: null, n2Commitment: null };

export function openBallotWithPartials(keys: ThresholdBallotKeys, ciphertext: string, stored: readonly StoredPartial[]): ThresholdOpening {
  return openBallotsWithPartials(keys, [ciphertext], [stored])[0] as ThresholdOpening;
}

interface Parsed {
  c0: bigint;
  values: PartialValue[];
  faults: TrusteeFault[];
}

function parseBallot(keys: ThresholdBallotKeys, ciphertext: string, stored: readonly StoredPartial[]): Parsed | undefined {
  const decoded = decodeBallotCiphertext(ciphertext);
  if (!decoded.ok) return undefined;
  const c0 = bytesToBigInt(decoded.value.c0);
  if (c0 <= 1n || c0 >= keys.params.n) return undefined;
  const faults: TrusteeFault[] = [];
  const values: PartialValue[] = [];
  for (const s of stored) {
    // No unit check: a non-unit x cannot pass the combination's y^e = c0, and its batch proof then fails.
    const parsed = partialValueFromText(keys.params, s.partial, { checkUnit: false });
    if (parsed.ok && parsed.value.index === s.trusteeIndex) values.push(parsed.value);
    else faults.push({ trusteeIndex: s.trusteeIndex, partial: s.partial });
  }
  return { c0, values, faults };
}

/** Many ballots at once: the combinations share one modular inverse (combineMany); no proof is checked here. */
export function openBallotsWithPartials(keys: ThresholdBallotKeys, ciphertexts: readonly string[], stored: readonly (readonly StoredPartial[])[]): ThresholdOpening[] {
  const parsed = ciphertexts.map((c, i) => parseBallot(keys, c, stored[i] ?? []));
  const usable = parsed.filter((p): p is Parsed => p !== undefined);
  const combined = combineMany(keys.params, usable.map((p) => p.c0), usable.map((p) => p.values));
  let next = 0;
  return parsed.map((p, i): ThresholdOpening => {
    if (!p) return { opened: unusable, faults: [] };
    const result = combined[next++];
    if (!result?.ok) {
      if (result?.error.code === 'COMBINATION_FAILED') return { failed: true, faults: p.faults };
      return { short: { have: p.values.length }, faults: p.faults };
    }
    return { opened: readWithRoot(keys, ciphertexts[i] as string, result.value), faults: p.faults };
  });
}

// r^e = c0 holds (the combination checked it); decryptWithRevealedR checks it again, as anyone will.
function readWithRoot(keys: ThresholdBallotKeys, ciphertext: string, root: bigint): OpenedBallot {
  const r = bigIntToBytes(root, keys.kLen);
  const decrypted = decryptWithRevealedR(keys.ballotPublicKey, r, ciphertext, keys.electionId);
  if (!decrypted.ok) return { kind: 'undecryptable', revealedR: toBase64url(r), choice: null, n2Commitment: null };
  return readOpenedBallot(keys.classes ? classCheck(keys.classes) : (m, sig) => verify(keys.authorityPublicKey, m, sig), keys.electionId, decrypted.value.plaintext, toBase64url(r));
}
