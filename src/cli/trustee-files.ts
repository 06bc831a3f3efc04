/** The ceremony's files (transcript, share files) and trustees' passphrases, for the CLI. */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { TrusteeTranscript } from '../domain/trustees.ts';
import type { ShareFile } from '../client/trustee-ceremony.ts';
import { CliError, EXIT } from './exit-codes.ts';

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(EXIT.LOCAL_INPUT, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'FILE_UNREADABLE');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(EXIT.LOCAL_INPUT, `${file} is not ${what} (not JSON)`, 'FILE_MALFORMED');
  }
}

/** The server checks the transcript in full; here only that it is one. */
export async function readTranscript(file: string): Promise<TrusteeTranscript> {
  const t = await readJson(file, 'a ceremony transcript');
  if (typeof t !== 'object' || t === null || !Array.isArray((t as TrusteeTranscript).trustees)) throw new CliError(EXIT.LOCAL_INPUT, `${file} is not a ceremony transcript`, 'FILE_MALFORMED');
  return t as TrusteeTranscript;
}

export async function readShareFile(file: string): Promise<ShareFile> {
  const s = await readJson(file, 'a trustee share file');
  if (typeof s !== 'object' || s === null || (s as ShareFile).kind !== 'evote-trustee-share' || !Number.isInteger((s as ShareFile).index)) {
    throw new CliError(EXIT.LOCAL_INPUT, `${file} is not a trustee share file`, 'FILE_MALFORMED');
  }
  return s as ShareFile;
}

/** First line of a file, without its line ending (a passphrase may contain spaces). */
export async function readPassphraseFile(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).split(/\r?\n/)[0] ?? '';
  } catch (err) {
    throw new CliError(EXIT.LOCAL_INPUT, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'FILE_UNREADABLE');
  }
}

/** Asks on the terminal without echo; refuses when stdin is not a terminal (scripts pass files or the environment). */
export async function promptPassphrase(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError(EXIT.USAGE, `${question}: no terminal to ask on; pass a passphrase file`, 'USAGE');
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(`${question}: `, (answer) => resolve(answer));
      muted = true;
    });
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
