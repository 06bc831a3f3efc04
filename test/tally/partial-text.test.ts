/**
 * The wire and table forms of batched partial decryptions (src/tally/partial-text.ts): values
 * `index.x`, proofs `c.z`, batch ids, and the signed text covering values and proof.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { partialDecryptBatch } from '../../src/crypto/threshold-rsa-batch.ts';
import { dealFromSafePrimes } from '../../src/crypto/threshold-rsa.ts';
import { partialsBatchText } from '../../src/domain/trustees.ts';
import { batchIdOf, partialValueFromText, partialValueToText, proofFromText, proofToText } from '../../src/tally/partial-text.ts';
import { refModPow } from '../crypto/threshold-reference.ts';

const dealt = dealFromSafePrimes({ p: 1019n, q: 1187n, k: 2, l: 3, coefficients: [12345n], vSeed: 5n });
const { params } = dealt;
const cs = [4242n, 2n, 999_999n].map((r) => refModPow(r, params.e, params.n));
const batch = partialDecryptBatch(params, dealt.shares[1]!, cs);

describe('partial values, batch proofs and batch ids as text', () => {
  it('round-trips every value and the proof; x is len(n) bytes of base64url (n = 1019·1187 is 3 bytes: 4 characters)', () => {
    const texts = batch.xs.map((x) => partialValueToText(params, { index: 2, x }));
    for (const [j, text] of texts.entries()) {
      expect(text).toMatch(/^2\.[A-Za-z0-9_-]{4}$/);
      expect(partialValueFromText(params, text)).toEqual({ ok: true, value: { index: 2, x: batch.xs[j] } });
    }
    const proof = proofToText(batch.proof);
    expect(proof.split('.')).toHaveLength(2);
    expect(proofFromText(params, proof)).toEqual({ ok: true, value: batch.proof });
  });

  it('refuses malformed values and proofs with MALFORMED_THRESHOLD_DATA, never throwing', () => {
    const good = partialValueToText(params, { index: 2, x: batch.xs[0]! });
    const x = good.split('.')[1]!;
    const nText = Buffer.from(params.n.toString(16).padStart(6, '0'), 'hex').toString('base64url');
    const zero = Buffer.alloc(3).toString('base64url');
    for (const bad of [`${good}.AA.AA`, `02.${x}`, `0.${x}`, `4.${x}`, `2.${x}AA`, `2.${nText}`, `2.${zero}`, `x.${x}`, x, '']) {
      const r = partialValueFromText(params, bad);
      expect(r.ok ? 'parsed' : r.error.code, bad).toBe('MALFORMED_THRESHOLD_DATA');
    }
    const [c, z] = proofToText(batch.proof).split('.') as [string, string];
    const tooLong = Buffer.alloc(17, 1).toString('base64url');
    for (const bad of [c, `${c}.${z}.${z}`, `${tooLong}.${z}`, `AA${c}.${z}`, `${c}.!`]) {
      const r = proofFromText(params, bad);
      expect(r.ok ? 'parsed' : r.error.code, bad).toBe('MALFORMED_THRESHOLD_DATA');
    }
  });

  it('a batch id is SHA-256 of the ordered ballot hashes, one a line: the same grouping is the same batch, another order another', () => {
    const hashes = ['a', 'b', 'c'].map((s) => createHash('sha256').update(s).digest('hex'));
    expect(batchIdOf(hashes)).toBe(createHash('sha256').update(`${hashes[0]}\n${hashes[1]}\n${hashes[2]}\n`).digest('hex'));
    expect(batchIdOf([...hashes])).toBe(batchIdOf(hashes));
    expect(batchIdOf([hashes[1]!, hashes[0]!, hashes[2]!])).not.toBe(batchIdOf(hashes));
    expect(batchIdOf(hashes.slice(0, 2))).not.toBe(batchIdOf(hashes));
  });

  it('the signed text covers each value, their order and the proof', () => {
    const partials = batch.xs.map((x, j) => ({ ballotHash: String(j).repeat(64), partial: partialValueToText(params, { index: 2, x }) }));
    const proof = proofToText(batch.proof);
    const text = partialsBatchText('e1', 2, 0, partials, proof);
    expect(text).toBe(`evote/trustee-partials/v2\ne1\n2\n0\n${partials.map((p) => `${p.ballotHash} ${p.partial}\n`).join('')}proof ${proof}\n`);
    const other = proofToText({ c: batch.proof.c ^ 1n, z: batch.proof.z });
    expect(partialsBatchText('e1', 2, 0, partials, other)).not.toBe(text);
    expect(partialsBatchText('e1', 2, 0, [...partials].reverse(), proof)).not.toBe(text);
  });
});
