/** `evote log export|follow` and `evote audit`: the auditor's commands (exit 5 FAILED, 6 PARTIAL). */
import type { Command } from 'commander';
import { audit, exportLogToFile, followLog } from '../client/auditor.ts';
import { formatReport, type AuditFailure, type AuditReport } from '../audit/report.ts';
import { parseFingerprint } from '../crypto/election-fingerprint.ts';
import type { WitnessPolicy } from '../audit/witness-check.ts';
import { witnessKeyFrom } from './witness-commands.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { createProgress, printResult } from './output.ts';
import type { GlobalOptions } from './session.ts';

const where = (f: AuditFailure | undefined) =>
  !f ? 'the log' : f.position !== null ? `position ${f.position} (${f.type ?? '?'} in ${f.streamId ?? '?'})` : f.line !== undefined ? `line ${f.line}` : 'the log';

/** The one error line of a verdict that is not a success, or undefined. */
function verdictError(report: AuditReport): CliError | undefined {
  if (report.verdict === 'FAILED') {
    const f = report.failures[0];
    return new CliError(EXIT.AUDIT_FAILED, `audit failed at ${where(f)}: [${f?.check ?? '?'}] ${f?.message ?? ''}`, 'AUDIT_FAILED');
  }
  if (report.verdict === 'INCOMPLETE') {
    const gaps = report.gaps.map((g) => `at ${where(g)}: [${g.check}] ${g.message}`).join('; ');
    return new CliError(EXIT.AUDIT_INCOMPLETE, `the log is not the whole election (--live accepts a running one): ${gaps}`, 'AUDIT_INCOMPLETE');
  }
  return undefined;
}

async function witnessPolicy(specs: string[], min: string | undefined): Promise<WitnessPolicy | undefined> {
  if (specs.length === 0) {
    if (min === undefined) return undefined;
    // The election's named witnesses (ElectionCreated), known once the log is read.
    if (!/^[1-9][0-9]{0,2}$/.test(min)) throw new CliError(EXIT.USAGE, '--min-witnesses must be a positive number', 'USAGE');
    return { keys: [], min: Number(min) };
  }
  const parsed = await Promise.all(specs.map(witnessKeyFrom));
  const keys = parsed.filter((k, i) => parsed.findIndex((o) => o.name === k.name && o.publicKey === k.publicKey) === i);
  const m = min === undefined ? keys.length : Number(min);
  if (!Number.isSafeInteger(m) || m < 1 || m > keys.length) throw new CliError(EXIT.USAGE, `--min-witnesses must be between 1 and the ${keys.length} witness key(s) given`, 'USAGE');
  return { keys, min: m };
}

export function registerAuditCommands(program: Command, globals: () => GlobalOptions): void {
  const log = program.command('log').description("an election's public event log (auditors)");
  log
    .command('export <electionId>')
    .description('download the log as evote-log/v1 NDJSON (to --out, or stdout)')
    .option('--out <file>', 'write to this file')
    .action(async (electionId: string, o: { out?: string }) => {
      const g = globals();
      const r = await exportLogToFile(g.url, electionId, o.out ?? process.stdout).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).syscall) throw new CliError(EXIT.LOCAL_INPUT, `cannot write ${o.out}: ${(err as NodeJS.ErrnoException).code}`, 'FILE_UNWRITABLE');
        throw err;
      });
      if (o.out) printResult(g, { ...r, file: o.out }, () => `exported ${r.lines} lines (${r.bytes} bytes) to ${o.out}`);
    });
  log
    .command('follow <electionId>')
    .description('print each signed checkpoint as it arrives, after recomputing its root from the events received, checking its signature and that it extends the previous one (Ctrl-C to stop)')
    .option('--max <n>', 'stop after this many checkpoints')
    .action(async (electionId: string, o: { max?: string }) => {
      const g = globals();
      let seen = 0;
      for await (const cp of followLog(g.url, electionId)) {
        printResult(g, cp, () => `checkpoint size ${cp.size} root ${cp.root} (position ${cp.position}): root, signature and consistency with the previous one verified`);
        if (o.max && ++seen >= Number(o.max)) break;
      }
    });

  program
    .command('audit')
    .description('re-verify an election from its log without trusting the server; exit 5 and name the first broken event when a check fails, 6 when the log is not the whole election')
    .requiredOption('--from <source>', 'a server (ws://…/ws, with --election), an exported NDJSON file, or a PostgreSQL URL (with --election)')
    .option('--election <id>', 'the election (required with a server or database)')
    .option('--fingerprint <fp>', "the election's key fingerprint (from a letter or the officials): fail at ElectionCreated on any other")
    .option('--live', 'a running election: verify as far as the log goes (verdict PARTIAL, exit 0) instead of requiring the published tally')
    .option('--witness <vkey-or-file...>', 'a witness the auditor trusts: its vkey, or a file holding it (repeatable)')
    .option('--min-witnesses <m>', 'co-signatures of the trusted witnesses the final checkpoint needs (default: all of them); without --witness, of the witnesses the election named at creation')
    .action(async (o: { from: string; election?: string; fingerprint?: string; live?: boolean; witness?: string[]; minWitnesses?: string }) => {
      const g = globals();
      const witnesses = await witnessPolicy(o.witness ?? [], o.minWitnesses);
      if (o.fingerprint !== undefined && !parseFingerprint(o.fingerprint)) throw new CliError(EXIT.USAGE, '--fingerprint must be 64 hex digits (spaces allowed)', 'USAGE');
      if (!/^(wss?|postgres(ql)?):\/\//.test(o.from)) {
        const { stat } = await import('node:fs/promises');
        const isFile = await stat(o.from).then((s) => s.isFile(), () => false);
        if (!isFile) throw new CliError(EXIT.LOCAL_INPUT, `cannot read ${o.from}: no such file`, 'FILE_UNREADABLE');
      } else if (!o.election) throw new CliError(EXIT.USAGE, '--election is required when auditing a server or a database', 'USAGE');
      const progress = createProgress('checking ballots', g);
      let report: AuditReport;
      try {
        report = await audit({ from: o.from, electionId: o.election, live: o.live, fingerprint: o.fingerprint, witnesses, onProgress: (p) => progress.update(p.ballotsChecked, Math.max(p.ballotsQueued, p.ballotsChecked), `(${p.events} events read)`) });
      } finally {
        progress.finish();
      }
      if (g.json) process.stdout.write(JSON.stringify(report) + '\n');
      else process.stdout.write(formatReport(report) + '\n');
      const failed = verdictError(report);
      if (failed) throw failed;
    });
}
