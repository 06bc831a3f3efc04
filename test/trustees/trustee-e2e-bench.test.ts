/**
 * `npm run bench -- trustee-e2e` on a few ballots, through the very function the bench runs
 * (bench/trustee-e2e.ts): the building, both tallies, the two trustees over the real gateway and
 * both audits, so that the bench cannot rot unseen. Correctness only: no figure is checked.
 */
import { describe, expect, it } from 'vitest';
import { E2E_CHOICES, trusteeE2eBench, type TrusteeE2eRun } from '../../bench/trustee-e2e.ts';

// Not a multiple of 3: the choices (i mod 3) get unequal counts, so a swapped choice would show.
const BALLOTS = 31;

/** What the bench's ballots say by construction: ballot i votes E2E_CHOICES[i mod 3]. */
function expectedCounts(n: number): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(E2E_CHOICES.map((c) => [c, 0]));
  for (let i = 0; i < n; i++) counts[E2E_CHOICES[i % E2E_CHOICES.length]!]! += 1;
  return counts;
}

describe('the trustee end-to-end bench, on 31 ballots', () => {
  let run: TrusteeE2eRun;

  it('runs: both tallies publish the ballots as built, every ballot VALID', async () => {
    run = await trusteeE2eBench(BALLOTS, { threads: 2, probeMs: 100, auditPairs: 1, log: () => undefined });
    expect(expectedCounts(BALLOTS)).toEqual({ Yes: 11, No: 10, Blank: 10 });
    for (const result of [run.single, run.trustee]) {
      expect(result.ballots).toBe(BALLOTS);
      expect(result.counts).toEqual(expectedCounts(BALLOTS));
      expect(result.statuses).toMatchObject({ VALID: BALLOTS, INVALID_SIGNATURE: 0, UNDECRYPTABLE: 0, INVALID_CHOICE: 0, DUPLICATE_N2: 0 });
    }
    expect(run.trustee.faultyTrustees ?? []).toEqual([]);
  }, 300_000);

  it('the two trustees were each served every ballot and stored a partial for each', () => {
    for (const t of run.phases.trustees) expect(t).toMatchObject({ ballots: BALLOTS, stored: BALLOTS });
  });

  it('both logs audit PASSED with the published counts', () => {
    for (const report of [run.audits.single, run.audits.trustee]) {
      expect(report.failures).toEqual([]);
      expect(report.verdict).toBe('PASSED');
      expect(report.ballotsCounted).toBe(BALLOTS);
      expect(report.blindSignatures).toBe(BALLOTS);
      expect(report.counts).toEqual(expectedCounts(BALLOTS));
    }
    // The trustee election's log is the single-key one plus TrusteesAppointed.
    expect(run.audits.trustee.events).toBe(run.audits.single.events + 1);
  });

  it('prints every row the bench promises, each comparison a finite ratio', () => {
    const names = run.rows.map((r) => r.name);
    for (const part of ['trustee 1 (Ada) partial decryptions per core', 'trustee 2 (Babbage) partial decryptions per core', 'per process CPU-second', 'trustee submissions', 'single-key tally', 'trustee tally', 'end to end on this machine', 'trustees in parallel', 'audit of the trustee election']) {
      expect(names.some((n) => n.includes(part)), part).toBe(true);
    }
    for (const r of run.rows) {
      expect(r.rate, r.name).toBeGreaterThan(0);
      if (r.against) expect(Number.isFinite(r.against.ratio), r.name).toBe(true);
    }
  });
});
