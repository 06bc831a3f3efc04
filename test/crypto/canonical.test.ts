import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonBytes, decodeBallotMessage, encodeBallotMessage, type BallotMessage } from '../../src/crypto/canonical.ts';
import { toHex } from '../../src/crypto/bytes.ts';

const enc = (m: BallotMessage): string => toHex(encodeBallotMessage(m));

describe('canonical ballot message', () => {
  it('is the tag and three fields, each as u32 big-endian length and UTF-8 bytes', () => {
    const bytes = encodeBallotMessage({ electionId: 'e1', choice: 'Oui', n2Commitment: 'AAEC' });
    const expected = Buffer.concat([
      Buffer.from([0, 0, 0, 15]), Buffer.from('evote/ballot/v2'),
      Buffer.from([0, 0, 0, 2]), Buffer.from('e1'),
      Buffer.from([0, 0, 0, 3]), Buffer.from('Oui'),
      Buffer.from([0, 0, 0, 4]), Buffer.from('AAEC'),
    ]);
    expect(toHex(bytes)).toBe(expected.toString('hex'));
  });

  it('separator characters inside fields cannot make two messages collide', () => {
    // Each pair would collide under a naive join with the separator they contain.
    const pairs: [BallotMessage, BallotMessage][] = [
      [{ electionId: 'e', choice: 'a|b', n2Commitment: 'c' }, { electionId: 'e', choice: 'a', n2Commitment: 'b|c' }],
      [{ electionId: 'e,x', choice: 'a', n2Commitment: 'n' }, { electionId: 'e', choice: 'x,a', n2Commitment: 'n' }],
      [{ electionId: 'e', choice: 'a\u0000b', n2Commitment: 'n' }, { electionId: 'e', choice: 'a', n2Commitment: 'b\u0000n' }],
      [{ electionId: 'e', choice: 'yes\n', n2Commitment: 'n' }, { electionId: 'e', choice: 'yes', n2Commitment: '\nn' }],
      [{ electionId: 'e', choice: '', n2Commitment: 'ab' }, { electionId: 'e', choice: 'a', n2Commitment: 'b' }],
      // A choice that embeds what looks like a length prefix and the next field.
      [{ electionId: 'e', choice: 'a\u0000\u0000\u0000\u0001b', n2Commitment: 'n' }, { electionId: 'e', choice: 'a', n2Commitment: 'b' }],
    ];
    const naive = (m: BallotMessage, sep: string): string => [m.electionId, m.choice, m.n2Commitment].join(sep);
    expect(naive(pairs[0]![0], '|')).toBe(naive(pairs[0]![1], '|'));
    expect(naive(pairs[1]![0], ',')).toBe(naive(pairs[1]![1], ','));
    expect(naive(pairs[2]![0], '\u0000')).toBe(naive(pairs[2]![1], '\u0000'));
    expect(naive(pairs[4]![0], '')).toBe(naive(pairs[4]![1], ''));
    for (const [a, b] of pairs) expect(enc(a)).not.toBe(enc(b));
  });

  it('decodes back to the same fields (Unicode included) and is injective on a sample', () => {
    const samples: BallotMessage[] = [
      { electionId: 'e1', choice: 'Oui', n2Commitment: 'AAEC' },
      { electionId: 'é', choice: '日本語 ✓ 🗳️', n2Commitment: '' },
      { electionId: '', choice: '', n2Commitment: '' },
      { electionId: 'e1', choice: 'Oui ', n2Commitment: 'AAEC' },
    ];
    const seen = new Set<string>();
    for (const m of samples) {
      const bytes = encodeBallotMessage(m);
      expect(decodeBallotMessage(bytes)).toEqual({ ok: true, value: m });
      seen.add(toHex(bytes));
    }
    expect(seen.size).toBe(samples.length);
  });

  it('refuses lone surrogates, which UTF-8 would silently turn into U+FFFD', () => {
    expect(() => encodeBallotMessage({ electionId: 'e', choice: '\uD800', n2Commitment: 'n' })).toThrow(RangeError);
    expect(() => encodeBallotMessage({ electionId: 'e', choice: 'a\uDC00', n2Commitment: 'n' })).toThrow(RangeError);
    expect(enc({ electionId: 'e', choice: '\uD83D\uDE00', n2Commitment: 'n' })).toBeTruthy();
  });

  it('decoding rejects trailing bytes, truncation, a wrong tag and invalid UTF-8', () => {
    const good = encodeBallotMessage({ electionId: 'e1', choice: 'Oui', n2Commitment: 'AAEC' });
    const code = (b: Uint8Array): string | undefined => {
      const r = decodeBallotMessage(b);
      return r.ok ? undefined : r.error.code;
    };
    expect(code(Uint8Array.from([...good, 0]))).toBe('MALFORMED_MESSAGE');
    expect(code(good.subarray(0, good.length - 1))).toBe('MALFORMED_MESSAGE');
    expect(code(new Uint8Array(0))).toBe('MALFORMED_MESSAGE');
    const wrongTag = Uint8Array.from(good);
    wrongTag[4] = 'E'.charCodeAt(0);
    expect(code(wrongTag)).toBe('MALFORMED_MESSAGE');
    const badUtf8 = Uint8Array.from(good);
    badUtf8[good.length - 1] = 0xff;
    expect(code(badUtf8)).toBe('MALFORMED_MESSAGE');
    const hugeLength = Uint8Array.from(good);
    hugeLength.set([0xff, 0xff, 0xff, 0xff], 19);
    expect(code(hugeLength)).toBe('MALFORMED_MESSAGE');
  });
});

describe('canonical JSON', () => {
  it('key order does not matter, at any depth', () => {
    const a = { type: 'BallotCast', data: { n1Hash: 'x', ciphertext: 'y', nested: { b: 1, a: [3, { d: 4, c: 5 }] } }, v: 1 };
    const b = { v: 1, data: { nested: { a: [3, { c: 5, d: 4 }], b: 1 }, ciphertext: 'y', n1Hash: 'x' }, type: 'BallotCast' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"data":{"ciphertext":"y","n1Hash":"x","nested":{"a":[3,{"c":5,"d":4}],"b":1}},"type":"BallotCast","v":1}');
  });

  it('array order does matter', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3 example)', () => {
    const input = JSON.parse('{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}') as unknown;
    // Checked on the text: Object.keys would put the integer-like key "1" first whatever the order.
    const sorted: [string, string][] = [
      ['\r', 'Carriage Return'], ['1', 'One'], ['\u0080', 'Control'], ['\u00f6', 'Latin Small Letter O With Diaeresis'],
      ['\u20ac', 'Euro Sign'], ['\ud83d\ude00', 'Emoji: Grinning Face'], ['\ufb33', 'Hebrew Letter Dalet With Dagesh'],
    ];
    expect(canonicalJson(input)).toBe('{' + sorted.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',') + '}');
  });

  it('serializes numbers, literals and strings as RFC 8785 section 3.2.2 shows', () => {
    const input = JSON.parse('{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}') as unknown;
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('has no whitespace, omits undefined properties, keeps -0 as 0', () => {
    expect(canonicalJson({ b: [1, { x: null }], a: 'x y', u: undefined, z: -0 })).toBe('{"a":"x y","b":[1,{"x":null}],"z":0}');
    expect(new TextDecoder().decode(canonicalJsonBytes({ é: 'ü' }))).toBe('{"é":"ü"}');
  });

  it('refuses values that are not plain JSON', () => {
    for (const bad of [NaN, Infinity, 1n, new Date(0), new Map(), [undefined], { a: () => 1 }, Symbol('s'), undefined]) {
      expect(() => canonicalJson(bad)).toThrow(TypeError);
    }
  });
});
