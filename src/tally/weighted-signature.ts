/**
 * The authority check of a weighted election (docs/methods.md "Weighted voters"): a ballot's
 * signature is tried against each class key (a few public operations) and the class that verifies
 * gives its weight. Used by the tally's workers, in both the counter-key and the trustee paths.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { verify } from '../crypto/blind-rsa.ts';
import { verifyingWeight } from '../domain/weight-classes.ts';
import type { ElectionFacts } from './election-facts.ts';
import type { WeightedAuthorityCheck } from './classify.ts';

export interface ClassKey {
  weight: number;
  key: KeyObject;
}

/** WorkerInit's part: each class's weight and SPKI DER; nothing for an unweighted election. */
export function weightClassInit(facts: Pick<ElectionFacts, 'weightClasses'>): { weightClasses?: { weight: number; spki: Uint8Array }[] } {
  if (!facts.weightClasses) return {};
  return { weightClasses: facts.weightClasses.map((c) => ({ weight: c.weight, spki: new Uint8Array(Buffer.from(c.authorityPublicKey, 'base64url')) })) };
}

export function importClassKeys(classes: readonly { weight: number; spki: Uint8Array }[] | undefined): ClassKey[] | undefined {
  return classes?.map((c) => ({ weight: c.weight, key: createPublicKey({ key: Buffer.from(c.spki), format: 'der', type: 'spki' }) }));
}

/** The weight of the class whose key verifies the signature, or null (INVALID_SIGNATURE). */
export function classCheck(classes: readonly ClassKey[]): WeightedAuthorityCheck {
  return (m, s) => verifyingWeight(classes, (key) => verify(key, m, s));
}
