/** `evote election …`: the admin's election commands over WebSocket. */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ElectionRow, EvoteAdmin } from '../client/admin.ts';
import { formatFingerprint } from '../crypto/election-fingerprint.ts';
import { fingerprintOf } from '../client/election-fingerprint.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { createProgress, printResult, table } from './output.ts';
import { withAdmin, type GlobalOptions } from './session.ts';
import { readTranscript } from './trustee-files.ts';
import { vkeyOf } from '../audit/cosignature.ts';
import { witnessKeyFrom } from './witness-commands.ts';
import { ballotInputFromFlags, describeBallot, type BallotFlags } from './ballot-form-options.ts';
import { parseWeightList } from '../domain/weight-classes.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function positiveInt(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new CliError(EXIT.USAGE, `${name} must be a positive integer`, 'USAGE');
    return n;
  };
}

const fingerprintText = (fp: string | null) => (fp ? formatFingerprint(fp) : '- (the server published no keys)');

export function electionSummary(e: ElectionRow): string {
  return table([
    ['election', e.electionId],
    ['theme', e.theme],
    ['status', e.status],
    ['choices', e.choices.join(', ')],
    ['ballot', describeBallot(e.ballot)],
    ['voters', `${e.voterCount} registered / ${e.expectedVoters} expected`],
    ['closes at', e.closesAt ?? '-'],
    ['witnesses', e.witnesses?.length ? e.witnesses.join('\n') : '-'],
    ['fingerprint', fingerprintText(fingerprintOf(e))],
  ]);
}

export function registerElectionCommands(program: Command, globals: () => GlobalOptions): void {
  const election = program.command('election').description('create and run elections (admin)');

  election
    .command('create')
    .description('create an election in state REGISTER')
    .requiredOption('--theme <text>', 'what the vote is about')
    .requiredOption('--choice <text>', 'a choice (repeat for each, at least two)', collect)
    .requiredOption('--expected-voters <n>', 'voters expected; voting closes itself when this many ballots are cast', positiveInt('--expected-voters'))
    .option('--id <electionId>', 'choose the election id (default: a random UUID)')
    .option('--trustees <transcript.json>', "the transcript of `evote ceremony`: the trustees' key becomes the ballot key; the server holds no counter key")
    .option('--witness <vkey-or-file...>', 'a witness named for this election (its vkey, or a file holding it; repeatable): the audit counts its co-signatures by default, the fingerprint covers it')
    .option('--form <form>', 'ballot form: single (default), approval, ranked or graded (docs/methods.md)')
    .option('--method <method>', 'counting method: plurality, approval, score, majority-judgment, irv, stv-scottish, schulze (default: the form\'s, where it has one)')
    .option('--seats <n>', 'winners to elect (stv-scottish only)', positiveInt('--seats'))
    .option('--blank', 'a blank ballot is valid')
    .option('--min <n>', 'approval: fewest approvals (default 1)', positiveInt('--min'))
    .option('--max <n>', 'approval: most approvals', positiveInt('--max'))
    .option('--full', 'ranked: every candidate must be ranked')
    .option('--max-ranks <n>', 'ranked: most candidates ranked', positiveInt('--max-ranks'))
    .option('--scale <grades>', 'graded: grade names, lowest first, comma-separated, e.g. "Reject,Poor,Fair,Good,Excellent"')
    .option('--weights <list>', 'weighted voters: the weight classes, comma-separated, e.g. "1,3" (one authority key each; the voter CSV\'s weight column names each voter\'s)')
    .action(async (o: { theme: string; choice: string[]; expectedVoters: number; id?: string; trustees?: string; witness?: string[]; weights?: string } & BallotFlags) => {
      const g = globals();
      const weights = o.weights === undefined ? undefined : parseWeightList(o.weights);
      if (weights !== undefined && !Array.isArray(weights)) throw new CliError(EXIT.USAGE, `--weights: ${weights.message}`, weights.code);
      const ballot = ballotInputFromFlags(o);
      const trustees = o.trustees === undefined ? undefined : await readTranscript(o.trustees);
      const witnesses = o.witness ? [...new Set(await Promise.all(o.witness.map(async (w) => vkeyOf(await witnessKeyFrom(w)))))] : undefined;
      const result = await withAdmin(g, async (admin) => {
        const created = await admin.createElection({ theme: o.theme, choices: o.choice, expectedVoters: o.expectedVoters, ...(o.id ? { electionId: o.id } : {}), ...(trustees ? { trustees } : {}), ...(witnesses ? { witnesses } : {}), ...ballot, ...(weights ? { weights } : {}) });
        // A command replies once the read models have its position: the row holds the new keys.
        return { ...created, fingerprint: fingerprintOf(await admin.getElection(created.electionId)) };
      });
      printResult(g, result, (r) => `${r.electionId}\nfingerprint  ${fingerprintText(r.fingerprint)}`);
    });

  election
    .command('configure <electionId>')
    .description('change an election while voters are being registered')
    .option('--theme <text>')
    .option('--choice <text>', 'replace the choices (repeat for each)', collect)
    .option('--expected-voters <n>', 'expected voters', positiveInt('--expected-voters'))
    .option('--closes-at <iso>', 'close voting automatically at this time (ISO-8601 with offset); "none" clears it')
    .action(async (electionId: string, o: { theme?: string; choice?: string[]; expectedVoters?: number; closesAt?: string }) => {
      const g = globals();
      const input: Parameters<EvoteAdmin['configureElection']>[0] = { electionId };
      if (o.theme !== undefined) input.theme = o.theme;
      if (o.choice !== undefined) input.choices = o.choice;
      if (o.expectedVoters !== undefined) input.expectedVoters = o.expectedVoters;
      if (o.closesAt !== undefined) input.closesAt = o.closesAt === 'none' ? null : o.closesAt;
      const result = await withAdmin(g, (admin) => admin.configureElection(input));
      printResult(g, result, () => 'configured');
    });

  election
    .command('import-voters <electionId> <csv>')
    .description('register voters from a CSV file with an "email" column (re-running it completes an interrupted import)')
    .option('--batch-size <n>', 'voters appended per batch', positiveInt('--batch-size'))
    .action(async (electionId: string, file: string, o: { batchSize?: number }) => {
      const g = globals();
      let csv: string;
      try {
        csv = await readFile(file, 'utf8');
      } catch (err) {
        throw new CliError(EXIT.LOCAL_INPUT, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'FILE_UNREADABLE');
      }
      const progress = createProgress('importing voters', g);
      const result = await withAdmin(g, (admin) =>
        admin.importVoters({ electionId, csv, ...(o.batchSize ? { batchSize: o.batchSize } : {}) }, (p) => progress.update(p.done, p.total)),
      ).finally(() => progress.finish());
      printResult(g, result, (r) => `imported ${r.imported} voters (${r.skipped} already registered)`);
    });

  for (const [name, run, verb] of [
    ['start', (admin: EvoteAdmin, id: string) => admin.startVoting(id), 'voting started'],
    ['end', (admin: EvoteAdmin, id: string) => admin.endVoting(id), 'voting ended'],
  ] as const) {
    election
      .command(`${name} <electionId>`)
      .description(name === 'start' ? 'start voting (REGISTER → VOTE_STARTED)' : 'end voting (VOTE_STARTED → VOTE_ENDED, final)')
      .action(async (electionId: string) => {
        const g = globals();
        const result = await withAdmin(g, (admin) => run(admin, electionId));
        printResult(g, result, () => verb);
      });
  }

  election
    .command('status <electionId>')
    .description("show an election's state")
    .action(async (electionId: string) => {
      const g = globals();
      const row = await withAdmin(g, (admin) => admin.getElection(electionId), { token: false });
      printResult(g, row, electionSummary);
    });

  election
    .command('list')
    .description('list elections')
    .action(async () => {
      const g = globals();
      const elections = await withAdmin(g, (admin) => admin.listElections(), { token: false });
      printResult(g, elections, (rows) =>
        rows.length === 0 ? 'no elections' : table([['election', 'status', 'voters', 'theme'], ...rows.map((e) => [e.electionId, e.status, e.voterCount, e.theme])]),
      );
    });
}
