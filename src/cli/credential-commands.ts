/**
 * `evote letters`, `evote credentials issue` and `evote clients register` (admin).
 * The server writes letters under its own data directory (README, "Where letters go").
 */
import { cp, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { IssuanceSummary } from '../commands/credential-issuance.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { createProgress, printResult } from './output.ts';
import { withAdmin, type GlobalOptions } from './session.ts';

const FOLDER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

async function issue(g: GlobalOptions, electionId: string, channel: 'email' | 'letter', outDir?: string): Promise<IssuanceSummary> {
  const progress = createProgress(channel === 'email' ? 'mailing letters' : 'writing letters', g);
  try {
    return await withAdmin(g, (admin) =>
      admin.issueCredentials({ electionId, channel, ...(outDir ? { outDir } : {}) }, ({ done, total, failed }) =>
        progress.update(done, total, failed ? `(${failed} failed)` : undefined),
      ),
    );
  } finally {
    progress.finish();
  }
}

const summaryLine = (s: IssuanceSummary) =>
  `issued ${s.issued} of ${s.total} credentials${s.failed ? `, ${s.failed} FAILED (re-run to retry them)` : ''}${s.alreadyIssued ? `, ${s.alreadyIssued} voters already served` : ''}`;

export function registerCredentialCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('letters <electionId> <dir>')
    .description(
      'issue printable credential letters (PDF + QR PNG per voter) for every voter not yet served. The server writes them to <its data dir>/letters/<basename of dir>; when that folder is readable here (--data-dir), they are copied to <dir>',
    )
    .action(async (electionId: string, dir: string) => {
      const g = globals();
      const name = path.basename(path.resolve(dir));
      if (!FOLDER_NAME.test(name)) throw new CliError(EXIT.USAGE, `the letters folder name must be letters, digits, '.', '-' or '_' (got "${name}")`, 'USAGE');
      const summary = await issue(g, electionId, 'letter', name);
      const serverDir = path.resolve(g.dataDir, 'letters', name);
      const target = path.resolve(dir);
      let where = `on the server, in <data dir>/letters/${name}`;
      const local = await stat(serverDir).then((s) => s.isDirectory(), () => false);
      if (local) {
        if (serverDir !== target) {
          try {
            await mkdir(target, { recursive: true, mode: 0o700 });
            await cp(serverDir, target, { recursive: true, force: true });
          } catch (err) {
            throw new CliError(EXIT.LOCAL_INPUT, `letters issued, but copying them to ${dir} failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'FILE_UNWRITABLE');
          }
        }
        where = target;
      }
      printResult(g, { ...summary, dir: local ? target : null, serverDir: `letters/${name}` }, () => `${summaryLine(summary)}; letters in ${where}`);
    });

  const credentials = program.command('credentials').description('credential letters (admin)');
  credentials
    .command('issue <electionId>')
    .description('issue credentials to every voter not yet served: by e-mail (--email, the server needs SMTP_URL) or as printable letters (--letters <name>)')
    .option('--email', 'send each voter an e-mail with the QR code attached')
    .option('--letters <name>', 'write printable letters under <server data dir>/letters/<name>')
    .action(async (electionId: string, o: { email?: boolean; letters?: string }) => {
      const g = globals();
      if (Boolean(o.email) === Boolean(o.letters)) throw new CliError(EXIT.USAGE, 'choose exactly one delivery: --email or --letters <name>', 'USAGE');
      const summary = await issue(g, electionId, o.email ? 'email' : 'letter', o.letters);
      printResult(g, summary, summaryLine);
    });

  const clients = program.command('clients').description('voting applications (admin)');
  clients
    .command('register')
    .description('register a voting application: prints its client id and key (level 2 of the voter login); the key is shown only once')
    .requiredOption('--name <name>', 'a name for the application')
    .action(async (o: { name: string }) => {
      const g = globals();
      const r = await withAdmin(g, (admin) => admin.registerClient(o.name));
      printResult(g, { clientId: r.clientId, clientKey: r.clientKey }, (x: { clientId: string; clientKey: string }) => `EVOTE_CLIENT_ID=${x.clientId}\nEVOTE_CLIENT_KEY=${x.clientKey}`);
    });
}
