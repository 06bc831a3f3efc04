/** The `evote` CLI (bin/evote.js): every command talks to a server over WebSocket, except `serve` and `db` (the database itself). */
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './exit-codes.ts';
import { printError } from './output.ts';
import { toCliError, type GlobalOptions } from './session.ts';
import { registerElectionCommands } from './election-commands.ts';
import { registerProjectionCommands } from './projection-commands.ts';
import { registerCredentialCommands } from './credential-commands.ts';
import { registerVoterCommands } from './voter-commands.ts';
import { registerTallyCommands } from './tally-commands.ts';
import { registerAuditCommands } from './audit-commands.ts';
import { registerDbCommands } from './db-commands.ts';
import { registerBoothCommands } from './booth-commands.ts';
import { registerWitnessCommands } from './witness-commands.ts';
import { registerTrusteeCommands } from './trustee-commands.ts';

const program = new Command();
program
  .name('evote')
  .description('evote: a verifiable secret-ballot e-voting backend. Admin, voter and auditor commands over WebSocket.')
  .option('--url <ws-url>', 'server WebSocket URL', process.env.EVOTE_URL ?? 'ws://127.0.0.1:8080/ws')
  .option('--token <token>', 'admin token (default: EVOTE_ADMIN_TOKEN, or data/admin-token of an embedded server)')
  .option('--data-dir <dir>', 'data directory of an embedded server (for its admin token)', process.env.EVOTE_DATA_DIR ?? './data')
  .option('--json', 'machine-readable output on stdout', false)
  .option('--timeout <ms>', 'request timeout in milliseconds', '30000')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    '\nExit codes: 0 ok, 1 refused by the server, 2 usage, 3 server unreachable, 4 local file problem, 5 audit failed, 6 audit incomplete (the log is not the whole election), 7 witness refused a checkpoint, 70 internal error.',
  )
  .exitOverride();

const globals = () => program.opts<GlobalOptions>();

program
  .command('serve')
  .description('run the server (embedded PGlite by default; DATABASE_URL, REDIS_URL, EVENTSTORE_URL select other modes)')
  .action(async () => {
    await import('../main.ts');
    // main.ts keeps the process alive until SIGTERM/SIGINT.
    await new Promise(() => {});
  });

registerElectionCommands(program, globals);
registerCredentialCommands(program, globals);
registerVoterCommands(program, globals);
registerTallyCommands(program, globals);
registerAuditCommands(program, globals);
registerProjectionCommands(program, globals);
registerDbCommands(program, globals);
registerBoothCommands(program, globals);
registerWitnessCommands(program, globals);
registerTrusteeCommands(program, globals);

try {
  await program.parseAsync(process.argv);
  process.exitCode = EXIT.OK;
} catch (caught) {
  const err = toCliError(caught);
  const json = Boolean(program.opts<GlobalOptions>().json);
  if (err instanceof CommanderError) {
    // Commander already printed its message (or the help text).
    process.exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? EXIT.OK : EXIT.USAGE;
  } else if (err instanceof CliError) {
    printError({ json }, err.code ?? 'ERROR', err.message);
    process.exitCode = err.exitCode;
  } else {
    printError({ json }, 'INTERNAL', (err as Error)?.message ?? String(err));
    if (process.env.EVOTE_DEBUG === '1') console.error(caught);
    process.exitCode = EXIT.INTERNAL;
  }
}
