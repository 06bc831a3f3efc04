/** The pooled CSPRNG of credential issuance (src/credentials/random.ts). */
import { describe, expect, it } from 'vitest';
import { secureRandom } from '../../src/credentials/random.ts';

describe('secureRandom', () => {
  it('gives the lengths asked for, small (pooled) and large (direct)', () => {
    for (const n of [0, 1, 12, 16, 32, 255, 256, 257, 4096, 10_000]) expect(secureRandom(n)).toHaveLength(n);
  });

  it('never gives the same bytes twice, across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(Buffer.from(secureRandom(16)).toString('hex'));
    expect(seen.size).toBe(20_000);
  });

  it('hands out copies: overwriting one draw does not show in the next ones', () => {
    const a = secureRandom(32);
    a.fill(0);
    const later = Array.from({ length: 200 }, () => secureRandom(32));
    expect(later.some((b) => b.every((x) => x === 0))).toBe(false);
  });

  it('gives bytes that look uniform (chi-square over 256 values, 1 MiB in 16-byte draws)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 65_536; i++) for (const b of secureRandom(16)) counts[b]!++;
    const expected = (65_536 * 16) / 256;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 255 degrees of freedom: the 99.9999 % quantile is about 375; a stuck or biased pool is far above.
    expect(chi2).toBeLessThan(375);
  });
});
