/** Balinski & Laraki's majority value, compared without expanding weights (docs/methods.md, "Majority judgment"). */

type Run = { grade: number; count: number };

/** Weight per grade, index = grade (0 = lowest). */
export type GradeCounts = readonly number[];

/** The majority grade: the lower middlemost of the `total` sorted grades. */
export function majorityGrade(counts: GradeCounts, total: number): number {
  return gradeAt(counts, Math.ceil(total / 2) - 1);
}

/** The majority gauge (p, q): weight strictly above and strictly below the majority grade. */
export function majorityGauge(counts: GradeCounts, total: number): { above: number; below: number } {
  const m = majorityGrade(counts, total);
  let above = 0;
  let below = 0;
  counts.forEach((n, g) => {
    if (g > m) above += n;
    else if (g < m) below += n;
  });
  return { above, below };
}

/** Positive when a's majority value is higher, negative when lower, 0 when the sequences are equal. */
export function compareMajorityValue(a: GradeCounts, b: GradeCounts, total: number): number {
  const k = Math.floor(total / 2);
  if (total % 2 === 1) {
    const ca = gradeAt(a, k);
    const cb = gradeAt(b, k);
    if (ca !== cb) return ca - cb;
  }
  const lowStart = k - 1;
  const highStart = total - k;
  const dl = firstDifference(runsDown(a, lowStart), runsDown(b, lowStart));
  const dh = firstDifference(runsUp(a, highStart), runsUp(b, highStart));
  if (dl && (!dh || dl.index <= dh.index)) return dl.a - dl.b;
  return dh ? dh.a - dh.b : 0;
}

/** The grade at 0-based position i of the ascending order. */
function gradeAt(counts: GradeCounts, i: number): number {
  let seen = 0;
  for (let g = 0; g < counts.length; g++) {
    seen += counts[g] as number;
    if (i < seen) return g;
  }
  return 0;
}

/** Positions from..0 of the ascending order, as descending runs. */
function runsDown(counts: GradeCounts, from: number): Run[] {
  const runs: Run[] = [];
  let start = 0;
  counts.forEach((n, g) => {
    const take = Math.min(start + n, from + 1) - start;
    if (take > 0) runs.unshift({ grade: g, count: take });
    start += n;
  });
  return runs;
}

/** Positions from..end of the ascending order, as ascending runs. */
function runsUp(counts: GradeCounts, from: number): Run[] {
  const runs: Run[] = [];
  let start = 0;
  counts.forEach((n, g) => {
    const take = Math.min(n, start + n - from);
    if (take > 0) runs.push({ grade: g, count: take });
    start += n;
  });
  return runs;
}

/** The first index where two run-length sequences of equal length differ, with both values there. */
function firstDifference(x: Run[], y: Run[]): { index: number; a: number; b: number } | null {
  let i = 0;
  let j = 0;
  let usedX = 0;
  let usedY = 0;
  let index = 0;
  while (i < x.length && j < y.length) {
    const rx = x[i] as Run;
    const ry = y[j] as Run;
    if (rx.grade !== ry.grade) return { index, a: rx.grade, b: ry.grade };
    const step = Math.min(rx.count - usedX, ry.count - usedY);
    index += step;
    usedX += step;
    usedY += step;
    if (usedX === rx.count) [i, usedX] = [i + 1, 0];
    if (usedY === ry.count) [j, usedY] = [j + 1, 0];
  }
  return null;
}
