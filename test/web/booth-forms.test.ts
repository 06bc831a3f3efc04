/**
 * The booth's ballot forms in Chromium against a real system: an approval, a ranked and a graded
 * ballot cast through /vote, each counted VALID with encodeBallot's text; too many approvals, a
 * shared rank and a gap are stopped before review in words; no axe violation on any form, nothing
 * wider than the screen at 360 and 1280 px. EVOTE_SCREENSHOTS=1 writes the pages to docs/screenshots/.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { decodeQrPng } from '../../src/credentials/qr.ts';
import { tallyStreamId } from '../../src/domain/streams.ts';
import type { VoteCounted } from '../../src/domain/tally-events.ts';
import { axeViolations, builtWebRoot, launchChromium, VIEWPORTS, watchPageErrors } from '../support/browser.ts';
import { startTestCluster, voterCsv, type TestCluster } from '../support/system.ts';

const SCREENSHOTS = process.env.EVOTE_SCREENSHOTS === '1' ? path.resolve(import.meta.dirname, '../../docs/screenshots') : undefined;
const CHOICES = ['Alice Martin', 'Bob Durand', 'Chloé Petit', 'David Roux'];

let cluster: TestCluster;
let browser: Browser;
let admin: EvoteConnection;
let dataDir: string;
const token = () => cluster.adminToken;

beforeAll(async () => {
  await builtWebRoot();
  dataDir = mkdtempSync(path.join(tmpdir(), 'evote-booth-forms-'));
  cluster = await startTestCluster({ config: { dataDir } });
  admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
  const app = await admin.request<{ clientId: string }>('command', 'clients.register', { name: 'Web booth' }, { token: token() });
  await admin.request('command', 'booth.setApp', { clientId: app.clientId }, { token: token() });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await cluster?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A started election of this form with two voters; the first letter's credential URI. */
async function electionWith(theme: string, rules: Record<string, unknown>): Promise<{ electionId: string; uri: string }> {
  const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme, choices: CHOICES, expectedVoters: 2, ...rules }, { token: token() });
  await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(2, `${theme.split(' ')[0]!.toLowerCase()}.example.org`) }, { token: token() });
  await admin.request('command', 'election.start', { electionId }, { token: token() });
  await admin.request('command', 'credentials.issue', { electionId, channel: 'letter' }, { token: token(), timeoutMs: 60_000 });
  const dir = path.join(dataDir, 'letters', electionId);
  const png = readdirSync(dir).filter((f) => f.endsWith('.png')).sort()[0]!;
  return { electionId, uri: decodeQrPng(readFileSync(path.join(dir, png))) ?? '' };
}

/** The booth at the election step with this letter opened. */
async function openBallot(uri: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: VIEWPORTS.wide, locale: 'en-GB' });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(cluster.systems[0]!.gateway!.httpUrl + '/vote');
  await page.fill('#letter-text', uri);
  await page.getByRole('button', { name: 'Open the letter' }).click();
  await page.waitForSelector('main h1:text-is("Check the election"), [role=alert]', { timeout: 15_000 });
  expect(await page.textContent('main h1')).toBe('Check the election');
  return { page, errors };
}

/** At 360 and 1280 px: no axe violation, nothing wider than the screen; the screenshots when asked. */
async function looksRight(page: Page, name: string): Promise<void> {
  for (const size of [VIEWPORTS.narrow, VIEWPORTS.wide]) {
    await page.setViewportSize(size);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${size.width}`).toBeLessThanOrEqual(size.width);
    expect(await axeViolations(page), `${name} at ${size.width}`).toEqual([]);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size.width}.png`), fullPage: true });
  }
}

/** Review → cast → receipt; the review's words, then the ballot hash. */
async function reviewAndCast(page: Page, name: string, words: string[]): Promise<string> {
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect.poll(() => page.textContent('main h1')).toBe('Confirm your vote');
  expect(await page.locator('.chosen li').allTextContents()).toEqual(words);
  await looksRight(page, `${name}-confirm`);
  await page.getByRole('button', { name: 'Cast my vote' }).click();
  await expect.poll(() => page.textContent('main h1'), { timeout: 30_000 }).toBe('Your vote was cast');
  return (await page.textContent('[data-testid=ballot-hash]'))!.trim();
}

/** What the tally recorded for a ballot: its status, text and reason (publishing may still refuse these methods). */
async function countedAs(electionId: string, ballotHash: string): Promise<{ status: string; choice: string | null; reason?: string }> {
  await admin.request('command', 'election.end', { electionId }, { token: token() });
  // Publication of these forms' results is wired elsewhere and may refuse: the statuses, appended before, are what is checked.
  await admin.request('command', 'tally.run', { electionId }, { token: token(), timeoutMs: 60_000 }).catch(() => undefined);
  const events = await cluster.systems[0]!.store.readStream(tallyStreamId(electionId));
  const d = events.filter((e) => e.type === 'VoteCounted').map((e) => e.data as VoteCounted['data']).find((x) => x.ballotHash === ballotHash);
  expect(d, 'the ballot was counted').toBeDefined();
  return { status: d!.status, choice: d!.choice, reason: d!.reason };
}

const problem = (page: Page) => page.locator('#choice-missing');

describe('the booth presents each ballot form', () => {
  it('approval: the at-most rule is said, too many approvals are stopped in words, the ballot is counted VALID', { timeout: 120_000 }, async () => {
    const { electionId, uri } = await electionWith('Approval board', { form: { kind: 'approval', min: 1, max: 2, blank: true } });
    const { page, errors } = await openBallot(uri);
    expect(await page.textContent('#ballot-rule')).toBe('Tick the candidates you approve: at least 1, at most 2.');
    expect(await page.getByRole('group', { name: 'The candidates you approve' }).getAttribute('aria-describedby')).toContain('ballot-rule');
    await expect.poll(() => page.getByLabel('I cast a blank ballot (no candidate)').isVisible()).toBe(true);
    await looksRight(page, 'vote-approval');

    await page.getByLabel('Alice Martin').check();
    await page.getByLabel('Bob Durand').check();
    expect(await problem(page).count()).toBe(0);
    await page.getByLabel('Chloé Petit').check();
    // Said at once, before Continue, and Continue does not pass it.
    await expect.poll(() => problem(page).textContent()).toBe('You ticked 3 candidates; this election allows at most 2. Untick 1 to continue.');
    expect(await problem(page).getAttribute('role')).toBe('alert');
    await looksRight(page, 'vote-approval-too-many');
    const next = page.getByRole('button', { name: 'Continue' });
    expect(await next.getAttribute('aria-disabled')).toBe('true');
    // Pressed anyway (a screen reader user can): the form does not pass to the review.
    await next.click({ force: true });
    expect(await page.textContent('main h1')).toBe('Check the election');
    expect(await problem(page).getAttribute('data-problem')).toBe('approval.tooMany');

    await page.getByLabel('Bob Durand').uncheck();
    expect(await problem(page).count()).toBe(0);
    const hash = await reviewAndCast(page, 'vote-approval', ['Alice Martin', 'Chloé Petit']);
    expect(await countedAs(electionId, hash)).toEqual({ status: 'VALID', choice: 'approval:0,2', reason: undefined });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('ranked: a rank select per candidate, a shared rank flagged and a gap refused, the ranking counted VALID', { timeout: 120_000 }, async () => {
    const { electionId, uri } = await electionWith('Ranked committee', { form: { kind: 'ranked', maxRanks: 3 }, method: 'irv' });
    const { page, errors } = await openBallot(uri);
    expect(await page.textContent('#ballot-rule')).toContain('at most 3');
    // Not ranked, 1st, 2nd, 3rd: maxRanks bounds the choice.
    expect(await page.getByLabel('Alice Martin').locator('option').allTextContents()).toEqual(['not ranked', '1st', '2nd', '3rd']);
    await looksRight(page, 'vote-ranked');

    await page.getByLabel('Chloé Petit').selectOption('1');
    await page.getByLabel('Alice Martin').selectOption('1');
    const flag = page.locator('#rank-dup-0');
    expect(await flag.textContent()).toBe('Same rank (1st) as Chloé Petit');
    expect(await page.getByLabel('Alice Martin').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await problem(page).getAttribute('data-problem')).toBe('ranked.duplicate');
    await looksRight(page, 'vote-ranked-duplicate');

    await page.getByLabel('Alice Martin').selectOption('3');
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await problem(page).textContent()).toBe('No candidate is ranked 2: ranks follow each other from 1st without a gap.');

    // By keyboard: focus Alice's select and choose 2nd with the arrow keys.
    await page.getByLabel('Alice Martin').focus();
    await page.keyboard.press('ArrowUp');
    expect(await page.getByLabel('Alice Martin').inputValue()).toBe('2');
    const hash = await reviewAndCast(page, 'vote-ranked', ['1st: Chloé Petit', '2nd: Alice Martin']);
    expect(await countedAs(electionId, hash)).toEqual({ status: 'VALID', choice: 'ranked:2>0', reason: undefined });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('graded: one radio group per candidate over the scale, lowest first, ungraded said as the lowest; counted VALID', { timeout: 120_000 }, async () => {
    const scale = ['Reject', 'Poor', 'Fair', 'Good', 'Excellent'];
    const { electionId, uri } = await electionWith('Graded jury', { form: { kind: 'graded', scale }, method: 'majority-judgment' });
    const { page, errors } = await openBallot(uri);
    const alice = page.getByRole('group', { name: 'Alice Martin' });
    expect(await alice.getByRole('radio').count()).toBe(scale.length + 1);
    expect(await alice.locator('label').allTextContents()).toEqual(['no grade', ...scale]);
    expect(await page.getByLabel('I cast a blank ballot (no candidate)').count()).toBe(0);
    await page.getByRole('button', { name: 'Continue' }).click();
    expect(await problem(page).getAttribute('data-problem')).toBe('graded.none');
    await page.getByRole('group', { name: 'Alice Martin' }).getByLabel('Good').check();
    await looksRight(page, 'vote-graded');

    // By keyboard: Tab into Bob's group lands on its checked "no grade"; ArrowRight moves to Reject.
    await page.getByRole('group', { name: 'Bob Durand' }).getByLabel('no grade').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('group', { name: 'Bob Durand' }).getByLabel('Reject').isChecked()).toBe(true);
    await page.getByRole('group', { name: 'David Roux' }).getByLabel('Excellent').check();
    const hash = await reviewAndCast(page, 'vote-graded', ['Alice Martin: Good', 'Bob Durand: Reject', 'Chloé Petit: no grade (counts as “Reject”)', 'David Roux: Excellent']);
    expect(await countedAs(electionId, hash)).toEqual({ status: 'VALID', choice: 'graded:3,0,-,4', reason: undefined });
    expect(errors).toEqual([]);
    await page.context().close();
  });
  it('single choice with blank allowed: a last radio casts the blank ballot, reviewed in words and counted VALID', { timeout: 120_000 }, async () => {
    const { electionId, uri } = await electionWith('Single blank', { form: { kind: 'single', blank: true } });
    const { page, errors } = await openBallot(uri);
    const radios = page.getByRole('group', { name: 'Your choice' }).getByRole('radio');
    expect(await radios.count()).toBe(CHOICES.length + 1);
    await page.getByLabel('Bob Durand').check();
    await page.getByLabel('I cast a blank ballot (no candidate)').check();
    expect(await page.getByLabel('Bob Durand').isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.textContent('main h1')).toBe('Confirm your vote');
    expect(await page.textContent('.chosen')).toBe('A blank ballot (no candidate)');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Cast my vote' }).click();
    await expect.poll(() => page.textContent('main h1'), { timeout: 30_000 }).toBe('Your vote was cast');
    const hash = (await page.textContent('[data-testid=ballot-hash]'))!.trim();
    expect(await countedAs(electionId, hash)).toEqual({ status: 'VALID', choice: '', reason: undefined });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
