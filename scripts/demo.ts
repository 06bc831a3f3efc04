/**
 * `npm run demo [-- --voters N] [-- --json] [-- --concurrency C] [-- --keep]`: a whole election in
 * one command, through the real server and the real WebSocket gateway.
 *
 * 1. starts `src/main.ts` (what `npm start` runs) as a child process on the embedded default
 *    (PGlite) in a fresh temporary data dir, with SMTP_URL pointing at an SMTP server inside this
 *    process (smtp-server): the server's own process does the server's work on its own core;
 * 2. admin (src/client/admin.ts): create the election (expected voters = N, so it closes itself
 *    at the N-th ballot), import N voters from a CSV, register a voting application, issue the
 *    credentials by e-mail;
 * 3. every simulated voter reads their letter — the credential text of the mail; the QR PNG of
 *    the first letters is also decoded and compared (decoding a QR with jsqr costs ~65 ms, which
 *    for 1,000 letters would dominate the run) — then `vote()` (src/client/voter.ts): three-level
 *    login, blind signature, unblind/verify, encrypt, cast on a separate anonymous connection,
 *    with a random choice; C voters at a time (default 50);
 * 4. waits for the auto-close, runs the tally, checks every voter's receipt by N2 (status VALID
 *    and the counted choice is the one the voter made), runs the independent audit over the
 *    public log route, and prints the results table and the audit verdict.
 *
 * With --json it prints one JSON object (the voters' choices, the results, the audit report,
 * timings) for tests. The temporary data dir is deleted at the end unless --keep is given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalSmtpServer } from './local-smtp-server.ts';
import { simpleParser } from 'mailparser';
import { EvoteAdmin } from '../src/client/admin.ts';
import { checkReceipt, readCredentialLetter, vote, type Credential, type Receipt } from '../src/client/voter.ts';
import { audit, type AuditReport } from '../src/client/auditor.ts';
import { resultsTable } from '../src/cli/tally-commands.ts';

const CHOICES = ['Alice', 'Bob', 'Carol'];
const QR_SAMPLE = 20;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values: args } = parseArgs({
  options: {
    voters: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(args.voters);
const CONCURRENCY = Number(args.concurrency);
if (!Number.isInteger(N) || N < 1 || N > 100_000) fail('--voters must be an integer in 1..100000');
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1) fail('--concurrency must be a positive integer');
const json = args.json;

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(1);
}
/** Human progress on stderr (stdout stays clean for --json). */
const say = (line: string) => {
  if (!json) process.stderr.write(line + '\n');
};
const timings: Record<string, number> = {};
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  timings[name] = Math.round(performance.now() - t);
  say(`  ${name.padEnd(22)} ${String(timings[name]).padStart(6)} ms`);
  return r;
}

async function mapConcurrent<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Mailbox {
  url: string;
  /** Letters received: recipient → credential URI text and the QR PNG. */
  letters: Map<string, { uri: string; png?: Buffer }>;
  close(): Promise<void>;
}

/** An in-process SMTP server that keeps each letter's credential text and QR attachment. */
async function startMailbox(): Promise<Mailbox> {
  const letters = new Map<string, { uri: string; png?: Buffer }>();
  const server = await startLocalSmtpServer({
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          const to = session.envelope.rcptTo[0]?.address ?? '';
          const uri = /evote:credential\?\S+/.exec(mail.text ?? '')?.[0];
          if (uri) letters.set(to, { uri, png: mail.attachments.find((a) => a.contentType === 'image/png')?.content });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  return {
    ...server,
    letters,
  };
}

async function startServer(dataDir: string, smtpUrl: string): Promise<{ url: string; token: string; child: ChildProcess }> {
  const port = await freePort();
  const token = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, [...(process.env.EVOTE_DEMO_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.EVOTE_DEMO_PROFILE] : []), '--import', 'tsx', path.join(root, 'src/main.ts')], {
    cwd: root,
    env: { ...process.env, EVOTE_DATA_DIR: dataDir, EVOTE_PORT: String(port), EVOTE_HOST: '127.0.0.1', EVOTE_ADMIN_TOKEN: token, SMTP_URL: smtpUrl, EVOTE_LOG_LEVEL: 'error', DATABASE_URL: '', REDIS_URL: '', EVENTSTORE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${stderr.trim()}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error('the server did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `ws://127.0.0.1:${port}/ws`, token, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const started = performance.now();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'evote-demo-'));
  say(`evote demo: ${N} voters, ${CONCURRENCY} at a time; server on the embedded default (PGlite) in ${dataDir}`);
  const mailbox = await startMailbox();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    server = await step('start server', () => startServer(dataDir, mailbox.url));
    const { url, token } = server;
    const admin = await EvoteAdmin.connect(url, token);
    try {
      const { electionId } = await step('create election', () => admin.createElection({ theme: 'Demo: who chairs the board?', choices: CHOICES, expectedVoters: N }));
      const csv = ['name,email', ...Array.from({ length: N }, (_, i) => `Voter ${i},voter${i}@demo.example`)].join('\n') + '\n';
      await step('import voters', () => admin.importVoters({ electionId, csv }));
      const client = await step('register client app', () => admin.registerClient('demo voting app'));
      await step('start voting', () => admin.startVoting(electionId));
      const issued = await step('mail credentials', () => admin.issueCredentials({ electionId, channel: 'email' }));
      if (issued.issued !== N) throw new Error(`issued ${issued.issued} of ${N} credentials (${issued.failed} failed)`);

      const letters = Array.from({ length: N }, (_, i) => mailbox.letters.get(`voter${i}@demo.example`));
      const credentials: Credential[] = await step('read letters', async () => {
        const creds = await Promise.all(letters.map((l, i) => (l ? readCredentialLetter(l.uri) : Promise.reject(new Error(`voter ${i} got no letter`)))));
        // The QR code of the first letters must carry exactly the text of the letter.
        for (let i = 0; i < Math.min(QR_SAMPLE, N); i++) {
          const fromQr = await readCredentialLetter(letters[i]!.png ?? Buffer.alloc(0));
          if (JSON.stringify(fromQr) !== JSON.stringify(creds[i])) throw new Error(`the QR code of letter ${i} does not match its text`);
        }
        return creds;
      });

      const choices = credentials.map(() => CHOICES[randomInt(CHOICES.length)]!);
      let cast = 0;
      const receipts: Receipt[] = await step('vote', () =>
        mapConcurrent(credentials, CONCURRENCY, async (credential, i) => {
          const receipt = await vote({ url, credential, client, choice: choices[i]! });
          if (++cast % Math.max(1, Math.floor(N / 10)) === 0) say(`    ${cast}/${N} ballots cast`);
          return receipt;
        }),
      );

      await step('auto-close', async () => {
        const deadline = Date.now() + 30_000;
        while ((await admin.getElection(electionId)).status !== 'VOTE_ENDED') {
          if (Date.now() > deadline) throw new Error('the election did not close itself after the last ballot');
          await new Promise((r) => setTimeout(r, 50));
        }
      });
      const tally = await step('tally', async () => {
        const published = await admin.runTally({ electionId });
        // The tally's reply waits for the read models only for a bounded time; receipts are read
        // from them, so on a loaded machine wait until they show the published tally.
        const deadline = Date.now() + 60_000;
        while (!(await admin.results(electionId)).published) {
          if (Date.now() > deadline) throw new Error('the read models did not show the published tally within 60 s');
          await new Promise((r) => setTimeout(r, 50));
        }
        return published;
      });

      let receiptsOk = 0;
      const receiptProblems: string[] = [];
      await step('check receipts', () =>
        mapConcurrent(receipts, CONCURRENCY, async (r, i) => {
          const check = await checkReceipt({ url, electionId, receipt: r });
          if (check.ballotHash === r.ballotHash && check.status === 'VALID' && check.choice === choices[i]) receiptsOk++;
          else receiptProblems.push(`voter ${i}: ${check.status} ${check.choice ?? '-'} (chose ${choices[i]})`);
        }),
      );

      const report: AuditReport = await step('audit', () => audit({ from: url, electionId }));
      timings.total = Math.round(performance.now() - started);

      const expected: Record<string, number> = Object.fromEntries(CHOICES.map((c) => [c, 0]));
      for (const c of choices) expected[c] = (expected[c] ?? 0) + 1;
      const resultsMatch = CHOICES.every((c) => (tally.counts[c] ?? 0) === expected[c]);
      const ok = resultsMatch && receiptsOk === N && report.ok;
      if (json) {
        process.stdout.write(
          JSON.stringify({
            ok,
            electionId,
            voters: N,
            choices,
            expected,
            results: { counts: tally.counts, statuses: tally.statuses, ballots: tally.ballots },
            resultsMatch,
            receipts: { checked: N, ok: receiptsOk, problems: receiptProblems.slice(0, 10) },
            audit: { ok: report.ok, events: report.events, checkpoints: report.checkpoints, failures: report.failures, warnings: report.warnings },
            timings,
          }) + '\n',
        );
      } else {
        process.stdout.write(`\nelection ${electionId}: "Demo: who chairs the board?", ${N} voters, ${tally.ballots} ballots\n\n`);
        process.stdout.write(resultsTable(tally) + '\n\n');
        process.stdout.write(`the simulated voters chose: ${CHOICES.map((c) => `${c} ${expected[c]}`).join(', ')} — ${resultsMatch ? 'the tally matches' : 'THE TALLY DOES NOT MATCH'}\n`);
        process.stdout.write(`receipts: ${receiptsOk}/${N} found on the board, counted VALID with the voter's choice\n`);
        process.stdout.write(`audit: ${report.verdict} (${report.events} events, ${report.checkpoints} signed checkpoints re-verified)${report.failures[0] ? `: ${report.failures[0].message}` : ''}\n`);
        process.stdout.write(`done in ${(timings.total / 1000).toFixed(1)} s\n`);
      }
      process.exitCode = ok ? 0 : 1;
    } finally {
      await admin.close();
    }
  } finally {
    if (server) await stopServer(server.child);
    await mailbox.close();
    if (args.keep) say(`data kept in ${dataDir}`);
    else await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? `${(err as { code?: string }).code ? `${(err as { code?: string }).code}: ` : ''}${err.message}` : String(err)}\n`);
  process.exitCode = 1;
});
