/**
 * Tells whether a JSON text already equals canonicalJson(JSON.parse(text)) without parsing it, so the
 * auditor can hash an event line as it is. A refusal only sends the caller to the slow path.
 */

/** One member of the top-level object: its decoded key, and where `"key":value` starts and ends. */
export interface CanonicalMember {
  key: string;
  start: number;
  end: number;
}

// Characters a canonical string holds as they are (JSON.stringify escapes controls and lone surrogates).
// eslint-disable-next-line no-control-regex
const PLAIN_RUN = /[^"\\\u0000-\u001f\ud800-\udfff]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const NOT_CANONICAL = -1;

/** The index past the canonical string token starting at `i` (a quote), or NOT_CANONICAL. */
function scanString(t: string, i: number): number {
  let p = i + 1;
  for (;;) {
    PLAIN_RUN.lastIndex = p;
    PLAIN_RUN.test(t);
    p = PLAIN_RUN.lastIndex;
    if (p >= t.length) return NOT_CANONICAL;
    const c = t.charCodeAt(p);
    if (c === QUOTE) return p + 1;
    if (c === BACKSLASH) return scanEscapedString(t, i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = t.charCodeAt(p + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        p += 2;
        continue;
      }
    }
    return NOT_CANONICAL;
  }
}

/** The rare string with an escape: canonical when JSON.stringify writes it back the same. */
function scanEscapedString(t: string, i: number): number {
  let p = i + 1;
  while (p < t.length) {
    const c = t.charCodeAt(p);
    if (c === QUOTE) break;
    p += c === BACKSLASH ? 2 : 1;
  }
  if (p >= t.length) return NOT_CANONICAL;
  const token = t.slice(i, p + 1);
  let value: unknown;
  try {
    value = JSON.parse(token);
  } catch {
    return NOT_CANONICAL;
  }
  return JSON.stringify(value) === token ? p + 1 : NOT_CANONICAL;
}

function allDigits(t: string, from: number, to: number): boolean {
  for (let p = from; p < to; p++) {
    const c = t.charCodeAt(p);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function scanNumber(t: string, i: number): number {
  NUMBER.lastIndex = i;
  if (!NUMBER.test(t)) return NOT_CANONICAL;
  const end = NUMBER.lastIndex;
  // Usually a non-negative integer below 2^53, written back as it is; anything else is checked by writing it back.
  if (end - i <= 15 && allDigits(t, i, end)) return end;
  const token = t.slice(i, end);
  // JSON.stringify(-0) is "0" and of a number too large for a double "null": neither is the token.
  return JSON.stringify(Number(token)) === token ? end : NOT_CANONICAL;
}

function scanLiteral(t: string, i: number, literal: string): number {
  return t.startsWith(literal, i) ? i + literal.length : NOT_CANONICAL;
}

function scanValue(t: string, i: number): number {
  switch (t.charCodeAt(i)) {
    case QUOTE:
      return scanString(t, i);
    case OPEN_BRACE:
      return scanObject(t, i, undefined);
    case OPEN_BRACKET:
      return scanArray(t, i);
    case 0x74: // t
      return scanLiteral(t, i, 'true');
    case 0x66: // f
      return scanLiteral(t, i, 'false');
    case 0x6e: // n
      return scanLiteral(t, i, 'null');
    default:
      return scanNumber(t, i);
  }
}

function scanArray(t: string, i: number): number {
  let p = i + 1;
  if (t.charCodeAt(p) === CLOSE_BRACKET) return p + 1;
  for (;;) {
    p = scanValue(t, p);
    if (p === NOT_CANONICAL) return NOT_CANONICAL;
    const c = t.charCodeAt(p);
    if (c === CLOSE_BRACKET) return p + 1;
    if (c !== COMMA) return NOT_CANONICAL;
    p++;
  }
}

function scanObject(t: string, i: number, members: CanonicalMember[] | undefined): number {
  let p = i + 1;
  if (t.charCodeAt(p) === CLOSE_BRACE) return p + 1;
  let previousKey: string | undefined;
  for (;;) {
    if (t.charCodeAt(p) !== QUOTE) return NOT_CANONICAL;
    const keyEnd = scanString(t, p);
    if (keyEnd === NOT_CANONICAL) return NOT_CANONICAL;
    const raw = t.slice(p + 1, keyEnd - 1);
    const key = raw.includes('\\') ? (JSON.parse(t.slice(p, keyEnd)) as string) : raw;
  // UTF-16 code-unit order, as canonicalJson sorts; strictly increasing also refuses a duplicate key.
    if (previousKey !== undefined && !(previousKey < key)) return NOT_CANONICAL;
    previousKey = key;
    if (t.charCodeAt(keyEnd) !== COLON) return NOT_CANONICAL;
    const end = scanValue(t, keyEnd + 1);
    if (end === NOT_CANONICAL) return NOT_CANONICAL;
    members?.push({ key, start: p, end });
    const c = t.charCodeAt(end);
    if (c === CLOSE_BRACE) return end + 1;
    if (c !== COMMA) return NOT_CANONICAL;
    p = end + 1;
  }
}

/** True when `text` is exactly canonicalJson(JSON.parse(text)). */
export function isCanonicalJson(text: string): boolean {
  try {
    return scanValue(text, 0) === text.length;
  } catch {
    return false;
  }
}

/** The members of a canonical JSON object, in order; undefined when `text` is not one. */
export function canonicalObjectMembers(text: string): CanonicalMember[] | undefined {
  if (text.charCodeAt(0) !== OPEN_BRACE) return undefined;
  const members: CanonicalMember[] = [];
  try {
    return scanObject(text, 0, members) === text.length ? members : undefined;
  } catch {
    return undefined;
  }
}
