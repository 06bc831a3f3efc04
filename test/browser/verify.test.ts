/**
 * "Verify this election in your browser" in Chromium, on the board page served by the gateway under
 * its CSP (the board places the panel): a real election (letters by e-mail, votes through the client library, the tally, the
 * checkpoints) verified by the panel's Web Worker PASSED with the CLI's final root; then log files
 * the user chooses: a tampered one FAILED naming the CLI's first broken event, a cut one INCOMPLETE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { EvoteConnection } from '../../src/client/connection.ts';
import { vote } from '../../src/client/voter.ts';
import { verifyLog } from '../../src/audit/verify.ts';
import type { AuditReport } from '../../src/audit/report.ts';
import { builtWebRoot, launchChromium, seriousAxeViolations, VIEWPORTS, watchPageErrors } from '../support/browser.ts';
import { browserVerificationRate, openVerifyPanel, panelVerdict, webRootWithVerifyMount } from '../support/browser-audit.ts';
import { issueLettersByEmail, startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { startTestCluster, until, voterCsv, type TestCluster } from '../support/system.ts';
import { rehash, serialize, type Line } from '../audit/signed-election.ts';

const VOTERS = 12;
const CHOICES = ['Alice', 'Bob', 'Carol'];
let sink: SmtpSink;
let cluster: TestCluster;
let browser: Browser;
let base: string;
let electionId: string;
let logText: string;
let cli: AuditReport;
let webRoot: string;
const dir = mkdtempSync(path.join(tmpdir(), 'evote-verify-test-'));

async function fetchLog(): Promise<string> {
  const res = await fetch(`${base}/elections/${encodeURIComponent(electionId)}/log`);
  expect(res.status).toBe(200);
  return res.text();
}

beforeAll(async () => {
  webRoot = await webRootWithVerifyMount(await builtWebRoot());
  sink = await startSmtpSink();
  cluster = await startTestCluster({ config: { smtpUrl: sink.url } });
  const gw = cluster.systems[0]!.gateway!;
  base = gw.httpUrl;
  const admin = await EvoteConnection.connect(gw.url);
  try {
    const token = cluster.adminToken;
    ({ electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Verify in the browser', choices: CHOICES, expectedVoters: VOTERS }, { token }));
    await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(VOTERS) }, { token, timeoutMs: 60_000 });
    const client = await admin.request<{ clientId: string; clientKey: string }>('command', 'clients.register', { name: 'verify test app' }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });
    const { letters } = await issueLettersByEmail(admin, token, electionId, sink);
    // Two voters abstain, so the election is ended by the operator.
    for (const [i, letter] of letters.slice(0, VOTERS - 2).entries()) await vote({ url: gw.url, credential: letter.credential, client, choice: CHOICES[i % 3]! });
    await admin.request('command', 'election.end', { electionId }, { token });
    await admin.request('command', 'tally.run', { electionId }, { token, timeoutMs: 120_000 });
  } finally {
    await admin.close();
  }
  // The checkpointer signs the tally's events shortly after: until then the CLI says INCOMPLETE.
  await until(async () => {
    logText = await fetchLog();
    cli = await verifyLog(logText.trim().split('\n'));
    return cli.verdict === 'PASSED';
  }, 60_000, 'a wholly signed log');
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.close();
  await sink?.close();
  rmSync(dir, { recursive: true, force: true });
  if (webRoot) rmSync(webRoot, { recursive: true, force: true });
});

/** A page on the board with the panel, its console errors and CSP violations collected. */
async function boardPage(viewport: { width: number; height: number } = VIEWPORTS.wide, helpers?: number): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors = watchPageErrors(page);
  await openVerifyPanel(page, base, electionId, helpers);
  return { page, errors };
}

function fileOf(name: string, lines: Line[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, serialize(lines).join('\n') + '\n');
  return file;
}

const parsed = () => logText.trim().split('\n').map((l) => JSON.parse(l) as Line);

describe('verify this election in your browser', () => {
  it('verifies the election from the gateway in a Web Worker: PASSED, with the CLI audit’s counts and final root, under the CSP', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.wide });
    const errors = watchPageErrors(page);
    const csp: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
    });
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));
    const r = await browserVerificationRate(page, base, electionId);
    expect(r.verdict).toBe('PASSED');
    // The board's own page placed the panel (no test mount was needed).
    expect(await page.$('#verify-mount')).toBeNull();
    // The verification's worker (and any helper Chromium reports), all scripts of the gateway's origin.
    expect(workers.length).toBeGreaterThanOrEqual(1);
    for (const w of workers) expect(new URL(w).origin).toBe(new URL(base).origin);
    expect(r.text).toContain(cli.verifiedHead!.root);
    expect(r.text).toContain(`${cli.events} events`);
    expect(r.text).toContain(`${cli.ballotsCounted} ballots counted`);
    expect(cli.ballotsCounted).toBe(VOTERS - 2);
    expect(r.ballotsPerSecond).toBeGreaterThan(0);
    // The verdict took the focus, and the live region says it.
    expect(await page.evaluate(() => document.activeElement?.classList.contains('verify-result'))).toBe(true);
    expect(await page.textContent('#verify-status')).toContain('PASSED');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.locator('.verify-panel').screenshot({ path: '/tmp/auditweb-verify-passed-1280.png' });
    expect(csp).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a tampered log file chosen by the user: FAILED, naming the CLI’s first broken event (with helper workers)', async () => {
    const lines = parsed();
    const i = lines.findIndex((l) => l.type === 'VoteCounted' && l.data!.choice === 'Bob');
    lines[i]!.data!.choice = 'Alice';
    rehash(lines[i]!);
    const expected = (await verifyLog(serialize(lines))).failures[0]!;
    expect(expected).toMatchObject({ check: 'VOTE_CHOICE', position: lines[i]!.position, type: 'VoteCounted' });

    // With two helper workers (this machine's default is none): the CLI's first failure all the same.
    const { page, errors } = await boardPage(VIEWPORTS.narrow, 2);
    await page.setInputFiles('#verify-file', fileOf('tampered.ndjson', lines));
    const r = await panelVerdict(page);
    expect(r.verdict).toBe('FAILED');
    expect(r.text).toContain(`position ${expected.position} (VoteCounted, stream ${expected.streamId}`);
    expect(r.text).toContain('VOTE_CHOICE');
    expect(r.text).toContain(expected.message);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.locator('.verify-panel').screenshot({ path: '/tmp/auditweb-verify-failed-360.png' });
    expect(errors).toEqual([]);

    // A dropped ballot, in the same page: the event after it is named.
    const dropped = parsed();
    const k = dropped.findIndex((l) => l.type === 'BallotCast');
    dropped.splice(k, 1);
    const cliDropped = (await verifyLog(serialize(dropped))).failures[0]!;
    await page.setInputFiles('#verify-file', fileOf('dropped.ndjson', dropped));
    await page.waitForSelector('.verify-result[data-verdict]', { state: 'detached' }).catch(() => {});
    const r2 = await panelVerdict(page);
    expect(r2.verdict).toBe('FAILED');
    expect(r2.text).toContain(`position ${cliDropped.position} (${cliDropped.type}`);
    expect(r2.text).toContain(cliDropped.check);
    expect(r2.text).toContain(`line ${cliDropped.line} of the log`);
    await page.close();
  });

  it('a log cut before the tally: INCOMPLETE, saying what is missing', async () => {
    const lines = parsed();
    const cut = lines.slice(0, lines.findIndex((l) => l.type === 'TallyStarted'));
    const { page, errors } = await boardPage();
    await page.setInputFiles('#verify-file', fileOf('cut.ndjson', cut));
    const r = await panelVerdict(page);
    expect(r.verdict).toBe('INCOMPLETE');
    expect(r.text).toContain('TALLY_NOT_PUBLISHED');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('speaks French to a French browser', async () => {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: VIEWPORTS.narrow });
    const page = await context.newPage();
    await openVerifyPanel(page, base, electionId);
    await page.click('#verify-start');
    const r = await panelVerdict(page);
    expect(r.text).toContain('RÉUSSIE');
    expect(r.text).toContain('bulletins comptés');
    await page.locator('.verify-panel').screenshot({ path: '/tmp/auditweb-verify-passed-fr-360.png' });
    await context.close();
  });
});
