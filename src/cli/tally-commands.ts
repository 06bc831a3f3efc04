/** `evote tally <electionId>` (admin: decrypt and count, with a progress bar) and `evote election results`. */
import type { Command } from 'commander';
import type { Results, TallyResult } from '../client/admin.ts';
import { createProgress, printResult, table } from './output.ts';
import { withAdmin, type GlobalOptions } from './session.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { tallyDirect } from './tally-direct.ts';

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(EXIT.USAGE, `${name} must be a positive integer`, 'USAGE');
  return n;
}

/** The results table: one row per choice, then the ballots that did not count and why. */
export function resultsTable(r: { counts: Record<string, number>; statuses: Record<string, number>; method?: string; winners?: string[]; rounds?: readonly unknown[] }): string {
  if (r.method !== undefined) return countedTable({ ...r, method: r.method });
  const valid = Object.values(r.counts).reduce((a, b) => a + b, 0);
  const rows: (string | number)[][] = [['choice', 'votes', 'share']];
  for (const [choice, n] of Object.entries(r.counts).sort((a, b) => b[1] - a[1])) rows.push([choice, n, valid > 0 ? `${((100 * n) / valid).toFixed(1)}%` : '-']);
  const rejected = Object.entries(r.statuses).filter(([s, n]) => s !== 'VALID' && n > 0);
  const tail = rejected.length > 0 ? `\nnot counted: ${rejected.map(([s, n]) => `${s} ${n}`).join(', ')}` : '';
  return `${table(rows)}\n${'valid'.padEnd(Math.max(6, ...Object.keys(r.counts).map((c) => c.length)))}  ${valid}${tail}`;
}

/** An election counted by its method: the winners, the rounds (in the log as RoundCounted) and what did not count. */
function countedTable(r: { statuses: Record<string, number>; method: string; winners?: string[]; rounds?: readonly unknown[] }): string {
  const rejected = Object.entries(r.statuses).filter(([s, n]) => s !== 'VALID' && n > 0);
  const lines = [
    `counted by ${r.method}${r.rounds ? ` in ${r.rounds.length} round(s)` : ''}`,
    `elected: ${r.winners && r.winners.length > 0 ? r.winners.join(', ') : 'nobody'}`,
    `valid    ${r.statuses.VALID ?? 0}`,
  ];
  if (rejected.length > 0) lines.push(`not counted: ${rejected.map(([s, n]) => `${s} ${n}`).join(', ')}`);
  return lines.join('\n');
}

export function registerTallyCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('tally <electionId>')
    .description('decrypt and count every ballot of an ended election and publish the result (resumable; re-running is safe)')
    .option('--workers <n>', 'decryption worker threads (on the server, or on this machine with --direct)')
    .option('--direct', 'count on this machine: open the database and key store with the server\'s environment (DATABASE_URL, EVOTE_MASTER_KEY, EVENTSTORE_URL) and join the shared tally')
    .option('--range-size <n>', 'with --direct: ballots per claimed range, if this process plans the tally (default 500)')
    .option('--lease-seconds <s>', 'with --direct: how long a claimed range stays this process\'s without renewal (default 10)')
    .action(async (electionId: string, o: { workers?: string; direct?: boolean; rangeSize?: string; leaseSeconds?: string }) => {
      const g = globals();
      const workers = positiveInt('--workers', o.workers);
      if (!o.direct && (o.rangeSize !== undefined || o.leaseSeconds !== undefined)) {
        throw new CliError(EXIT.USAGE, '--range-size and --lease-seconds need --direct (a server uses its defaults)', 'USAGE');
      }
      const progress = createProgress('counting ballots', g);
      const onProgress = (p: { done: number; total: number }) => progress.update(p.done, p.total);
      const leaseSeconds = positiveInt('--lease-seconds', o.leaseSeconds);
      const result = await (o.direct
        ? tallyDirect(g.dataDir, { electionId, workers, rangeSize: positiveInt('--range-size', o.rangeSize), leaseMs: leaseSeconds === undefined ? undefined : leaseSeconds * 1000 }, onProgress)
        : withAdmin(g, (admin) => admin.runTally({ electionId, ...(workers ? { workers } : {}) }, onProgress))
      ).finally(() => progress.finish());
      printResult(g, result, (r: TallyResult) => `tally published (${r.ballots} ballots)\n${resultsTable(r)}`);
    });

  const election = program.commands.find((c) => c.name() === 'election');
  (election ?? program)
    .command('results <electionId>')
    .description('the published results (or the count so far while the tally runs)')
    .action(async (electionId: string) => {
      const g = globals();
      const r = await withAdmin(g, (admin) => admin.results(electionId), { token: false });
      printResult(g, r, (x: Results) =>
        `${x.published ? `published ${x.publishedAt}` : `NOT PUBLISHED yet: ${x.counted} of ${x.ballots} ballots counted`}\n${resultsTable({ ...x, ...x.outcome })}`,
      );
    });
}
