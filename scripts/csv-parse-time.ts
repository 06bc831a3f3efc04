/**
 * Times parseVoterCsv on a 100,000-row voter list (four columns, one quoted field with a comma per
 * row, CRLF): `npx tsx scripts/csv-parse-time.ts`. Prints the first run and the median of
 * 7 runs after 2 warm-ups.
 */
import { parseVoterCsv } from '../src/commands/csv.ts';

const lines = ['id,name,email,department'];
for (let i = 0; i < 100_000; i++) lines.push(`${i},"Voter, number ${i}",voter${i}@example.org,Dept ${i % 17}`);
const text = lines.join('\r\n') + '\r\n';

const times: number[] = [];
let first = 0;
for (let run = 0; run < 9; run++) {
  const t = performance.now();
  const parsed = parseVoterCsv(text);
  const ms = performance.now() - t;
  if (!parsed.ok || parsed.rows.length !== 100_000) throw new Error('parse failed');
  if (run === 0) first = ms;
  if (run >= 2) times.push(ms);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(`100,000 rows, ${(text.length / 1e6).toFixed(1)} MB: median ${median.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}) over ${times.length} runs; first run ${first.toFixed(0)} ms`);
