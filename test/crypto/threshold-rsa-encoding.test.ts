import { describe, expect, it } from 'vitest';
import { randomBytes, toBase64url } from '../../src/crypto/bytes.ts';
import {
  dealFromSafePrimes,
  encodePartial,
  encodeShare,
  encodeThresholdParams,
  parsePartial,
  parseShare,
  parseThresholdParams,
  partialDecrypt,
  type EncodedThresholdParams,
  type TrusteeShare,
} from '../../src/crypto/threshold-rsa.ts';

// Safe primes of 64 bits each (p = 2p'+1, both prime), so that n has 16 bytes and values have leading zeros often.
const dealt = dealFromSafePrimes({ p: 15130903089553560143n, q: 14243626529518968707n, k: 2, l: 3 });
const partial = partialDecrypt(dealt.params, dealt.shares[0] as TrusteeShare, 12345n);

function code(r: { ok: boolean; error?: { code: string } }): string | undefined {
  return r.ok ? undefined : r.error?.code;
}

describe('threshold RSA JSON forms', () => {
  it('round-trip params, shares and partials through JSON text', () => {
    const params = JSON.parse(JSON.stringify(encodeThresholdParams(dealt.params)));
    expect(params.scheme).toBe('shoup-threshold-rsa/v1');
    expect(params.v).toHaveLength(Math.ceil((16 * 4) / 3));
    expect(parseThresholdParams(params)).toEqual({ ok: true, value: dealt.params });
    for (const share of dealt.shares) expect(parseShare(JSON.parse(JSON.stringify(encodeShare(share))))).toEqual({ ok: true, value: share });
    const text = JSON.parse(JSON.stringify(encodePartial(dealt.params, partial)));
    expect(parsePartial(dealt.params, text)).toEqual({ ok: true, value: partial });
  });

  it('refuses each malformed field with MALFORMED_THRESHOLD_DATA, naming the field and no value', () => {
    const good = encodeThresholdParams(dealt.params);
    const zeroPadded = toBase64url(new Uint8Array([0, ...Buffer.from(good.n, 'base64url')]));
    const cases: [unknown, string][] = [
      [null, 'params is not an object'],
      [[], 'params is not an object'],
      [{ ...good, extra: 1 }, 'params has an unknown field'],
      [{ ...good, scheme: 'other' }, 'params.scheme is not shoup-threshold-rsa/v1'],
      [{ ...good, n: zeroPadded }, 'params.n is not a canonical base64url integer'],
      [{ ...good, n: good.n + '=' }, 'params.n is not a canonical base64url integer'],
      [{ ...good, n: 'AQ' }, 'params.n is not an odd modulus'],
      [{ ...good, e: 'Aw' }, 'params.e is not 65537'],
      [{ ...good, k: 4 }, 'params.k is not an integer in 1..3'],
      [{ ...good, k: 1.5 }, 'params.k is not an integer in 1..3'],
      [{ ...good, l: 65 }, 'params.l is not an integer in 1..64'],
      [{ ...good, v: toBase64url(new Uint8Array(15).fill(1)) }, 'params.v is not 16 base64url bytes'],
      [{ ...good, v: good.n }, 'params.v is not a unit below n'],
      [{ ...good, v: toBase64url(new Uint8Array(16)) }, 'params.v is not a unit below n'],
      [{ ...good, vi: good.vi.slice(1) }, 'params.vi is not a list of l keys'],
      [{ ...good, vi: [good.vi[0], 7, good.vi[2]] }, 'params.vi[1] is not 16 base64url bytes'],
    ];
    for (const [value, message] of cases) {
      expect(parseThresholdParams(value as EncodedThresholdParams)).toEqual({ ok: false, error: { kind: 'CryptoError', code: 'MALFORMED_THRESHOLD_DATA', message } });
    }
  });

  it('refuses malformed shares and partials, and a partial whose x is not below n', () => {
    const share = encodeShare(dealt.shares[1] as TrusteeShare);
    expect(code(parseShare({ ...share, index: 0 }))).toBe('MALFORMED_THRESHOLD_DATA');
    expect(code(parseShare({ index: 1 }))).toBe('MALFORMED_THRESHOLD_DATA');
    const bad = parseShare({ ...share, s: 'AA' + share.s });
    expect(bad.ok ? '' : bad.error.message).toBe('share.s is not a canonical base64url integer');
    const p = encodePartial(dealt.params, partial);
    const nBytes = Buffer.from(encodeThresholdParams(dealt.params).n, 'base64url');
    expect(code(parsePartial(dealt.params, { ...p, x: toBase64url(nBytes) }))).toBe('MALFORMED_THRESHOLD_DATA');
    expect(code(parsePartial(dealt.params, { ...p, index: 4 }))).toBe('MALFORMED_THRESHOLD_DATA');
    expect(code(parsePartial(dealt.params, { ...p, proof: { c: toBase64url(new Uint8Array(17).fill(1)), z: p.proof.z } }))).toBe('MALFORMED_THRESHOLD_DATA');
    expect(code(parsePartial(dealt.params, { ...p, proof: { c: p.proof.c } }))).toBe('MALFORMED_THRESHOLD_DATA');
  });

  it('never throws on random input', () => {
    for (let i = 0; i < 300; i++) {
      const junk = toBase64url(randomBytes(i % 40));
      const values: unknown[] = [junk, { index: i, s: junk }, { index: 1, x: junk, proof: { c: junk, z: junk } }, { scheme: 'shoup-threshold-rsa/v1', n: junk, e: 'AQAB', k: 1, l: 1, v: junk, vi: [junk] }];
      for (const value of values) {
        expect(() => parseShare(value)).not.toThrow();
        expect(() => parsePartial(dealt.params, value)).not.toThrow();
        expect(() => parseThresholdParams(value)).not.toThrow();
      }
    }
  });
});
