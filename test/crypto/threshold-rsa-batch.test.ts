import { beforeAll, describe, expect, it } from 'vitest';
import { batchExponents, partialDecryptBatch, verifyPartialBatch, type BatchPartials } from '../../src/crypto/threshold-rsa-batch.ts';
import { combinePartials, dealFromSafePrimes, dealThresholdKey, type DealtThresholdKey } from '../../src/crypto/threshold-rsa.ts';
import { randomBelow, refFactorial, refModPow } from './threshold-reference.ts';

describe('batched partial-decryption proofs on the hand-checkable key (1019, 1187; 2 of 3)', () => {
  const dealt = dealFromSafePrimes({ p: 1019n, q: 1187n, k: 2, l: 3, coefficients: [12345n], vSeed: 5n });
  const { n, e } = dealt.params;
  const roots = [4242n, 2n, 999_999n, 123_457n];
  const cs = roots.map((r) => refModPow(r, e, n));
  const delta = refFactorial(3);

  it('gives x_j = c_j^(2Δs) as the BigInt reference, and X = C^s for the hashed ρ_j', () => {
    const share = dealt.shares[1] as { index: number; s: bigint };
    const batch = partialDecryptBatch(dealt.params, share, cs);
    expect(batch.xs).toEqual(cs.map((c) => refModPow(c, 2n * delta * share.s, n)));
    const { rhos } = batchExponents(dealt.params, share.index, cs, batch.xs);
    expect(rhos.every((r) => r >= 0n && r < 1n << 128n)).toBe(true);
    expect(new Set(rhos).size).toBe(rhos.length);
    const base = cs.reduce((acc, c, j) => (acc * refModPow(c, 4n * delta * (rhos[j] as bigint), n)) % n, 1n);
    const power = batch.xs.reduce((acc, x, j) => (acc * refModPow(x, 2n * (rhos[j] as bigint), n)) % n, 1n);
    expect(refModPow(base, share.s, n)).toBe(power);
    expect(verifyPartialBatch(dealt.params, cs, batch)).toBe(true);
  });

  it("every pair of trustees' batched partials combines to each root", () => {
    const batches = dealt.shares.map((s) => partialDecryptBatch(dealt.params, s, cs));
    for (const [a, b] of [[0, 1], [0, 2], [1, 2]] as const) {
      cs.forEach((c, j) => {
        const pick = (t: BatchPartials) => ({ index: t.index, x: t.xs[j] as bigint, proof: t.proof });
        expect(combinePartials(dealt.params, c, [pick(batches[a] as BatchPartials), pick(batches[b] as BatchPartials)])).toEqual({ ok: true, value: roots[j] });
      });
    }
  });

  it('fails with one tampered partial, another trustee, reordered ciphertexts or a foreign proof; even −x (the ρ_j hash the exact x_j)', () => {
    const batch = partialDecryptBatch(dealt.params, dealt.shares[0] as { index: number; s: bigint }, cs);
    const tamper = (j: number, x: bigint): BatchPartials => ({ ...batch, xs: batch.xs.map((y, i) => (i === j ? x : y)) });
    for (let j = 0; j < cs.length; j++) expect(verifyPartialBatch(dealt.params, cs, tamper(j, ((batch.xs[j] as bigint) * 4n) % n))).toBe(false);
    expect(verifyPartialBatch(dealt.params, cs, tamper(2, n - (batch.xs[2] as bigint)))).toBe(false);
    expect(verifyPartialBatch(dealt.params, cs, { ...batch, index: 2 })).toBe(false);
    expect(verifyPartialBatch(dealt.params, [...cs].reverse(), { ...batch, xs: [...batch.xs].reverse() })).toBe(false);
    const other = partialDecryptBatch(dealt.params, dealt.shares[0] as { index: number; s: bigint }, cs.slice(1));
    expect(verifyPartialBatch(dealt.params, cs, { ...batch, proof: other.proof })).toBe(false);
    expect(verifyPartialBatch(dealt.params, cs.slice(1), { ...batch, xs: batch.xs.slice(1) })).toBe(false);
    expect(verifyPartialBatch(dealt.params, cs, { ...batch, xs: batch.xs.slice(1) })).toBe(false);
    expect(() => partialDecryptBatch(dealt.params, dealt.shares[0] as { index: number; s: bigint }, [n])).toThrow(RangeError);
  });
});

describe('batched proofs with a dealt 1024-bit key, 2 of 3', () => {
  let dealt: DealtThresholdKey;
  beforeAll(async () => {
    dealt = await dealThresholdKey({ bits: 1024, k: 2, l: 3 });
  }, 300_000);

  it('32 ciphertexts: x_j match the reference, the proof verifies, one tampered x_j fails it', () => {
    const { n } = dealt.params;
    const cs = Array.from({ length: 32 }, () => randomBelow(n));
    const share = dealt.shares[2] as { index: number; s: bigint };
    const batch = partialDecryptBatch(dealt.params, share, cs);
    expect(batch.xs).toEqual(cs.map((c) => refModPow(c, 2n * refFactorial(3) * share.s, n)));
    expect(verifyPartialBatch(dealt.params, cs, batch)).toBe(true);
    const xs = [...batch.xs];
    xs[17] = ((xs[17] as bigint) * (xs[3] as bigint)) % n;
    expect(verifyPartialBatch(dealt.params, cs, { ...batch, xs })).toBe(false);
  });
});
