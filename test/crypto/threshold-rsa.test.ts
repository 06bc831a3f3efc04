import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { bigIntToBytes, bytesToBigInt } from '../../src/crypto/bytes.ts';
import {
  batchInverse,
  combineManyNamingFaults,
  combineNamingFaults,
  combinePartials,
  dealFromSafePrimes,
  dealThresholdKey,
  firstNonUnit,
  partialDecrypt,
  verifyPartial,
  type DealtThresholdKey,
  type PartialDecryption,
  type TrusteeShare,
} from '../../src/crypto/threshold-rsa.ts';
import { randomBelow, refCombine, refFactorial, refInverse, refModPow } from './threshold-reference.ts';

const subsets = <T>(items: readonly T[], size: number): T[][] =>
  size === 0 ? [[]] : items.flatMap((item, i) => subsets(items.slice(i + 1), size - 1).map((rest) => [item, ...rest]));

function errorCode<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): string | undefined {
  return r.ok ? undefined : r.error.code;
}

describe('threshold RSA: a hand-checkable vector with the safe primes 1019 = 2·509+1 and 1187 = 2·593+1', () => {
  // Every number below was computed by hand (Python's pow): n = pq, m = p'q', d = e⁻¹ mod m,
  // f(X) = d + 12345·X, v = 5², c = 4242^e, Δ = 3! = 6, S = {1, 3}: λ = (9, -3), a·144 + b·e = 1.
  const dealt = dealFromSafePrimes({ p: 1019n, q: 1187n, k: 2, l: 3, coefficients: [12345n], vSeed: 5n });
  const c = 161295n;

  it('deals the published numbers', () => {
    const m = 509n * 593n;
    expect(m).toBe(301837n);
    expect((156185n * 65537n) % m).toBe(1n);
    expect(dealt.params).toEqual({ n: 1209553n, e: 65537n, k: 2, l: 3, v: 25n, vi: [772406n, 1196610n, 700739n] });
    expect(dealt.shares).toEqual([
      { index: 1, s: 168530n },
      { index: 2, s: 180875n },
      { index: 3, s: 193220n },
    ]);
    expect(refModPow(4242n, 65537n, 1209553n)).toBe(c);
  });

  it('gives the partial decryptions x_i = c^(2Δ s_i), each with a valid proof', () => {
    const partials = dealt.shares.map((s) => partialDecrypt(dealt.params, s, c));
    expect(partials.map((p) => p.x)).toEqual([465643n, 273869n, 1000111n]);
    for (const p of partials) expect(verifyPartial(dealt.params, c, p)).toBe(true);
  });

  it('combines S = {1, 3} to w = 1106903 and y = 4242', () => {
    const [p1, , p3] = dealt.shares.map((s) => partialDecrypt(dealt.params, s, c)) as PartialDecryption[];
    const w = (refModPow(465643n, 18n, 1209553n) * refModPow(refInverse(1000111n, 1209553n), 6n, 1209553n)) % 1209553n;
    expect(w).toBe(1106903n);
    expect(-7737n * 144n + 17n * 65537n).toBe(1n);
    const y = (refModPow(refInverse(w, 1209553n), 7737n, 1209553n) * refModPow(c, 17n, 1209553n)) % 1209553n;
    expect(y).toBe(4242n);
    expect(combinePartials(dealt.params, c, [p1 as PartialDecryption, p3 as PartialDecryption])).toEqual({ ok: true, value: 4242n });
  });

  it('combines any 2 of the 3, in any order; 1 is not enough', () => {
    const partials = dealt.shares.map((s) => partialDecrypt(dealt.params, s, c));
    for (const pair of subsets(partials, 2)) {
      expect(combinePartials(dealt.params, c, pair)).toEqual({ ok: true, value: 4242n });
      expect(combinePartials(dealt.params, c, [...pair].reverse())).toEqual({ ok: true, value: 4242n });
    }
    for (const p of partials) expect(errorCode(combinePartials(dealt.params, c, [p]))).toBe('NOT_ENOUGH_SHARES');
  });
});

describe('threshold RSA with a dealt 2048-bit key, 2 of 3', () => {
  let dealt: DealtThresholdKey;
  beforeAll(async () => {
    dealt = await dealThresholdKey({ bits: 2048, k: 2, l: 3 });
  }, 300_000);

  it('publishes an SPKI public key node:crypto reads, with the params n and e = 65537', () => {
    const key = createPublicKey({ key: Buffer.from(dealt.publicKeySpki), format: 'der', type: 'spki' });
    expect(key.asymmetricKeyType).toBe('rsa');
    const jwk = key.export({ format: 'jwk' });
    expect(bytesToBigInt(Buffer.from(jwk.n as string, 'base64url'))).toBe(dealt.params.n);
    expect(jwk.e).toBe('AQAB');
    expect(dealt.params.n.toString(2)).toHaveLength(2048);
  });

  it('deals verification keys v_i = v^(s_i) with v a square, shares below n', () => {
    const { n, v, vi } = dealt.params;
    dealt.shares.forEach((share, i) => {
      expect(share.index).toBe(i + 1);
      expect(share.s > 0n && share.s < n / 4n).toBe(true);
      expect(vi[i]).toBe(refModPow(v, share.s, n));
    });
  });

  it("decrypts a c0 made by node:crypto's publicEncrypt(RSA_NO_PADDING) under the published key back to r, with any 2 trustees", () => {
    const key = createPublicKey({ key: Buffer.from(dealt.publicKeySpki), format: 'der', type: 'spki' });
    const r = randomBelow(dealt.params.n);
    const c0 = bytesToBigInt(publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, bigIntToBytes(r, 256)));
    const partials = dealt.shares.map((s) => partialDecrypt(dealt.params, s, c0));
    for (const pair of subsets(partials, 2)) expect(combinePartials(dealt.params, c0, pair)).toEqual({ ok: true, value: r });
  });

  it('matches the BigInt reference: x_i = c^(2Δ s_i), the combination, y^e = c', () => {
    const { n, e } = dealt.params;
    for (let round = 0; round < 2; round++) {
      const c = randomBelow(n);
      const partials = dealt.shares.map((s) => partialDecrypt(dealt.params, s, c));
      partials.forEach((p, i) => expect(p.x).toBe(refModPow(c, 2n * refFactorial(3) * (dealt.shares[i]?.s as bigint), n)));
      const combined = combinePartials(dealt.params, c, [partials[2] as PartialDecryption, partials[0] as PartialDecryption]);
      if (!combined.ok) throw new Error(combined.error.code);
      expect(combined.value).toBe(refCombine(n, e, 3, c, [partials[2] as PartialDecryption, partials[0] as PartialDecryption]));
      expect(refModPow(combined.value, e, n)).toBe(c);
    }
  });

  it('one trustee is not enough: a clear error, and forcing the combination of one share misses c', () => {
    const c = randomBelow(dealt.params.n);
    const partial = partialDecrypt(dealt.params, dealt.shares[1] as TrusteeShare, c);
    const oneTwice = combinePartials(dealt.params, c, [partial, partial]);
    expect(oneTwice.ok).toBe(false);
    if (!oneTwice.ok) {
      expect(oneTwice.error.code).toBe('NOT_ENOUGH_SHARES');
      expect(oneTwice.error.message).toBe("1 distinct trustees' partial decryptions, 2 needed");
    }
    const forced = refCombine(dealt.params.n, dealt.params.e, 3, c, [partial]);
    expect(refModPow(forced, dealt.params.e, dealt.params.n)).not.toBe(c);
  });

  it('a tampered partial fails verifyPartial, and the combination with it fails; -x is the same partial (Shoup squares it)', () => {
    const { n, v } = dealt.params;
    const c = randomBelow(n);
    const [good1, good2, good3] = dealt.shares.map((s) => partialDecrypt(dealt.params, s, c)) as PartialDecryption[];
    const honest = good1 as PartialDecryption;
    expect(verifyPartial(dealt.params, c, honest)).toBe(true);
    const tampered: PartialDecryption[] = [
      { ...honest, x: (honest.x * v) % n },
      { ...honest, x: (honest.x * 2n) % n },
      { ...honest, proof: { c: honest.proof.c ^ 1n, z: honest.proof.z } },
      { ...honest, proof: { c: honest.proof.c, z: honest.proof.z + 1n } },
      { ...honest, index: 2 },
    ];
    for (const bad of tampered) expect(verifyPartial(dealt.params, c, bad)).toBe(false);
    expect(verifyPartial(dealt.params, (c + 1n) % n, honest)).toBe(false);
    const wrongX = tampered[0] as PartialDecryption;
    expect(errorCode(combinePartials(dealt.params, c, [wrongX, good2 as PartialDecryption]))).toBe('COMBINATION_FAILED');
    expect(combinePartials(dealt.params, c, [good2 as PartialDecryption, good3 as PartialDecryption]).ok).toBe(true);
    const negated = { ...honest, x: n - honest.x };
    expect(verifyPartial(dealt.params, c, negated)).toBe(true);
    expect(combinePartials(dealt.params, c, [negated, good2 as PartialDecryption])).toEqual(combinePartials(dealt.params, c, [honest, good2 as PartialDecryption]));
  });

  it('refuses c not below n and out-of-range fields without throwing', () => {
    const { n } = dealt.params;
    const p = partialDecrypt(dealt.params, dealt.shares[0] as TrusteeShare, 5n);
    expect(() => partialDecrypt(dealt.params, dealt.shares[0] as TrusteeShare, n)).toThrow(RangeError);
    expect(() => partialDecrypt(dealt.params, { index: 4, s: 1n }, 5n)).toThrow(RangeError);
    expect(verifyPartial(dealt.params, n, p)).toBe(false);
    expect(verifyPartial(dealt.params, 5n, { ...p, index: 4 })).toBe(false);
    expect(verifyPartial(dealt.params, 5n, { ...p, x: 0n })).toBe(false);
    expect(verifyPartial(dealt.params, 5n, { ...p, proof: { c: 1n << 128n, z: p.proof.z } })).toBe(false);
    expect(verifyPartial(dealt.params, 5n, { ...p, proof: { c: p.proof.c, z: -1n } })).toBe(false);
    expect(errorCode(combinePartials(dealt.params, n + 1n, [p, p]))).toBe('MESSAGE_OUT_OF_RANGE');
  });
});

describe('threshold RSA with a dealt 1024-bit key, 3 of 5', () => {
  let dealt: DealtThresholdKey;
  beforeAll(async () => {
    dealt = await dealThresholdKey({ bits: 1024, k: 3, l: 5 });
  }, 120_000);

  it('every 3 of the 5 combine to the same e-th root; every 2 fall short', () => {
    const c = randomBelow(dealt.params.n);
    const partials = dealt.shares.map((s) => partialDecrypt(dealt.params, s, c));
    for (const p of partials) expect(verifyPartial(dealt.params, c, p)).toBe(true);
    const roots = subsets(partials, 3).map((set) => combinePartials(dealt.params, c, set));
    expect(roots).toHaveLength(10);
    const first = roots[0];
    if (!first?.ok) throw new Error('first combination failed');
    expect(refModPow(first.value, 65537n, dealt.params.n)).toBe(c);
    for (const root of roots) expect(root).toEqual(first);
    for (const pair of subsets(partials, 2)) expect(errorCode(combinePartials(dealt.params, c, pair))).toBe('NOT_ENOUGH_SHARES');
  });

  it('uses the first 3 distinct trustees of a longer list', () => {
    const c = randomBelow(dealt.params.n);
    const partials = dealt.shares.map((s) => partialDecrypt(dealt.params, s, c));
    const combined = combinePartials(dealt.params, c, [partials[4], partials[4], partials[1], partials[0], partials[2]] as PartialDecryption[]);
    expect(combined).toEqual(combinePartials(dealt.params, c, [partials[0], partials[1], partials[4]] as PartialDecryption[]));
  });

  it('refuses thresholds outside 1 ≤ k ≤ l ≤ 64', async () => {
    await expect(dealThresholdKey({ bits: 1024, k: 3, l: 2 })).rejects.toThrow(RangeError);
    await expect(dealThresholdKey({ bits: 1024, k: 0, l: 2 })).rejects.toThrow(RangeError);
    await expect(dealThresholdKey({ bits: 1024, k: 1, l: 65 })).rejects.toThrow(RangeError);
  });
});

describe('combineNamingFaults on the hand-checkable key', () => {
  const dealt = dealFromSafePrimes({ p: 1019n, q: 1187n, k: 2, l: 3, coefficients: [12345n], vSeed: 5n });
  const c = 161295n;
  const [p1, p2, p3] = dealt.shares.map((s) => partialDecrypt(dealt.params, s, c)) as PartialDecryption[];

  it('names the trustee whose partial does not combine and completes with the honest ones', () => {
    const wrong = { ...(p1 as PartialDecryption), x: ((p1 as PartialDecryption).x * 25n) % dealt.params.n };
    expect(combineNamingFaults(dealt.params, c, [wrong, p2 as PartialDecryption, p3 as PartialDecryption])).toEqual({ result: { ok: true, value: 4242n }, faulty: [1] });
  });

  it('names nobody when the first k combine, and gives NOT_ENOUGH_SHARES with the faulty named when too few are honest', () => {
    expect(combineNamingFaults(dealt.params, c, [p3 as PartialDecryption, p2 as PartialDecryption])).toEqual({ result: { ok: true, value: 4242n }, faulty: [] });
    const wrong = { ...(p2 as PartialDecryption), proof: { c: 1n, z: 1n }, x: ((p2 as PartialDecryption).x * 4n) % dealt.params.n };
    const both = combineNamingFaults(dealt.params, c, [wrong, p3 as PartialDecryption]);
    expect(both.faulty).toEqual([2]);
    expect(both.result.ok ? '' : both.result.error.code).toBe('NOT_ENOUGH_SHARES');
  });
});

describe('the batched combination (the tally hot path) against the per-ballot one and the BigInt reference', () => {
  const dealt = dealFromSafePrimes({ p: 1019n, q: 1187n, k: 2, l: 3, coefficients: [12345n], vSeed: 5n });
  const { n, e } = dealt.params;
  const roots = [4242n, 2n, 999_999n, 123_457n, 1_209_551n];
  const cs = roots.map((r) => refModPow(r, e, n));

  it('batchInverse gives each inverse as the reference does, and undefined when one value is no unit', () => {
    const xs = [2n, 3n, 4242n, 1_209_552n, 777_777n];
    expect(batchInverse(xs, n)).toEqual(xs.map((x) => refInverse(x, n)));
    expect(batchInverse([], n)).toEqual([]);
    expect(batchInverse([2n, 1019n * 7n, 3n], n)).toBeUndefined();
  });

  it('firstNonUnit finds the one value sharing a factor with n', () => {
    expect(firstNonUnit([2n, 3n, 4242n], n)).toBe(-1);
    expect(firstNonUnit([2n, 1187n * 3n, 1019n], n)).toBe(1);
  });

  it('opens every ciphertext as combinePartials does, names a tampered and a non-unit partial, and still completes', () => {
    const partials = cs.map((c) => dealt.shares.map((s) => partialDecrypt(dealt.params, s, c)));
    const batch = partials.map((ps) => ps.slice(0, 2));
    const tampered = batch[1]?.[0] as PartialDecryption;
    batch[1] = [{ ...tampered, x: (tampered.x * 4n) % n }, ...(partials[1]?.slice(1) ?? [])];
    batch[3] = [partials[3]?.[0] as PartialDecryption, { ...(partials[3]?.[1] as PartialDecryption), x: 1019n * 11n }, partials[3]?.[2] as PartialDecryption];
    const out = combineManyNamingFaults(dealt.params, cs, batch);
    expect(out.map((o) => o.result)).toEqual(roots.map((r) => ({ ok: true, value: r })));
    expect(out.map((o) => o.faulty)).toEqual([[], [1], [], [2], []]);
    cs.forEach((c, i) => expect(out[i]).toEqual(combineNamingFaults(dealt.params, c, batch[i] ?? [])));
    const pair = partials[0]?.slice(1) ?? [];
    expect(refCombine(n, e, 3, cs[0] as bigint, pair)).toBe(4242n);
  });

  it('a ballot short of k partials fails alone, NOT_ENOUGH_SHARES, the others open', () => {
    const partials = cs.map((c) => dealt.shares.slice(0, 2).map((s) => partialDecrypt(dealt.params, s, c)));
    partials[2] = partials[2]?.slice(0, 1) ?? [];
    const out = combineManyNamingFaults(dealt.params, cs, partials);
    expect(out.map((o) => (o.result.ok ? o.result.value : o.result.error.code))).toEqual([4242n, 2n, 'NOT_ENOUGH_SHARES', 123_457n, 1_209_551n]);
  });
});
