/** The ballot message and canonical JSON, byte for byte as src/crypto/canonical.ts (docs/crypto.md). */
import { concatBytes, isWellFormedText, lengthPrefixed, utf8 } from './bytes.ts';

export const BALLOT_MESSAGE_TAG = 'evote/ballot/v2';

export interface BallotMessage {
  electionId: string;
  choice: string;
  /** n2Commitment(N2, salt), never N2 itself. */
  n2Commitment: string;
}

function field(text: string, name: string): Uint8Array {
  if (!isWellFormedText(text)) throw new RangeError(`${name} is not well-formed Unicode`);
  return lengthPrefixed(utf8(text));
}

/** Throws RangeError only for strings that are not well-formed UTF-16 (a caller bug). */
export function encodeBallotMessage(message: BallotMessage): Uint8Array {
  return concatBytes(field(BALLOT_MESSAGE_TAG, 'tag'), field(message.electionId, 'electionId'), field(message.choice, 'choice'), field(message.n2Commitment, 'n2Commitment'));
}

function serialize(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return '[' + value.map((v: unknown, i) => {
      if (v === undefined) throw new TypeError(`canonicalJson: undefined array element at ${path}[${i}]`);
      return serialize(v, `${path}[${i}]`);
    }).join(',') + ']';
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) {
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units: JCS's order (RFC 8785 §3.2.3).
      const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
      return '{' + keys.map((k) => JSON.stringify(k) + ':' + serialize(record[k], `${path}.${k}`)).join(',') + '}';
    }
  }
  throw new TypeError(`canonicalJson: ${typeof value === 'object' ? 'non-plain object' : typeof value} at ${path}`);
}

/** Canonical JSON text (JCS style); undefined properties are omitted, anything not plain JSON throws TypeError. */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$');
}

export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8(canonicalJson(value));
}
