/**
 * `evote vote` and `evote receipt`: the voter's side. Nothing secret is printed except N2 inside
 * the receipt, which is the voter's own.
 */
import { ballotFromVoteFlags, type BallotVoteFlags } from './ballot-form-options.ts';
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { checkReceipt, readCredentialLetter, vote, type Receipt, type ReceiptCheck } from '../client/voter.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { printResult, table } from './output.ts';
import type { GlobalOptions } from './session.ts';
import { formatFingerprint } from '../crypto/election-fingerprint.ts';

function clientApp(o: { clientId?: string; clientKey?: string }): { clientId: string; clientKey: string } {
  const clientId = o.clientId ?? process.env.EVOTE_CLIENT_ID;
  const clientKey = o.clientKey ?? process.env.EVOTE_CLIENT_KEY;
  if (!clientId || !clientKey) {
    throw new CliError(EXIT.USAGE, 'no voting application: pass --client-id and --client-key, or set EVOTE_CLIENT_ID and EVOTE_CLIENT_KEY (evote clients register)', 'USAGE');
  }
  return { clientId, clientKey };
}

const collectValues = (value: string, previous: string[] = []) => [...previous, value];

export function registerVoterCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('vote')
    .description('vote with a credential letter: log in, get a blind signature, cast anonymously on a separate connection, keep the receipt')
    .requiredOption('--letter <png|uri>', "the letter's QR code (PNG file), or its evote:credential?... text, or a file holding that text")
    .option('--choice <choice>', 'single choice: one of the election choices, exactly as published; approval: repeat for each approved', collectValues)
    .option('--rank <choice>', 'ranked ballot: the choices best first, one --rank each', collectValues)
    .option('--grade <choice=grade>', 'graded ballot: a grade for a choice (repeat; a choice left out is ungraded)', collectValues)
    .option('--blank', 'cast a blank ballot (when the election allows one)')
    .option('--client-id <id>', 'voting application id (default: EVOTE_CLIENT_ID)')
    .option('--client-key <key>', 'voting application key (default: EVOTE_CLIENT_KEY)')
    .option('--receipt <file>', 'save the receipt (JSON, with N2 and the salt: keep it private) to this file')
    .action(async (o: { letter: string; clientId?: string; clientKey?: string; receipt?: string } & BallotVoteFlags) => {
      const g = globals();
      const choice = ballotFromVoteFlags(o);
      const client = clientApp(o);
      const credential = await readCredentialLetter(o.letter);
      const receipt = await vote({
        url: g.url,
        credential,
        client,
        choice,
        connect: { timeoutMs: Number(g.timeout) },
        // stderr, so --json output stays one document; the retry itself is safe (docs/gateway.md, "Clients").
        onRetry: (r) => process.stderr.write(`evote: ${r.code} during ${r.stage}; retrying (attempt ${r.attempt})\n`),
      });
      if (o.receipt) {
        try {
          await writeFile(o.receipt, JSON.stringify(receipt, null, 2) + '\n', { mode: 0o600 });
        } catch (err) {
          throw new CliError(EXIT.LOCAL_INPUT, `the ballot was cast, but the receipt could not be saved to ${o.receipt}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'FILE_UNWRITABLE');
        }
      }
      printResult(g, receipt, (r: Receipt) =>
        [
          'ballot cast',
          table([
            ['election', r.electionId],
            ['fingerprint', formatFingerprint(r.fingerprint)],
            ['ballot hash', r.ballotHash],
            ['signed receipt', r.signature],
            ['N2', r.n2],
            ['salt', r.salt],
          ]),
          'the fingerprint must be the one printed on your letter; if it is not, tell the election authority',
          o.receipt ? `receipt saved to ${o.receipt}` : 'keep the ballot hash, N2 and salt to check your receipt later',
        ].join('\n'),
      );
    });

  program
    .command('receipt')
    .description('check a ballot on the public board: with your receipt file (after the tally: status and counted choice) or by ballot hash')
    .option('--election <id>', 'the election id (default: the receipt file\'s)')
    .option('--ballot <hash>', 'the ballot hash from your receipt')
    .option('--file <receipt.json>', 'a receipt saved by `evote vote --receipt` (its N2 and salt once tallied, else its ballot hash)')
    .action(async (o: { election?: string; ballot?: string; file?: string }) => {
      const g = globals();
      const { ballot } = o;
      let { election } = o;
      let fromFile: Receipt | undefined;
      if (o.file) {
        try {
          fromFile = JSON.parse(await readFile(o.file, 'utf8')) as Receipt;
        } catch (err) {
          throw new CliError(EXIT.LOCAL_INPUT, `cannot read the receipt ${o.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'FILE_UNREADABLE');
        }
        election ??= fromFile.electionId;
      }
      if (!election) throw new CliError(EXIT.USAGE, '--election is required', 'USAGE');
      if (!fromFile === !ballot) throw new CliError(EXIT.USAGE, 'give exactly one of --file or --ballot', 'USAGE');
      const connect = { timeoutMs: Number(g.timeout) };
      let check: ReceiptCheck;
      if (fromFile) {
        check = await checkReceipt({ url: g.url, electionId: election, receipt: fromFile, connect }).catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'BALLOT_NOT_FOUND') throw err;
          return checkReceipt({ url: g.url, electionId: election, ballotHash: fromFile.ballotHash, connect });
        });
        if (check.ballotHash !== fromFile.ballotHash) throw new CliError(EXIT.REFUSED, 'the board holds a different ballot for this receipt', 'RECEIPT_MISMATCH');
      } else {
        check = await checkReceipt({ url: g.url, electionId: election, ballotHash: ballot, connect });
      }
      printResult(g, check, (c: ReceiptCheck) =>
        table([
          ['ballot hash', c.ballotHash],
          ['position', String(c.position)],
          ['status', c.status ?? 'cast, not counted yet'],
          ...(c.choice !== null ? [['counted as', c.choice]] : []),
        ]),
      );
    });
}
