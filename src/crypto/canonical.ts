/**
 * Canonical encodings for what is hashed or signed: the ballot message and canonical JSON (docs/crypto.md).
 */
import { concatBytes, isWellFormedText, lengthPrefixed, utf8 } from './bytes.ts';
import { fail, ok, type CryptoResult } from './errors.ts';

export const BALLOT_MESSAGE_TAG = 'evote/ballot/v2';

export interface BallotMessage {
  electionId: string;
  choice: string;
  /** n2Commitment(N2, salt), never N2 itself: neither the letter nor the receipt alone finds the ballot. */
  n2Commitment: string;
}

/** A well-formed N2 commitment: 64 lowercase hex digits. */
export const isN2Commitment = (text: string) => /^[0-9a-f]{64}$/.test(text);

function field(text: string, name: string): Uint8Array {
  if (!isWellFormedText(text)) throw new RangeError(`${name} is not well-formed Unicode`);
  return lengthPrefixed(utf8(text));
}

/** Throws RangeError only for strings that are not well-formed UTF-16 (a caller bug). */
export function encodeBallotMessage(message: BallotMessage): Uint8Array {
  return concatBytes(
    field(BALLOT_MESSAGE_TAG, 'tag'),
    field(message.electionId, 'electionId'),
    field(message.choice, 'choice'),
    field(message.n2Commitment, 'n2Commitment'),
  );
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict inverse of encodeBallotMessage: exactly four fields, the right tag, valid UTF-8, no trailing bytes. */
export function decodeBallotMessage(bytes: Uint8Array): CryptoResult<BallotMessage> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fields: string[] = [];
  let offset = 0;
  while (fields.length < 4) {
    if (offset + 4 > bytes.length) return fail('MALFORMED_MESSAGE', 'ballot message is truncated');
    const length = view.getUint32(offset);
    offset += 4;
    if (length > bytes.length - offset) return fail('MALFORMED_MESSAGE', 'ballot message field overruns the message');
    try {
      fields.push(strictUtf8.decode(bytes.subarray(offset, offset + length)));
    } catch {
      return fail('MALFORMED_MESSAGE', 'ballot message field is not valid UTF-8');
    }
    offset += length;
  }
  if (offset !== bytes.length) return fail('MALFORMED_MESSAGE', 'ballot message has trailing bytes');
  const [tag, electionId, choice, n2Commitment] = fields as [string, string, string, string];
  if (tag !== BALLOT_MESSAGE_TAG) return fail('MALFORMED_MESSAGE', 'ballot message has the wrong domain tag');
  return ok({ electionId, choice, n2Commitment });
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

function serialize(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: non-finite number at ${path}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return '[' + value.map((v, i) => {
      if (v === undefined) throw new TypeError(`canonicalJson: undefined array element at ${path}[${i}]`);
      return serialize(v, `${path}[${i}]`);
    }).join(',') + ']';
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units: JCS's order (RFC 8785 §3.2.3).
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + serialize(record[k], `${path}.${k}`)).join(',') + '}';
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
