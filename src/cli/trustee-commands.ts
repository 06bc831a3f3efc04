/** `evote ceremony` (offline: deal the counter key to n trustees) and `evote trustee decrypt` (a trustee's partial decryptions). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CeremonyError, runCeremony } from '../client/trustee-ceremony.ts';
import { decryptAsTrustee, TrusteeDecryptError } from '../client/trustee-decrypt.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { createProgress, printResult } from './output.ts';
import { withAdmin, type GlobalOptions } from './session.ts';
import { promptPassphrase, readPassphraseFile, readShareFile, readTranscript } from './trustee-files.ts';
import { parseFingerprint } from '../crypto/election-fingerprint.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(EXIT.USAGE, `${name} must be a positive integer`, 'USAGE');
  return n;
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'trustee';

async function passphrasesFor(names: string[], files: string[] | undefined): Promise<string[]> {
  if (files !== undefined) {
    if (files.length !== names.length) throw new CliError(EXIT.USAGE, `${names.length} trustees need ${names.length} --passphrase-file, in the same order`, 'USAGE');
    return Promise.all(files.map(readPassphraseFile));
  }
  const out: string[] = [];
  for (const name of names) {
    const first = await promptPassphrase(`passphrase for ${name}`);
    if ((await promptPassphrase(`again, for ${name}`)) !== first) throw new CliError(EXIT.USAGE, `the two passphrases for ${name} differ`, 'USAGE');
    out.push(first);
  }
  return out;
}

export function registerTrusteeCommands(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ceremony')
    .description('offline key ceremony: deal the counter key k-of-n, write each trustee\'s protected share file and the public transcript (no server)')
    .requiredOption('--trustee <name>', 'a trustee (repeat for each, in order)', collect)
    .requiredOption('--threshold <k>', 'trustees needed to decrypt')
    .option('--passphrase-file <file>', "a trustee's passphrase (first line), repeat in the order of --trustee; default: asked on the terminal", collect)
    .option('--bits <n>', 'RSA modulus size, 2048 or 3072', '2048')
    .option('--out <dir>', 'where to write transcript.json and the share files', '.')
    .action(async (o: { trustee: string[]; threshold: string; passphraseFile?: string[]; bits: string; out: string }) => {
      const g = globals();
      const threshold = positiveInt('--threshold', o.threshold) as number;
      if (o.bits !== '2048' && o.bits !== '3072') throw new CliError(EXIT.USAGE, '--bits must be 2048 or 3072', 'USAGE');
      const passphrases = await passphrasesFor(o.trustee, o.passphraseFile);
      const t0 = performance.now();
      let ceremony: Awaited<ReturnType<typeof runCeremony>>;
      try {
        ceremony = await runCeremony({ trustees: o.trustee.map((name, i) => ({ name, passphrase: passphrases[i] as string })), threshold, bits: Number(o.bits) as 2048 | 3072 });
      } catch (err) {
        if (err instanceof CeremonyError) throw new CliError(EXIT.USAGE, err.message, err.code);
        throw err;
      }
      const seconds = (performance.now() - t0) / 1000;
      await mkdir(o.out, { recursive: true });
      const transcriptPath = path.join(o.out, 'transcript.json');
      await writeFile(transcriptPath, JSON.stringify(ceremony.transcript, null, 2) + '\n', { mode: 0o644 });
      const shares: string[] = [];
      for (const f of ceremony.shareFiles) {
        const file = path.join(o.out, `share-${f.index}-${slug(f.name)}.json`);
        await writeFile(file, JSON.stringify(f, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
        shares.push(file);
      }
      printResult(g, { transcript: transcriptPath, shares, threshold, trustees: o.trustee.length, seconds }, (r) =>
        [`transcript  ${r.transcript} (public: give it to the election's administrator)`, ...r.shares.map((s) => `share       ${s} (secret: its trustee's only)`), `${r.threshold} of ${r.trustees} trustees, dealt in ${r.seconds.toFixed(1)} s`].join('\n'),
      );
    });

  const trustee = program.command('trustee').description("a trustee's commands");
  trustee
    .command('decrypt <electionId>')
    .description("compute this trustee's partial decryptions of an ended election's ballots on this machine and submit them")
    .requiredOption('--share <file>', 'the share file from the ceremony')
    .option('--passphrase-file <file>', 'the passphrase (first line); default: EVOTE_TRUSTEE_PASSPHRASE, else asked on the terminal')
    .option('--threads <n>', 'worker threads (default: the core count)')
    .option('--batch-size <n>', 'partials per submitted batch, one proof each (default and at most 64)')
    .option('--transcript <file>', "this trustee's copy of the ceremony's transcript: refuse an election whose key, parameters or trustees differ")
    .option('--fingerprint <fp>', 'the election fingerprint: refuse unless the audited log gives it')
    .action(async (electionId: string, o: { share: string; passphraseFile?: string; threads?: string; batchSize?: string; transcript?: string; fingerprint?: string }) => {
      const g = globals();
      if (o.fingerprint !== undefined && !parseFingerprint(o.fingerprint)) throw new CliError(EXIT.USAGE, '--fingerprint must be 64 hex digits (spaces allowed)', 'USAGE');
      const ownTranscript = o.transcript === undefined ? undefined : await readTranscript(o.transcript);
      const shareFile = await readShareFile(o.share);
      const passphrase = o.passphraseFile
        ? await readPassphraseFile(o.passphraseFile)
        : (process.env.EVOTE_TRUSTEE_PASSPHRASE ?? (await promptPassphrase(`passphrase for ${shareFile.name}`)));
      const progress = createProgress('partial decryptions', g);
      let computed = 0;
      let sent = 0;
      const result = await withAdmin(
        g,
        async (admin) => {
          try {
            return await decryptAsTrustee({
              conn: admin.conn,
              electionId,
              shareFile,
              passphrase,
              threads: positiveInt('--threads', o.threads),
              batchSize: positiveInt('--batch-size', o.batchSize),
              ...(ownTranscript && { transcript: ownTranscript }),
              ...(o.fingerprint !== undefined && { fingerprint: o.fingerprint }),
              // Batches are sent while others are computed: one bar for the decryption, the sent count beside it.
              onProgress: (p) => {
                if (p.phase === 'submit') sent = p.done;
                else if (p.phase === 'decrypt') computed = p.done;
                progress.update(p.phase === 'fetch' ? p.done : computed, p.total, p.phase === 'fetch' ? 'fetch' : `${sent} sent`);
              },
            });
          } catch (err) {
            if (err instanceof TrusteeDecryptError) throw new CliError(err.code === 'WRONG_PASSPHRASE' ? EXIT.LOCAL_INPUT : EXIT.REFUSED, err.message, err.code);
            throw err;
          }
        },
        { token: false },
      ).finally(() => progress.finish());
      printResult(g, { electionId, trustee: shareFile.name, ...result }, (r) =>
        `${r.trustee}: ${r.ballots} partial decryptions in ${r.decryptSeconds.toFixed(1)} s (${r.ballots > 0 ? Math.round(r.ballots / r.decryptSeconds) : 0}/s), ${r.batches} batches, ${r.stored} newly stored, ${r.skipped} already stored before`,
      );
    });
}
