/**
 * Tiny benchmark harness: time a bounded amount of work, report a rate, and print each result next
 * to the raw limit measured in the same run, as a ratio. No assertions: speed is measured, not tested.
 */
export interface BenchResult {
  name: string;
  /** Units per second. */
  rate: number;
  unit: string;
  /** Name of the raw limit this result is compared with, and the ratio rate / limit. */
  against?: { name: string; rate: number; ratio: number };
  note?: string;
}

export async function measure(work: () => Promise<number>): Promise<{ units: number; seconds: number; rate: number }> {
  const t0 = process.hrtime.bigint();
  const units = await work();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { units, seconds, rate: units / seconds };
}

export function against(result: Omit<BenchResult, 'against'>, limit: BenchResult): BenchResult {
  return { ...result, against: { name: limit.name, rate: limit.rate, ratio: result.rate / limit.rate } };
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

export function renderTable(results: BenchResult[]): string {
  const lines = [
    '| benchmark | rate | compared with (same run) | ratio |',
    '|---|---:|---|---:|',
  ];
  for (const r of results) {
    const cmp = r.against ? `${r.against.name}: ${fmt(r.against.rate)}/s` : '(raw limit)';
    const ratio = r.against ? `${r.against.ratio.toFixed(2)}×` : '';
    lines.push(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${fmt(r.rate)} ${r.unit}/s | ${cmp} | ${ratio} |`);
  }
  return lines.join('\n');
}
