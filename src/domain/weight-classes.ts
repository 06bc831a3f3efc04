/**
 * Weighted voters (docs/methods.md "Weighted voters"): one authority key per distinct weight, fixed
 * in ElectionCreated. A ballot's class is the key its signature verifies under; the class gives the weight.
 */
import { domainError, type DomainError } from './errors.ts';

export interface WeightClass {
  weight: number;
  /** SPKI DER, base64url, as ElectionCreated's authorityPublicKey. */
  authorityPublicKey: string;
}

export const MAX_WEIGHT = 1_000_000;
export const MAX_WEIGHT_CLASSES = 16;
/**
 * The smallest class VotingStarted accepts: BlindSignatureIssued names the class, so a ballot hides
 * only among the ballots of its class (docs/credentials.md "Weight classes and secrecy").
 */
export const MIN_CLASS_VOTERS = 2;

const WEIGHT_RE = /^[1-9][0-9]{0,6}$/;

/** A positive integer weight written in a CSV cell or a --weights list, or undefined. */
export function parseWeight(text: string): number | undefined {
  const t = text.trim();
  if (!WEIGHT_RE.test(t)) return undefined;
  const n = Number(t);
  return n <= MAX_WEIGHT ? n : undefined;
}

/** `--weights 1,2,5`: distinct positive integers, sorted ascending, at least two. */
export function parseWeightList(text: string): number[] | DomainError {
  const parts = text.split(',');
  const weights = parts.map(parseWeight);
  if (weights.some((w) => w === undefined)) return domainError('INVALID_WEIGHTS', `weights are positive integers up to ${MAX_WEIGHT}, comma-separated`);
  return validateWeights(weights as number[]);
}

/** The classes' weights as a command carries them: distinct, 2 to MAX_WEIGHT_CLASSES, returned sorted. */
export function validateWeights(weights: unknown): number[] | DomainError {
  if (!Array.isArray(weights) || weights.length < 2 || weights.length > MAX_WEIGHT_CLASSES) {
    return domainError('INVALID_WEIGHTS', `a weighted election has 2 to ${MAX_WEIGHT_CLASSES} weight classes`);
  }
  if (!weights.every((w) => Number.isSafeInteger(w) && (w as number) >= 1 && (w as number) <= MAX_WEIGHT)) {
    return domainError('INVALID_WEIGHTS', `weights are positive integers up to ${MAX_WEIGHT}`);
  }
  const sorted = [...(weights as number[])].sort((a, b) => a - b);
  if (sorted.some((w, i) => i > 0 && w === sorted[i - 1])) return domainError('INVALID_WEIGHTS', 'weights must be distinct');
  return sorted;
}

/** ElectionCreated's classes: valid weights, each with its own key, none equal to another's. */
export function validateWeightClasses(classes: unknown, otherKeys: readonly string[]): WeightClass[] | DomainError {
  if (!Array.isArray(classes)) return domainError('INVALID_WEIGHTS', 'weight classes must be a list');
  const weights = validateWeights(classes.map((c: unknown) => (typeof c === 'object' && c !== null ? (c as WeightClass).weight : undefined)));
  if (!Array.isArray(weights)) return weights;
  const keys = classes.map((c: WeightClass) => c.authorityPublicKey);
  if (!keys.every((k) => typeof k === 'string' && /^[A-Za-z0-9_-]{300,800}$/.test(k))) {
    return domainError('INVALID_ELECTION_KEYS', 'each weight class needs an RSA authority key (SPKI DER, base64url)');
  }
  if (new Set([...keys, ...otherKeys]).size !== keys.length + new Set(otherKeys).size) {
    return domainError('INVALID_ELECTION_KEYS', "each weight class's key must differ from every other key of the election");
  }
  return [...(classes as WeightClass[])].map(({ weight, authorityPublicKey }) => ({ weight, authorityPublicKey })).sort((a, b) => a.weight - b.weight);
}

/** A voter's CSV weight: absent means 1 only in an unweighted election; in a weighted one it must name a class. */
export function voterWeight(cell: string | undefined, weights: readonly number[] | null, line: number): number | null | DomainError {
  if (weights === null) {
    if (cell === undefined || cell.trim() === '') return null;
    return domainError('INVALID_WEIGHT', `line ${line}: this election has no weight classes; remove the weight column`, { line });
  }
  const w = cell === undefined ? undefined : parseWeight(cell);
  if (w === undefined || !weights.includes(w)) {
    return domainError('INVALID_WEIGHT', `line ${line}: the weight must be one of the election's classes (${weights.join(', ')})`, { line, classes: [...weights] });
  }
  return w;
}

/**
 * The weight of a ballot in a weighted election: that of the first class whose key verifies its
 * signature, or null (INVALID_SIGNATURE). The tally and the audit both read weights this way.
 */
export function verifyingWeight<K>(classes: readonly { weight: number; key: K }[], verifies: (key: K) => boolean): number | null {
  return classes.find((c) => verifies(c.key))?.weight ?? null;
}

/**
 * The published class a voter's weight names (`ballot.weightClass`'s answer), whose key the voter blinds
 * under and verifies with; undefined when the election did not publish that class (WEIGHT_CLASS_UNKNOWN).
 */
export function publishedClass(classes: readonly WeightClass[], weight: unknown): WeightClass | undefined {
  return classes.find((c) => c.weight === weight);
}

/** Voters per class at opening; the first class below MIN_CLASS_VOTERS refuses VotingStarted. */
export function smallClass(classes: readonly WeightClass[], votersPerWeight: ReadonlyMap<number, number>): DomainError | undefined {
  for (const c of classes) {
    const n = votersPerWeight.get(c.weight) ?? 0;
    if (n < MIN_CLASS_VOTERS) {
      return domainError('WEIGHT_CLASS_TOO_SMALL', `weight class ${c.weight} has ${n} voter(s); each class needs at least ${MIN_CLASS_VOTERS} so its ballots are not linked to a voter`, {
        weight: c.weight,
        voters: n,
        minimum: MIN_CLASS_VOTERS,
      });
    }
  }
  return undefined;
}

/** How many times a counted vote counts (the counting methods' hook): its class weight, 1 when unweighted. */
export function voteWeight(vote: { weight?: number }): number {
  return vote.weight ?? 1;
}
