import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/crypto/canonical.ts';
import { canonicalObjectMembers, isCanonicalJson } from '../../src/crypto/canonical-scan.ts';
import { mulberry32 } from '../support/prng.ts';

/** The definition the scanner must agree with on every text, JSON or not. */
function oracle(text: string): boolean {
  try {
    return canonicalJson(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

// Characters chosen to reach every branch of string scanning: escapes, control characters,
// surrogate pairs and lone halves, and characters JSON.stringify keeps as they are.
const STRING_CHARS = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', '\u2028', 'é', '😀', '\ud800', '\udc00', '{', ':', ','];

function randomValue(rand: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const r = rand();
  if (depth > 3 || r < 0.45) {
    const kind = Math.floor(rand() * 6);
    if (kind === 0) return null;
    if (kind === 1) return rand() < 0.5;
    if (kind === 2) return pick([0, -0, 1, -1, 7, 10, 1e21, 1.5, -2.25, 0.1, 1e-7, 123456789012, 2 ** 53, Number.MAX_VALUE, 5e-324]);
    return Array.from({ length: Math.floor(rand() * 6) }, () => pick(STRING_CHARS)).join('');
  }
  if (r < 0.7) return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) o[randomValue(rand, 4) as string] = randomValue(rand, depth + 1);
  return o;
}

/** Single-character edits that turn a text into a near miss: inserted, deleted or replaced characters. */
function mutate(text: string, rand: () => number): string {
  const edits = ['', ' ', '"', '\\', ',', ':', '0', '1', '-', '.', 'e', 'E', '+', '{', '}', '[', ']', 'u', 'a', '\n', '\ud800'];
  const at = Math.floor(rand() * (text.length + 1));
  const edit = edits[Math.floor(rand() * edits.length)] as string;
  const kind = rand();
  if (kind < 0.34) return text.slice(0, at) + edit + text.slice(at);
  if (kind < 0.67) return text.slice(0, at) + text.slice(at + 1);
  return text.slice(0, at) + edit + text.slice(at + 1);
}

describe('isCanonicalJson', () => {
  it('accepts what canonicalJson writes, for random values', () => {
    const rand = mulberry32(9474);
    for (let i = 0; i < 3000; i++) {
      const text = canonicalJson(randomValue(rand));
      expect(isCanonicalJson(text), text).toBe(true);
    }
  });

  it('agrees with canonicalJson(JSON.parse(text)) === text on near misses of canonical texts', () => {
    const rand = mulberry32(8785);
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = mutate(canonicalJson(randomValue(rand)), rand);
      const expected = oracle(text);
      expect(isCanonicalJson(text), JSON.stringify(text)).toBe(expected);
      if (!expected) refused++;
    }
    // The edits must really produce non-canonical texts, or the agreement proves little.
    expect(refused).toBeGreaterThan(10_000);
  });

  it('agrees on other spellings of the same values: unsorted keys, spaces, JSON.stringify', () => {
    const rand = mulberry32(6962);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(rand);
      for (const text of [JSON.stringify(value), JSON.stringify(value, null, 1), JSON.stringify(value, null, '\t')]) {
        if (text === undefined) continue;
        expect(isCanonicalJson(text), text).toBe(oracle(text));
      }
    }
  });

  it.each([
    ['{"a":1,"a":2}', 'a key twice'],
    ['{"b":1,"a":2}', 'keys out of order'],
    ['-0', 'minus zero'],
    ['1.0', 'a trailing zero'],
    ['1e3', 'an exponent JSON.stringify does not write'],
    ['1E+21', 'an upper-case exponent'],
    ['01', 'a leading zero'],
    ['1e400', 'a number beyond a double'],
    ['9007199254740993', 'an integer a double cannot hold'],
    ['12345678901234567890', 'an integer JSON.stringify writes otherwise'],
    ['"\\u0041"', 'an escape for a plain character'],
    ['"\\/"', 'an escaped slash'],
    ['"\\u001F"', 'an upper-case hex escape'],
    ['"\u0001"', 'a raw control character'],
    ['"\ud800"', 'a raw lone surrogate'],
    ['"\udc00\ud800"', 'surrogates in the wrong order'],
    ['{"a": 1}', 'a space'],
    ['{"a":1} ', 'a trailing space'],
    ['{"a":1}x', 'trailing characters'],
    ['{"a":1', 'a missing brace'],
    ['"abc', 'an unterminated string'],
    ['"a\\', 'an unterminated escape'],
    ['[1,]', 'a trailing comma'],
    ['tru', 'a truncated literal'],
    ['', 'nothing'],
  ])('refuses %s (%s)', (text) => {
    expect(oracle(text)).toBe(false);
    expect(isCanonicalJson(text)).toBe(false);
  });

  it.each([
    ['"\\ud800"', 'an escaped lone surrogate'],
    ['"\\u001f\\n\\"\\\\"', 'the escapes JSON.stringify writes'],
    ['"😀\u2028\u007f"', 'a surrogate pair and characters kept as they are'],
    ['{"":0,"\\u0000":1,"a":[true,false,null,{}]}', 'an escaped key, in code-unit order'],
    ['1e+21', 'the exponent JSON.stringify writes'],
    ['5e-324', 'the smallest double'],
    ['123456789012345', 'a fifteen-digit integer'],
    ['9007199254740992', 'two to the 53rd'],
    ['[0,-1,10]', 'small integers'],
  ])('accepts %s (%s)', (text) => {
    expect(oracle(text)).toBe(true);
    expect(isCanonicalJson(text)).toBe(true);
  });

  it('refuses nesting deep enough to exhaust the stack instead of throwing', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(isCanonicalJson(deep)).toBe(false);
  });
});

describe('canonicalObjectMembers', () => {
  it('gives each top-level member with its decoded key and its exact span', () => {
    const text = canonicalJson({ data: { b: [1, { c: 'x' }], a: 'y' }, '\n': 2, leafIndex: 3, type: 'T' });
    const members = canonicalObjectMembers(text);
    expect(members?.map((m) => m.key)).toEqual(['\n', 'data', 'leafIndex', 'type']);
    for (const m of members ?? []) {
      const member = JSON.parse(`{${text.slice(m.start, m.end)}}`) as Record<string, unknown>;
      expect(Object.keys(member)).toEqual([m.key]);
    }
    expect(text.slice(members?.[1]?.start, members?.[1]?.end)).toBe('"data":{"a":"y","b":[1,{"c":"x"}]}');
  });

  it('is undefined for a non-canonical object and for anything but an object', () => {
    expect(canonicalObjectMembers('{"b":1,"a":2}')).toBeUndefined();
    expect(canonicalObjectMembers('[1]')).toBeUndefined();
    expect(canonicalObjectMembers('"x"')).toBeUndefined();
    expect(canonicalObjectMembers('{}')).toEqual([]);
  });
});
