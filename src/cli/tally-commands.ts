/** `evote tally <electionId>` (admin: decrypt and count, with a progress bar) and `evote election results`. */
import type { Command } from 'commander';
import type { Results, TallyResult } from '../client/admin.ts';
import { createProgress, printResult, table } from './output.ts';
import { withAdmin, type GlobalOptions } from './session.ts';

/** The results table: one row per choice, then the ballots that did not count and why. */
export function resultsTable(r: { counts: Record<string, number>; statuses: Record<string, number> }): string {
  const valid = Object.values(r.counts).reduce((a, b) => a + b, 0);
  const rows: (string | number)[][] = [['choice', 'votes', 'share']];
  for (const [choice, n] of Object.entries(r.counts).sort((a, b) => b[1] - a[1])) rows.push([choice, n, valid > 0 ? `${((100 * n) / valid).toFixed(1)}%` : '-']);
  const rejected = Object.entries(r.statuses).filter(([s, n]) => s !== 'VALID' && n > 0);
  const tail = rejected.length > 0 ? `\nnot counted: ${rejected.map(([s, n]) => `${s} ${n}`).join(', ')}` : '';
  return `${table(rows)}\n${'valid'.padEnd(Math.max(6, ...Object.keys(r.counts).map((c) => c.length)))}  ${valid}${tail}`;
}

export function registerTallyCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('tally <electionId>')
    .description('decrypt and count every ballot of an ended election and publish the result (resumable; re-running is safe)')
    .option('--workers <n>', 'decryption worker threads on the server')
    .action(async (electionId: string, o: { workers?: string }) => {
      const g = globals();
      const progress = createProgress('counting ballots', g);
      const result = await withAdmin(g, (admin) =>
        admin.runTally({ electionId, ...(o.workers ? { workers: Number(o.workers) } : {}) }, (p) => progress.update(p.done, p.total)),
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
        `${x.published ? `published ${x.publishedAt}` : `NOT PUBLISHED yet: ${x.counted} of ${x.ballots} ballots counted`}\n${resultsTable(x)}`,
      );
    });
}
