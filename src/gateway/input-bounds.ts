/**
 * Bounds JSON Schema cannot state: nesting depth (on the text, before JSON.parse), well-formed
 * strings and exactly representable numbers, which PostgreSQL would refuse with an exception.
 */
import { isWellFormedText } from '../crypto/bytes.ts';

/** A full election.create (64 choices of 200 three-byte characters) is ~40 KB; a ballot under 9 KB. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
/** Envelope → payload → array → object leaves room; no message nests deeper than 4. */
export const MAX_JSON_DEPTH = 8;
/** Commas outside strings: election.create at its limits has ~70 (64 choices); parsing cost grows with them. */
export const MAX_JSON_ITEMS = 256;

const OPEN_BRACE = 123; // {
const OPEN_BRACKET = 91; // [
const CLOSE_BRACE = 125;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const QUOTE = 34;
const BACKSLASH = 92;

export type ShapeViolation = { maxDepth: number } | { maxItems: number };

/** Whether the text nests deeper than maxDepth or separates more than maxItems values; one pass before JSON.parse. */
export function jsonShapeViolation(text: string, maxDepth = MAX_JSON_DEPTH, maxItems = MAX_JSON_ITEMS): ShapeViolation | undefined {
  let depth = 0;
  let items = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(text, i + 1);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return { maxDepth };
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    else if (c === COMMA && ++items > maxItems) return { maxItems };
  }
  return undefined;
}

/** Index of the quote that ends a string starting at `from`, or the text's end (JSON.parse refuses it then). */
function closingQuote(text: string, from: number): number {
  for (let q = text.indexOf('"', from); q >= 0; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return text.length;
}

export interface BoundsViolation {
  instancePath: string;
  message: string;
}


const ILL_FORMED = 'must be well-formed Unicode (no lone surrogate)';
const OUT_OF_RANGE = `must be a finite number of magnitude at most ${Number.MAX_SAFE_INTEGER}`;

/** The first ill-formed string or number beyond ±2^53 − 1, as a JSON-Pointer-like path (depth already bounded). */
export function findUnboundedValue(value: unknown, path = ''): BoundsViolation | undefined {
  if (typeof value === 'string') return isWellFormedText(value) ? undefined : { instancePath: path, message: ILL_FORMED };
  if (typeof value === 'number') return Math.abs(value) <= Number.MAX_SAFE_INTEGER ? undefined : { instancePath: path, message: OUT_OF_RANGE };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnboundedValue(value[i], `${path}/${i}`);
      if (found) return found;
    }
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      // The key itself goes into the reply's path: an ill-formed one is named by its parent.
      if (!isWellFormedText(key)) return { instancePath: path, message: `property names ${ILL_FORMED}` };
      const found = findUnboundedValue(member, `${path}/${key}`);
      if (found) return found;
    }
  }
  return undefined;
}
