import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigIntToBytes } from '../../src/crypto/bytes.ts';
import { combinePartials, dealThresholdKey, type DealtThresholdKey, type TrusteeShare } from '../../src/crypto/threshold-rsa.ts';
import { verifyPartialBatch, type BatchPartials } from '../../src/crypto/threshold-rsa-batch.ts';
import { createPartialDecryptionPool, type PartialDecryptionPool } from '../../src/tally/trustee-pool.ts';
import { randomBelow, refFactorial, refModPow } from '../crypto/threshold-reference.ts';

let dealt: DealtThresholdKey;
let pool: PartialDecryptionPool;
beforeAll(async () => {
  [dealt, pool] = await Promise.all([dealThresholdKey({ bits: 1024, k: 2, l: 3 }), createPartialDecryptionPool({ threads: 2, batchSize: 3 })]);
}, 120_000);
afterAll(() => pool?.close());

function partialsOf(r: { ok: true; value: BatchPartials[] } | { ok: false; error: { code: string } }): BatchPartials[] {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

describe("a trustee's partial decryption pool", () => {
  it('decrypts 40 ciphertexts on 2 threads in order, in batches of 3 each with a valid batched proof, reporting progress to 40/40', async () => {
    const { n, e } = dealt.params;
    const rs = Array.from({ length: 40 }, () => randomBelow(n));
    const cs = rs.map((r) => refModPow(r, e, n));
    const progress: [number, number][] = [];
    const seen: [number, BatchPartials][] = [];
    const batches = partialsOf(await pool.decryptAll(dealt.params, dealt.shares[0] as TrusteeShare, cs, (done, total) => progress.push([done, total]), (number, batch) => seen.push([number, batch])));
    // Each batch is handed over once as it finishes, under its number.
    expect(seen.map(([number]) => number).sort((a, b) => a - b)).toEqual(batches.map((_, j) => j));
    for (const [number, batch] of seen) expect(batch).toBe(batches[number]);
    expect(batches.map((b) => b.xs.length)).toEqual([...Array<number>(13).fill(3), 1]);
    batches.forEach((b, j) => {
      expect(b.index).toBe(1);
      expect(verifyPartialBatch(dealt.params, cs.slice(3 * j, 3 * j + 3), b)).toBe(true);
      // The proof covers exactly its batch's ciphertexts, in order.
      if (j > 0) expect(verifyPartialBatch(dealt.params, cs.slice(3 * j - 3, 3 * j), b)).toBe(false);
    });
    const first = batches.flatMap((b) => b.xs);
    first.forEach((x, i) => expect(x).toBe(refModPow(cs[i] as bigint, 2n * refFactorial(3) * (dealt.shares[0] as TrusteeShare).s, n)));
    expect(progress[0]).toEqual([0, 40]);
    expect(progress.at(-1)).toEqual([40, 40]);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
    const bytes = cs.map((c) => bigIntToBytes(c, 128));
    const third = partialsOf(await pool.decryptAll(dealt.params, dealt.shares[2] as TrusteeShare, bytes)).flatMap((b) => b.xs);
    cs.forEach((c, i) => expect(combinePartials(dealt.params, c, [{ index: 3, x: third[i] as bigint }, { index: 1, x: first[i] as bigint }])).toEqual({ ok: true, value: rs[i] }));
  });

  it('refuses a ciphertext not below n and a share of another trustee or key, before any work', async () => {
    const outside = await pool.decryptAll(dealt.params, dealt.shares[1] as TrusteeShare, [5n, dealt.params.n]);
    expect(outside).toEqual({ ok: false, error: { kind: 'CryptoError', code: 'MESSAGE_OUT_OF_RANGE', message: 'ciphertext 1 is not below n' } });
    const swapped = { index: 1, s: (dealt.shares[1] as TrusteeShare).s };
    const mismatch = await pool.decryptAll(dealt.params, swapped, [5n]);
    expect(mismatch.ok ? '' : mismatch.error.code).toBe('KEY_MISMATCH');
    expect(mismatch.ok ? '' : mismatch.error.message).not.toContain(swapped.s.toString());
    expect(await pool.decryptAll(dealt.params, dealt.shares[1] as TrusteeShare, [])).toEqual({ ok: true, value: [] });
  });

  it('runs one trustee at a time', async () => {
    const c = [randomBelow(dealt.params.n)];
    const running = pool.decryptAll(dealt.params, dealt.shares[0] as TrusteeShare, c);
    await expect(pool.decryptAll(dealt.params, dealt.shares[1] as TrusteeShare, c)).rejects.toThrow('busy');
    expect(partialsOf(await running)).toHaveLength(1);
  });

  it('refuses work once closed', async () => {
    const own = await createPartialDecryptionPool({ threads: 1 });
    await own.close();
    await expect(own.decryptAll(dealt.params, dealt.shares[0] as TrusteeShare, [5n])).rejects.toThrow('closed');
  });
});
