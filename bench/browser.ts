/**
 * The browser front end in headless Chromium (Debian's, through playwright-core), each figure next
 * to its Node counterpart measured in the same run:
 * - the booth's size: the files booth.json lists (what its hash covers), raw and gzip -9;
 * - a letter to a receipt in the booth (open /vote, choose the letter's PNG, choose, cast, receipt
 *   shown), median and p95 over `voters` voters one after another, against the Node client's vote();
 * - the in-browser verification (the board's "verify this election", a Web Worker) of an election
 *   of `ballots` ballots, against src/audit verifyLog (what `evote audit` runs) on the same export.
 * Alone: `npx tsx bench/browser.ts [voters] [ballots]`; in `npm run bench -- browser`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import type { BenchResult } from './harness.ts';
import { mintCredentials, plantSecretCodes, registerClientApp, startedElection, type BenchSystem } from './election-setup.ts';
import { builtWebRoot, launchChromium } from '../test/support/browser.ts';
import { startTestCluster } from '../test/support/system.ts';
import { registerBoothApp, verifyInBrowser, voteWithLetterFile } from '../test/support/booth-driver.ts';
import { writeElection, untilCheckpointed } from '../test/audit/election-fixture.ts';
import { electionLogLines } from '../src/audit/export.ts';
import { verifyLog } from '../src/audit/verify.ts';
import { canonicalJson } from '../src/crypto/canonical.ts';
import { formatCredentialUri } from '../src/credentials/credential-uri.ts';
import { renderLetterFiles } from '../src/credentials/letter.ts';
import { readCredentialLetter, vote } from '../src/client/voter.ts';
import type { System } from '../src/app/bootstrap.ts';

const load = () => `load ${os.loadavg()[0]!.toFixed(1)}`;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const percentile = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)]!;
const timing = (ms: number[]) => `median ${percentile(ms, 0.5).toFixed(0)} ms, p95 ${percentile(ms, 0.95).toFixed(0)} ms, ${ms.length} voters`;

export interface SizeRow {
  file: string;
  raw: number;
  gzip: number;
}

/** The booth's files as booth.json lists them, raw and gzip -9 (what a server with gzip would send). */
export function boothSizes(webRoot: string): SizeRow[] {
  const manifest = JSON.parse(readFileSync(path.join(webRoot, 'booth.json'), 'utf8')) as { files: { path: string }[] };
  return manifest.files.map(({ path: file }) => {
    const bytes = readFileSync(path.join(webRoot, file));
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
}

/** The size table for BENCHMARKS.md (sizes are not rates: a table of their own). */
export function renderSizeTable(rows: SizeRow[]): string {
  const js = rows.filter((r) => r.file.endsWith('.js'));
  const total = (rs: SizeRow[], k: 'raw' | 'gzip') => rs.reduce((s, r) => s + r[k], 0);
  return [
    '| booth file (booth.json) | raw | gzip -9 |',
    '|---|---:|---:|',
    ...rows.map((r) => `| ${r.file.replace(/-[A-Za-z0-9_-]{8,}\./, '-<hash>.')} | ${kib(r.raw)} | ${kib(r.gzip)} |`),
    `| **JavaScript** | **${kib(total(js, 'raw'))}** | **${kib(total(js, 'gzip'))}** |`,
    `| all booth files | ${kib(total(rows, 'raw'))} | ${kib(total(rows, 'gzip'))} |`,
  ].join('\n');
}

type Sys = System & BenchSystem;

async function withSystem<T>(fn: (sys: Sys) => Promise<T>): Promise<T> {
  const cluster = await startTestCluster();
  try {
    const system = cluster.systems[0]!;
    return await fn(Object.assign(system, { url: system.gateway!.url, adminToken: cluster.adminToken }));
  } finally {
    await cluster.close();
  }
}

/** Credential letters for `count` voters of a started election, planted as issuance would (no mail). */
async function letters(sys: Sys, count: number): Promise<{ electionId: string; pngs: Buffer[] }> {
  const election = await startedElection(sys, count);
  const codes = await plantSecretCodes(sys, election.electionId, election.voterIds);
  const tokens = await mintCredentials(sys.store, election.electionId, count);
  const uris = election.voterIds.map((voterId, i) => formatCredentialUri({ electionId: election.electionId, voterId, secretCode: codes[i]!, ...tokens[i]! }));
  const pngs = uris.map((uri, i) => renderLetterFiles({ electionTheme: 'Bench', electionId: election.electionId, fingerprint: '0'.repeat(64), voterId: election.voterIds[i]!, n1: tokens[i]!.n1, n2: tokens[i]!.n2, uri }).png);
  return { electionId: election.electionId, pngs };
}

/** A letter to a receipt: the booth in Chromium against the Node client, alternating, on one election. */
async function letterToReceipt(browser: Browser, voters: number): Promise<BenchResult[]> {
  return withSystem(async (sys) => {
    const base = sys.gateway!.httpUrl;
    const { pngs } = await letters(sys, 2 * voters + 2);
    await registerBoothApp(sys.url, sys.adminToken);
    const client = await registerClientApp(sys);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'evote-bench-letters-'));
    const booth: number[] = [];
    const node: number[] = [];
    let loadAtStart = load();
    try {
      // Alternating, so both see the same load; the first of each (warm-up: the page's first
      // compile, the client's first module loads and connections) is not counted.
      for (let i = 0; i < pngs.length; i++) {
        if (i === 2) loadAtStart = load();
        if (i % 2 === 0) {
          const png = path.join(dir, `letter-${i}.png`);
          writeFileSync(png, pngs[i]!, { mode: 0o600 });
          const context = await browser.newContext();
          const page = await context.newPage();
          const t0 = performance.now();
          await voteWithLetterFile(page, base, png, 'A');
          if (i >= 2) booth.push(performance.now() - t0);
          await context.close();
        } else {
          // The Node client's whole path from the letter's PNG too (reading the QR included).
          const t0 = performance.now();
          const credential = await readCredentialLetter(pngs[i]!);
          await vote({ url: sys.url, credential, client, choice: 'A' });
          if (i >= 2) node.push(performance.now() - t0);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const nodeResult: BenchResult = { name: 'a letter (PNG) to a receipt, Node client vote()', rate: 1000 / percentile(node, 0.5), unit: 'votes', note: timing(node) };
    const boothRate = 1000 / percentile(booth, 0.5);
    return [
      nodeResult,
      {
        name: 'a letter (PNG) to a receipt in the booth, headless Chromium (open /vote, choose the file, choose, cast, receipt shown)',
        rate: boothRate,
        unit: 'votes',
        note: `${timing(booth)}; ${loadAtStart} at start, ${load()} at end`,
        against: { name: nodeResult.name, rate: nodeResult.rate, ratio: boothRate / nodeResult.rate },
      },
    ];
  });
}

/** The board's in-browser verification of a generated election against verifyLog on the same export. */
async function verification(browser: Browser, ballots: number): Promise<BenchResult[]> {
  return withSystem(async (sys) => {
    const fixture = await writeElection(sys.store, sys.keyStore, { voters: ballots, badBallots: false, lateBallot: false });
    await untilCheckpointed(sys.sql, fixture.electionId, 300_000);
    const lines: string[] = [];
    for await (const l of electionLogLines(sys.store, fixture.electionId)) lines.push(canonicalJson(l));
    const exportFile = path.join(os.tmpdir(), `evote-bench-browser-${randomBytes(4).toString('hex')}.ndjson`);
    writeFileSync(exportFile, lines.join('\n') + '\n');
    try {
      let t0 = performance.now();
      const report = await verifyLog(lines);
      const nodeSeconds = (performance.now() - t0) / 1000;
      if (!report.ok) throw new Error(`the benchmark election did not audit clean: ${JSON.stringify(report.failures[0])}`);
      const nodeRate = report.ballotsCounted / nodeSeconds;
      const loadAtStart = load();
      const page = await browser.newPage();
      // The board is loaded first: the timing is the verification's, from the click.
      await page.goto(`${sys.gateway!.httpUrl}/elections/${encodeURIComponent(fixture.electionId)}`);
      await page.locator('#verify-start').waitFor();
      t0 = performance.now();
      const verdict = await verifyInBrowser(page, sys.gateway!.httpUrl, fixture.electionId, { timeoutMs: 600_000 });
      const browserSeconds = (performance.now() - t0) / 1000;
      await page.close();
      if (!verdict.passed) throw new Error(`the in-browser verification said ${verdict.verdict}: ${verdict.text}`);
      const rate = report.ballotsCounted / browserSeconds;
      const cli: BenchResult = {
        name: `audit (src/audit verifyLog, as \`evote audit\`), ${report.ballotsCounted} ballots / ${report.events} events, in memory, ${os.availableParallelism()} cores`,
        rate: nodeRate,
        unit: 'ballots',
        note: `${nodeSeconds.toFixed(2)} s incl. worker start`,
      };
      return [
        cli,
        {
          name: `in-browser verification on the board, headless Chromium (Web Worker), same election: press to PASSED`,
          rate,
          unit: 'ballots',
          note: `${browserSeconds.toFixed(2)} s from the click to the verdict, fetching the log from /elections/<id>/log included (the panel's own figure, from its start: ${Math.round(verdict.ballotsPerSecond).toLocaleString('en-US')} ballots/s); ${loadAtStart} at start, ${load()} at end`,
          against: { name: cli.name, rate: cli.rate, ratio: rate / cli.rate },
        },
      ];
    } finally {
      rmSync(exportFile, { force: true });
    }
  });
}

export interface BrowserBench {
  results: BenchResult[];
  sizes: SizeRow[];
  /** Parts that could not run, and why (e.g. a page not built yet). */
  skipped: string[];
}

export async function browserBench(opts: { voters?: number; ballots?: number } = {}): Promise<BrowserBench> {
  const webRoot = await builtWebRoot();
  const sizes = boothSizes(webRoot);
  const results: BenchResult[] = [];
  const skipped: string[] = [];
  const browser = await launchChromium();
  try {
    for (const [part, run] of [
      ['letter to receipt', () => letterToReceipt(browser, opts.voters ?? 10)],
      ['in-browser verification', () => verification(browser, opts.ballots ?? 2_000)],
    ] as const) {
      try {
        results.push(...(await run()));
      } catch (err) {
        skipped.push(`${part}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
  } finally {
    await browser.close();
  }
  return { results, sizes, skipped };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { renderTable } = await import('./harness.ts');
  console.error(`browser bench on ${os.cpus().length} cores, Node ${process.version}; ${load()}`);
  const { results, sizes, skipped } = await browserBench({ voters: Number(process.argv[2] ?? 10), ballots: Number(process.argv[3] ?? 2_000) });
  console.log(renderSizeTable(sizes));
  console.log();
  console.log(renderTable(results));
  for (const s of skipped) console.error(`  not measured: ${s}`);
}
