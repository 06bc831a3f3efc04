/**
 * The operator's console (/admin) in Chromium against a real system (PostgreSQL, Redis, the
 * gateway) and a real in-process SMTP server: the operator signs in with the admin token, creates
 * an election, imports 50 voters from a CSV (a bad line named first), registers an application and
 * makes it the booth's, starts, issues 50 letters by e-mail, resends one, ends, tallies with
 * progress and reads the results; three voters vote with the Node client in between. Elections with
 * a counting method, ballot form, seats and weights are created through the form and read back.
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { EvoteConnection } from '../../src/client/connection.ts';
import { vote } from '../../src/client/voter.ts';
import { parseVoterCsv } from '../../src/commands/csv.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { builtWebRoot, launchChromium, seriousAxeViolations, VIEWPORTS, watchPageErrors } from '../support/browser.ts';
import { startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { startTestCluster, until, voterCsv, type TestCluster } from '../support/system.ts';

const SHOTS = process.env.EVOTE_SHOTS_DIR;
const VOTERS = 50;

let sink: SmtpSink;
let cluster: TestCluster;
let browser: Browser;
let base: string;

beforeAll(async () => {
  await builtWebRoot();
  sink = await startSmtpSink({ decodeQrFirst: 3 });
  cluster = await startTestCluster({ config: { smtpUrl: sink.url } });
  base = cluster.systems[0]!.gateway!.httpUrl;
  browser = await launchChromium();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.close();
  await sink?.close();
});

/** Screenshots at 360 and 1280 px (EVOTE_SHOTS_DIR): the whole page in slices of at most 1600 px, to be looked at. */
async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    for (let y = 0, k = 0; y < height; y += 1600, k++) {
      await page.screenshot({ path: `${SHOTS}/console-${name}-${label}-${k}.png`, fullPage: true, clip: { x: 0, y, width: size.width, height: Math.min(1600, height - y) } });
    }
  }
  await page.setViewportSize(VIEWPORTS.wide);
}

/** One part of the page at 360 and 1280 px (EVOTE_SHOTS_DIR), as docs/web.md shows it: `console-part-<name>-<width>.png`. */
async function partShot(page: Page, selector: string, name: string): Promise<void> {
  if (!SHOTS) return;
  for (const size of Object.values(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.locator(selector).screenshot({ path: `${SHOTS}/console-part-${name}-${size.width}.png` });
  }
  await page.setViewportSize(VIEWPORTS.wide);
}

/** Nothing wider than a 360 px screen: the page never scrolls sideways. */
async function fitsNarrow(page: Page): Promise<void> {
  await page.setViewportSize(VIEWPORTS.narrow);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(VIEWPORTS.narrow.width);
  // Nor does the voters' table scroll inside its own box.
  expect(await page.evaluate(() => [...document.querySelectorAll('.admin-scroll')].filter((e) => e.scrollWidth > e.clientWidth).length)).toBe(0);
  await page.setViewportSize(VIEWPORTS.wide);
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The election's polite live region of a section, by its id prefix. */
const live = (page: Page, id: string) => page.locator(`#${id}-live-text`);

describe('the operator’s console, driven in Chromium', () => {
  it('runs a whole election: token, create, import, application, start, letters, resend, end, tally, results', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.wide, locale: 'en-GB' });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const token = cluster.adminToken;
    const admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
    try {
      await page.goto(`${base}/admin`);
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('admin-token');
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot(page, 'signin');

      // A wrong token is a clear, coded error, and nothing else opens.
      await signIn(page, 'not-the-token');
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain('UNAUTHORIZED');
      expect(await alert.textContent()).toContain('The admin token is wrong');
      expect(await page.getByRole('heading', { name: 'Elections' }).count()).toBe(0);
      await shot(page, 'wrong-token');

      // By keyboard: the field is focused, Enter submits.
      await page.getByLabel('Admin token').fill(token);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'New election' }).waitFor();
      expect(await page.getByLabel('Admin token').count()).toBe(0);
      // The token stays out of the URL and of the page's storage.
      expect(page.url()).not.toContain(token);
      expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toContain(token);

      // Create: three choice rows, one removed, then the election opens.
      await page.getByLabel('Theme').fill('Residents’ council 2026');
      await page.getByLabel('Choice 1', { exact: true }).fill('Ana');
      await page.getByLabel('Choice 2', { exact: true }).fill('Ben');
      await page.getByRole('button', { name: 'Add a choice' }).click();
      await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.id ?? '')).toMatch(/-choice-2$/);
      await page.getByLabel('Choice 3', { exact: true }).fill('Chloé');
      await page.getByRole('button', { name: 'Add a choice' }).click();
      await page.getByLabel('Choice 4', { exact: true }).fill('to be removed');
      await page.getByRole('button', { name: 'Remove choice 4' }).click();
      await page.getByLabel('Expected voters').fill(String(VOTERS));
      await shot(page, 'create');
      await page.getByRole('button', { name: 'Create the election' }).click();
      const title = page.getByRole('heading', { level: 2, name: 'Residents’ council 2026' });
      await title.waitFor();
      const electionId = (await page.locator('.admin-summary dd.mono').textContent())!.trim();
      const created = await admin.request<ElectionRow>('query', 'election.get', { electionId });
      expect(created).toMatchObject({ theme: 'Residents’ council 2026', choices: ['Ana', 'Ben', 'Chloé'], expectedVoters: VOTERS, status: 'REGISTER' });

      // Configure while in REGISTER: a closing time a week ahead.
      const closes = new Date(Date.now() + 7 * 86_400_000);
      closes.setSeconds(0, 0);
      const p = (n: number) => String(n).padStart(2, '0');
      await page.getByLabel('Closing time').first().fill(`${closes.getFullYear()}-${p(closes.getMonth() + 1)}-${p(closes.getDate())}T${p(closes.getHours())}:${p(closes.getMinutes())}`);
      await page.getByRole('button', { name: 'Save the configuration' }).click();
      await expect.poll(() => live(page, 'configure').textContent()).toBe('Configuration saved.');
      expect(Date.parse((await admin.request<ElectionRow>('query', 'election.get', { electionId })).closesAt!)).toBe(closes.getTime());

      // A CSV with a bad line: named before anything is sent.
      const file = page.getByLabel('CSV file');
      await file.setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('name,email\nA,a@example.org\n\nB,not-an-address\n') });
      const importAlert = page.locator('section[aria-labelledby=import-title] [role=alert]');
      await importAlert.waitFor();
      expect(await importAlert.textContent()).toContain('INVALID_EMAIL');
      expect(await importAlert.textContent()).toContain('Line 4 of the file.');
      expect(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(true);
      expect((await admin.request<ElectionRow>('query', 'election.get', { electionId })).voterCount).toBe(0);
      await shot(page, 'bad-csv');

      // A quoting fault: the page's check (csv-parse's browser build) names the line the server's parser names.
      const quoted = 'email\r\n"a@example.org"\r\n"b@example.org\r\nc@example.org\r\n';
      const inNode = parseVoterCsv(quoted);
      if (inNode.ok) throw new Error('the quoting fault went unnoticed by the server’s parser');
      expect(inNode.error.details?.line).toBe(3);
      await file.setInputFiles({ name: 'quoted.csv', mimeType: 'text/csv', buffer: Buffer.from(quoted) });
      await expect.poll(() => importAlert.textContent()).toContain('INVALID_CSV');
      expect(await importAlert.textContent()).toContain('Line 3 of the file.');
      expect(await importAlert.textContent()).toContain(inNode.error.message);

      // The good file: checked, then imported with progress.
      await file.setInputFiles({ name: 'voters.csv', mimeType: 'text/csv', buffer: Buffer.from(voterCsv(VOTERS, 'residents.example')) });
      await expect.poll(() => live(page, 'import').textContent()).toBe(`The file is well formed: ${VOTERS} voters.`);
      await page.getByRole('button', { name: `Import ${VOTERS} voters` }).click();
      await expect.poll(() => live(page, 'import').textContent(), { timeout: 30_000 }).toBe(`Import finished: ${VOTERS} imported, 0 already registered.`);
      expect(await page.locator('#import-live-bar').getAttribute('value')).toBe(String(VOTERS));
      expect((await admin.request<ElectionRow>('query', 'election.get', { electionId })).voterCount).toBe(VOTERS);
      expect(await page.locator('.admin-voters tbody tr').count()).toBe(20);
      expect(await page.getByText(`Voters 1 to 20 of ${VOTERS}`).count()).toBe(1);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await fitsNarrow(page);
      await shot(page, 'register');

      // An application, its key shown once, made the booth's.
      await page.getByRole('button', { name: 'Voting applications' }).click();
      await page.getByLabel('Application name').fill('Web booth');
      await page.getByRole('button', { name: 'Register the application' }).click();
      const keyField = page.getByLabel(/^Key of application /);
      await keyField.waitFor();
      const clientKey = await keyField.inputValue();
      expect(clientKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const clientId = (await live(page, 'apps').textContent())!.match(/^Application (\S+) registered\.$/)![1]!;
      expect(await page.getByRole('note').textContent()).toContain('shown once');
      await page.getByRole('button', { name: 'Use this application for the web booth' }).click();
      await expect.poll(() => live(page, 'booth').textContent()).toBe(`The web booth now uses application ${clientId}.`);
      expect(await page.locator('#booth-app-now').textContent()).toBe(`The web booth uses application ${clientId}.`);
      expect(await admin.request('query', 'booth.app', {})).toMatchObject({ clientId });
      expect(await seriousAxeViolations(page)).toEqual([]);
      await fitsNarrow(page);
      await shot(page, 'apps');
      await page.getByRole('button', { name: 'I have kept the key: hide it' }).click();
      expect(await page.getByLabel(/^Key of application /).count()).toBe(0);
      // A second application, revoked by its id (asked twice); the booth's stays.
      await page.getByLabel('Application name').fill('Spare kiosk');
      await page.getByRole('button', { name: 'Register the application' }).click();
      await expect.poll(async () => /^Application \S+ registered\.$/.test((await live(page, 'apps').textContent())!) && !(await live(page, 'apps').textContent())!.includes(clientId)).toBe(true);
      const spareId = (await live(page, 'apps').textContent())!.match(/^Application (\S+) registered\.$/)![1]!;
      expect(spareId).not.toBe(clientId);
      await page.getByLabel('Application id to revoke').fill(spareId);
      await page.getByRole('button', { name: 'Revoke the application' }).click();
      await page.getByRole('button', { name: 'Confirm — Revoke the application' }).click();
      await expect.poll(() => live(page, 'revoke').textContent()).toBe(`Application ${spareId} revoked.`);
      expect(await admin.request('query', 'booth.app', {})).toMatchObject({ clientId });
      await page.getByRole('button', { name: 'I have kept the key: hide it' }).click();

      // Back to the election; start (asked twice).
      await page.getByRole('button', { name: 'Elections', exact: true }).click();
      await shot(page, 'list');
      await page.getByRole('button', { name: 'Open “Residents’ council 2026”' }).click();
      await title.waitFor();
      await page.getByRole('button', { name: 'Start voting' }).click();
      await page.getByRole('button', { name: 'Confirm — Start voting' }).click();
      await page.getByRole('heading', { name: 'Credential letters' }).waitFor();
      await expect.poll(() => live(page, 'election').textContent()).toBe('Voting is open.');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('election-title');

      // Letters by e-mail, with progress: 50 mails reach the SMTP server.
      await page.getByLabel('By e-mail, to each voter').check();
      await page.getByRole('button', { name: 'Issue the letters' }).click();
      await expect.poll(() => live(page, 'issue').textContent(), { timeout: 120_000 }).toBe(`Issuance finished: ${VOTERS} issued, 0 failed, 0 already served.`);
      expect(await page.locator('#issue-live-bar').getAttribute('value')).toBe(String(VOTERS));
      // The voters' page shows the letters issued.
      await expect.poll(() => page.locator('.admin-voters tbody tr td:nth-child(2)').allTextContents()).toEqual(Array(20).fill('issued (e\u2011mail)'));
      await until(() => sink.letters.length >= VOTERS, 10_000, 'the letters');
      expect(sink.problems).toEqual([]);
      expect(new Set(sink.letters.map((l) => l.to)).size).toBe(VOTERS);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await fitsNarrow(page);
      await shot(page, 'started');

      // Three voters vote with the Node client.
      const url = cluster.systems[0]!.gateway!.url;
      const choices = ['Ana', 'Ben', 'Ana'];
      const voted = sink.letters.slice(0, 3);
      for (const [i, letter] of voted.entries()) await vote({ url, credential: letter.credential, client: { clientId, clientKey }, choice: choices[i]! });

      // Resend: found by e-mail; refused, coded, for a voter who already has a signature; sent for another.
      const search = page.getByLabel('Search by e-mail');
      await search.fill(voted[0]!.to);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect.poll(() => page.locator('.admin-voters tbody tr').count()).toBe(1);
      await page.getByRole('button', { name: `Resend the letter of ${voted[0]!.to}` }).click();
      const resendAlert = page.locator('section[aria-labelledby=voters-title] [role=alert]');
      await resendAlert.waitFor();
      expect(await resendAlert.textContent()).toContain('ALREADY_SIGNED');
      const other = sink.letters.find((l) => !voted.includes(l))!;
      await search.fill(other.to);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('button', { name: `Resend the letter of ${other.to}` }).waitFor();
      const mailsBefore = sink.letters.length;
      await page.getByRole('button', { name: `Resend the letter of ${other.to}` }).click();
      await expect.poll(() => live(page, 'resend').textContent(), { timeout: 30_000 }).toBe(`The letter of ${other.to} was sent again.`);
      await until(() => sink.letters.length > mailsBefore, 10_000, 'the resent letter');
      expect(sink.letters.at(-1)!.to).toBe(other.to);
      await fitsNarrow(page);
      await shot(page, 'resend');

      // End, tally with progress, results.
      // By keyboard: Enter on the button asks, the confirmation takes the focus, Enter again ends.
      await page.getByRole('button', { name: 'End voting' }).focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Confirm — End voting');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Run the tally' }).waitFor();
      await expect.poll(() => live(page, 'election').textContent()).toBe('Voting is closed.');
      await page.getByRole('button', { name: 'Run the tally' }).click();
      await expect.poll(() => live(page, 'tally').textContent(), { timeout: 120_000 }).toBe('The tally is published.');
      expect(await page.locator('#tally-live-bar').getAttribute('value')).toBe('3');
      const rows = await page.locator('.admin-results').first().locator('tbody tr').allTextContents();
      expect(rows).toEqual(['Ana2', 'Ben1', 'Chloé0']);
      expect(await page.getByText('Ballots counted: 3.').count()).toBe(1);
      // The voters' search outlives the election's reloads (end, tally): still the one voter searched for.
      expect(await page.locator('.admin-voters tbody tr td:first-child').allTextContents()).toEqual([other.to]);
      expect(await page.getByRole('link', { name: 'Public board of this election' }).getAttribute('href')).toBe(`/elections/${electionId}`);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await fitsNarrow(page);
      await shot(page, 'results');
      expect(errors).toEqual([]);
    } finally {
      await admin.close();
      await context.close();
    }
  }, 300_000);

  it('issues printable letters as one PDF, fetched with the token and offered as a download', async () => {
    const token = cluster.adminToken;
    const admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
    const context = await browser.newContext({ viewport: VIEWPORTS.narrow, locale: 'en-GB', acceptDownloads: true });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    try {
      const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Printed letters', choices: ['Yes', 'No'], expectedVoters: 3 }, { token });
      await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(3, 'post.example') }, { token });
      await admin.request('command', 'election.start', { electionId }, { token });

      await page.goto(`${base}/admin`);
      await signIn(page, token);
      await page.getByRole('button', { name: 'Open “Printed letters”' }).click();
      await page.getByLabel('As printable letters').check();
      await page.getByRole('button', { name: 'Issue the letters' }).click();
      await expect.poll(() => live(page, 'issue').textContent(), { timeout: 60_000 }).toMatch(/^Issuance finished: 3 issued, 0 failed, 0 already served\. The letters file is ready: \d+ KiB\.$/);
      const link = page.getByRole('link', { name: 'Download the letters (PDF)' });
      expect(await link.getAttribute('href')).toMatch(/^blob:/);
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toMatch(/\.pdf$/);
      const bytes = await readFile((await download.path())!);
      expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      // The route is the admin's only: without the token it refuses.
      const path = (await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname))).find((p) => p.endsWith('.pdf'))!;
      expect(path).toMatch(/^\/admin\/letters\//);
      expect([401, 403]).toContain((await fetch(base + path)).status);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await shot(page, 'letters');
      expect(errors).toEqual([]);
    } finally {
      await admin.close();
      await context.close();
    }
  }, 120_000);

  it('creates elections with a counting method, ballot form, seats and weights; refused combinations are said', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.wide, locale: 'en-GB' });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
    const get = (electionId: string) => admin.request<ElectionRow>('query', 'election.get', { electionId });
    const fill = async (theme: string, choices: string[], expected: number) => {
      await page.getByLabel('Theme').fill(theme);
      for (const [i, c] of choices.entries()) {
        if (i >= 2) await page.getByRole('button', { name: 'Add a choice' }).click();
        await page.getByLabel(`Choice ${i + 1}`, { exact: true }).fill(c);
      }
      await page.getByLabel('Expected voters').fill(String(expected));
    };
    const openedId = async (theme: string) => {
      await page.getByRole('heading', { level: 2, name: theme }).waitFor();
      return (await page.locator('.admin-summary dd.mono').textContent())!.trim();
    };
    const method = page.getByLabel('Counting method');
    try {
      await page.goto(`${base}/admin`);
      await signIn(page, cluster.adminToken);
      await page.getByRole('heading', { name: 'New election' }).waitFor();
      // The default is today's: plurality, single choice, no method-specific field.
      expect(await method.inputValue()).toBe('plurality');
      expect(await page.locator('#create-title ~ form').getByRole('spinbutton').count()).toBe(1);
      expect(await page.getByLabel('Every choice must be ranked').count()).toBe(0);

      // IRV: a ranked form; a full ranking hides the rank limit; blank ballots allowed.
      await fill('Chair 2027', ['Ana', 'Ben', 'Chloé'], 10);
      await method.selectOption('irv');
      expect(await page.getByText('Ranked ballot: voters rank the choices in order of preference.').count()).toBe(1);
      expect(await page.getByLabel('Seats to fill').count()).toBe(0);
      await page.getByLabel('Most choices ranked').fill('2');
      await page.getByLabel('Every choice must be ranked').check();
      expect(await page.getByLabel('Most choices ranked').count()).toBe(0);
      await page.getByLabel('Blank ballots allowed').check();
      expect(await seriousAxeViolations(page)).toEqual([]);
      await fitsNarrow(page);
      await shot(page, 'create-irv');
      await partShot(page, 'section[aria-labelledby=create-title]', 'create-irv');
      await page.getByRole('button', { name: 'Create the election' }).click();
      const irvId = await openedId('Chair 2027');
      const irv = await get(irvId);
      expect(irv.ballot).toEqual({ form: { kind: 'ranked', blank: true, full: true }, method: 'irv', seats: 1 });
      expect(irv.weightClasses ?? []).toEqual([]);
      expect(await page.locator('#election-method').textContent()).toBe('Instant-runoff (IRV)');
      expect(await page.locator('#election-ballot').textContent()).toBe('Ranked: every choice must be ranked; blank ballots allowed');
      expect(await page.locator('#election-weights').count()).toBe(0);

      // Approval with weight classes 1 and 3 (typed out of order, with spaces).
      await page.getByRole('button', { name: 'All elections' }).click();
      await fill('Owners’ assembly', ['Roof', 'Lift', 'Garden', 'Bikes'], 20);
      await method.selectOption('approval');
      await page.getByLabel('Fewest approvals').fill('1');
      await page.getByLabel('Most approvals').fill('2');
      await page.getByLabel('Voter weights').fill(' 3, 1 ');
      expect(await seriousAxeViolations(page)).toEqual([]);
      await fitsNarrow(page);
      await shot(page, 'create-approval');
      await page.getByRole('button', { name: 'Create the election' }).click();
      const approvalId = await openedId('Owners’ assembly');
      const approval = await get(approvalId);
      expect(approval.ballot).toEqual({ form: { kind: 'approval', blank: false, min: 1, max: 2 }, method: 'approval', seats: 1 });
      expect(approval.weightClasses?.map((c) => c.weight)).toEqual([1, 3]);
      expect(await page.locator('#election-method').textContent()).toBe('Approval voting');
      expect(await page.locator('#election-ballot').textContent()).toBe('Approval: 1 to 2 choices');
      expect(await page.locator('#election-weights').textContent()).toBe('1, 3');
      expect(await seriousAxeViolations(page)).toEqual([]);
      await fitsNarrow(page);
      await shot(page, 'detail-approval');
      await partShot(page, '.admin-summary', 'detail-approval');

      // Scottish STV for two seats, shown on the detail page.
      await page.getByRole('button', { name: 'All elections' }).click();
      await fill('Board 2027', ['Ana', 'Ben', 'Chloé', 'Dev'], 10);
      await method.selectOption('stv-scottish');
      await page.getByLabel('Seats to fill').fill('2');
      await page.getByRole('button', { name: 'Create the election' }).click();
      const stv = await get(await openedId('Board 2027'));
      expect(stv.ballot).toEqual({ form: { kind: 'ranked', blank: false, full: false }, method: 'stv-scottish', seats: 2 });
      expect(await page.locator('#election-seats').textContent()).toBe('2');
      await shot(page, 'detail-stv');
      await partShot(page, '.admin-summary', 'detail-stv');

      // Refused: as many seats as choices (the server's INVALID_SEATS), then a weight given twice (checked here first).
      await page.getByRole('button', { name: 'All elections' }).click();
      const before = (await admin.request<{ elections: ElectionRow[] }>('query', 'election.list', {})).elections.length;
      await fill('Too many seats', ['Ana', 'Ben', 'Chloé'], 10);
      await method.selectOption('stv-scottish');
      await page.getByLabel('Seats to fill').fill('3');
      await page.getByRole('button', { name: 'Create the election' }).click();
      const createAlert = page.locator('section[aria-labelledby=create-title] [role=alert]');
      await expect.poll(() => createAlert.textContent()).toContain('Error INVALID_SEATS');
      expect(await createAlert.textContent()).toContain('only the single transferable vote fills several seats');
      expect(await seriousAxeViolations(page)).toEqual([]);
      await fitsNarrow(page);
      await shot(page, 'create-refused');
      await page.getByLabel('Seats to fill').fill('2');
      await page.getByLabel('Voter weights').fill('2,2');
      await page.getByRole('button', { name: 'Create the election' }).click();
      await expect.poll(() => createAlert.textContent()).toContain('Error INVALID_WEIGHTS');
      expect(await createAlert.textContent()).toContain('weights must be distinct');
      expect((await admin.request<{ elections: ElectionRow[] }>('query', 'election.list', {})).elections.length).toBe(before);
      expect(errors).toEqual([]);
    } finally {
      await admin.close();
      await context.close();
    }
  }, 120_000);

  it('speaks French to a French browser, error codes included', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.narrow, locale: 'fr-FR' });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    try {
      await page.goto(`${base}/admin`);
      await page.getByLabel('Jeton d’administration').fill('faux');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain('Erreur UNAUTHORIZED');
      expect(await alert.textContent()).toContain('Le jeton d’administration est faux');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('fr');
      await shot(page, 'fr');
      expect(await seriousAxeViolations(page)).toEqual([]);

      // A ballot the server refuses, said in French: more approvals at least than at most.
      await page.getByLabel('Jeton d’administration').fill(cluster.adminToken);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByLabel('Objet').fill('Assemblée');
      await page.getByLabel('Choix 1', { exact: true }).fill('Oui');
      await page.getByLabel('Choix 2', { exact: true }).fill('Non');
      await page.getByLabel('Électeurs attendus').fill('5');
      await page.getByLabel('Mode de scrutin').selectOption('approval');
      await page.getByLabel('Approbations au moins').fill('2');
      await page.getByLabel('Approbations au plus').fill('1');
      await page.getByRole('button', { name: 'Créer le scrutin' }).click();
      const refusal = page.locator('section[aria-labelledby=create-title] [role=alert]');
      await expect.poll(() => refusal.textContent()).toContain('Erreur INVALID_BALLOT_FORM');
      expect(await refusal.textContent()).toContain('Les réglages du bulletin ne conviennent pas à ces choix');
      expect(await seriousAxeViolations(page)).toEqual([]);
      await fitsNarrow(page);
      await shot(page, 'fr-refused');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
