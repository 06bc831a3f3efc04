/**
 * A whole election in the browser, against a real system (PostgreSQL, Redis, the gateway serving
 * the built pages) and a real in-process SMTP server, in Debian's Chromium: the operator sets it up
 * in /admin (create, 50 voters from a CSV, the booth's application, start, letters by e-mail); a
 * board opened before the vote follows it live; 50 voters vote in /vote (one through the camera,
 * one with the PDF letter, the others with the PNG the e-mail carried), their receipts checked on
 * /receipt; the operator ends and tallies; the board shows the results the voters cast and its
 * in-browser verification says PASSED, and FAILED, naming the event, on a tampered export.
 * EVOTE_SCREENSHOTS=1 writes every page at 360 and 1280 px to docs/screenshots/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { builtWebRoot, launchChromium, seriousAxeViolations, VIEWPORTS, watchPageErrors } from '../support/browser.ts';
import { startSmtpSink, type ReceivedLetter, type SmtpSink } from '../support/letters.ts';
import { startTestCluster, until, voterCsv, type TestCluster } from '../support/system.ts';
import { writeFakeCamera } from '../support/fake-camera.ts';
import { chooseAndCast, openLetterByCamera, openLetterFile, verifyInBrowser, type BoothReceipt } from '../support/booth-driver.ts';
import { electionLogLines } from '../../src/audit/export.ts';
import { canonicalJson } from '../../src/crypto/canonical.ts';

const VOTERS = 50;
const CHOICES = ['Ana', 'Ben', 'Chloé'];
const THEME = 'Residents’ council 2026';
/** Booth pages voting at once: enough to keep the run short on 2 cores, few enough not to time out. */
const CONCURRENT_VOTERS = 4;
const SCREENSHOTS = process.env.EVOTE_SCREENSHOTS === '1' ? path.resolve(import.meta.dirname, '../../docs/screenshots') : undefined;

let sink: SmtpSink;
let cluster: TestCluster;
let browser: Browser;
let cameraBrowser: Browser | undefined;
let base: string;
let dir: string;
let adminContext: BrowserContext;
let admin: Page;
let board: Page;
let electionId: string;
let letters: ReceivedLetter[];
const pageErrors: string[][] = [];
/** Voter index → the choice made and the receipt shown. */
const votes = new Map<number, { choice: string; receipt: BoothReceipt }>();
/** Receipt files downloaded from the booth, checked after the tally. */
const receiptFiles: { file: string; choice: string }[] = [];

beforeAll(async () => {
  await builtWebRoot();
  sink = await startSmtpSink();
  cluster = await startTestCluster({ config: { smtpUrl: sink.url } });
  base = cluster.systems[0]!.gateway!.httpUrl;
  browser = await launchChromium();
  dir = mkdtempSync(path.join(tmpdir(), 'evote-election-'));
  if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await cameraBrowser?.close();
  await browser?.close();
  await cluster?.close();
  await sink?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A failed step leaves pictures of the console and the board behind, to see why.
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  for (const [name, page] of [['admin', admin], ['board', board]] as const) {
    await page?.screenshot({ path: path.join(tmpdir(), `evote-election-failed-${name}.png`), fullPage: true }).catch(() => undefined);
  }
});

/** A page whose console errors and CSP violations are collected (and checked empty at the end). */
async function watchedPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  pageErrors.push(watchPageErrors(page));
  return page;
}

/** docs/screenshots/<name>-360.png and -1280.png, the whole page (or one part of it), when EVOTE_SCREENSHOTS=1. */
async function shot(page: Page, name: string, part?: string): Promise<void> {
  if (!SCREENSHOTS) return;
  const before = page.viewportSize();
  for (const size of [VIEWPORTS.narrow, VIEWPORTS.wide]) {
    await page.setViewportSize(size);
    // Let layout and any resize-driven rendering settle.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const file = path.join(SCREENSHOTS, `${name}-${size.width}.png`);
    if (part) await page.locator(part).screenshot({ path: file });
    else await page.screenshot({ path: file, fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

const live = (page: Page, id: string) => page.locator(`#${id}-live-text`);
const choiceOf = (i: number) => CHOICES[i % 3 === 2 ? 2 : i % 2]!;

describe('a whole election in the browser', () => {
  it('the operator creates the election in /admin, imports 50 voters from a CSV, registers the booth’s application, starts and issues the letters by e-mail', async () => {
    adminContext = await browser.newContext({ viewport: VIEWPORTS.wide });
    admin = await watchedPage(adminContext);
    await admin.goto(`${base}/admin`);
    await admin.getByLabel('Admin token').fill(cluster.adminToken);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('heading', { name: 'New election' }).waitFor();

    await admin.getByLabel('Theme').fill(THEME);
    await admin.getByLabel('Choice 1', { exact: true }).fill(CHOICES[0]!);
    await admin.getByLabel('Choice 2', { exact: true }).fill(CHOICES[1]!);
    await admin.getByRole('button', { name: 'Add a choice' }).click();
    await admin.getByLabel('Choice 3', { exact: true }).fill(CHOICES[2]!);
    // One more than will vote: at the expected turnout the election closes by itself, and here the operator closes it.
    await admin.getByLabel('Expected voters').fill(String(VOTERS + 1));
    await admin.getByRole('button', { name: 'Create the election' }).click();
    await admin.getByRole('heading', { level: 2, name: THEME }).waitFor();
    electionId = (await admin.locator('.admin-summary dd.mono').first().textContent())!.trim();
    expect(electionId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

    // The board, opened now (before the vote), is never reloaded: a marker set in its window must survive.
    board = await watchedPage(await browser.newContext({ viewport: VIEWPORTS.wide }));
    await board.goto(`${base}/elections/${electionId}`);
    await board.locator('#election-state[data-phase=REGISTER]').waitFor();
    await board.evaluate(() => Object.assign(window, { evoteNotReloaded: true }));

    const csv = path.join(dir, 'voters.csv');
    writeFileSync(csv, voterCsv(VOTERS, 'residents.example'));
    await admin.getByLabel('CSV file').setInputFiles(csv);
    await expect.poll(() => live(admin, 'import').textContent()).toBe(`The file is well formed: ${VOTERS} voters.`);
    await admin.getByRole('button', { name: `Import ${VOTERS} voters` }).click();
    await expect.poll(() => live(admin, 'import').textContent(), { timeout: 30_000 }).toBe(`Import finished: ${VOTERS} imported, 0 already registered.`);
    await shot(admin, 'admin-election');

    await admin.getByRole('button', { name: 'Voting applications' }).click();
    await admin.getByLabel('Application name').fill('Web booth');
    await admin.getByRole('button', { name: 'Register the application' }).click();
    await admin.getByLabel(/^Key of application /).waitFor();
    await admin.getByRole('button', { name: 'Use this application for the web booth' }).click();
    await expect.poll(() => admin.locator('#booth-app-now').textContent()).toMatch(/^The web booth uses application \S+\.$/);
    await shot(admin, 'admin-applications');
    await admin.getByRole('button', { name: 'I have kept the key: hide it' }).click();

    await admin.getByRole('button', { name: 'Elections', exact: true }).click();
    await admin.getByRole('button', { name: `Open “${THEME}”` }).click();
    await admin.getByRole('button', { name: 'Start voting' }).click();
    await admin.getByRole('button', { name: 'Confirm — Start voting' }).click();
    await admin.getByRole('heading', { name: 'Credential letters' }).waitFor();
    await admin.getByLabel('By e-mail, to each voter').check();
    await admin.getByRole('button', { name: 'Issue the letters' }).click();
    await expect.poll(() => live(admin, 'issue').textContent(), { timeout: 120_000 }).toBe(`Issuance finished: ${VOTERS} issued, 0 failed, 0 already served.`);
    await until(() => sink.letters.length >= VOTERS, 10_000, 'the letters');
    expect(sink.problems).toEqual([]);
    letters = sink.letters.filter((l) => l.credential.electionId === electionId);
    expect(new Set(letters.map((l) => l.credential.voterId)).size).toBe(VOTERS);
    expect(await seriousAxeViolations(admin)).toEqual([]);
    await shot(admin, 'admin-started');

    // The board followed without a reload.
    await board.locator('#election-state[data-phase=VOTE_STARTED]').waitFor();
    expect(await board.locator('#voter-count').textContent()).toBe(String(VOTERS));
  }, 240_000);

  it('one voter opens the letter with the camera (Chromium’s fake capture fed the letter’s QR)', async () => {
    const i = 0;
    const y4m = writeFakeCamera(path.join(dir, 'camera.y4m'), letters[i]!.mail.attachments.find((a) => a.contentType === 'image/png')!.content);
    cameraBrowser = await launchChromium({ fakeVideo: y4m });
    const page = await watchedPage(await cameraBrowser.newContext({ viewport: VIEWPORTS.narrow }));
    await openLetterByCamera(page, base);
    // The ballot shows the election the letter names.
    expect(await page.getByText(electionId).count()).toBeGreaterThan(0);
    votes.set(i, { choice: choiceOf(i), receipt: await chooseAndCast(page, choiceOf(i)) });
    await page.context().close();
  }, 120_000);

  it('one voter’s letter is resent as a printable letter from the console; the voter chooses that PDF in the booth', async () => {
    const i = 1;
    const email = letters[i]!.to;
    await admin.getByLabel('Search by e-mail').fill(email);
    await admin.getByRole('button', { name: 'Search', exact: true }).click();
    await admin.getByLabel('Resend channel').selectOption('letter');
    await admin.getByRole('button', { name: `Resend the letter of ${email}` }).click();
    await expect.poll(() => live(admin, 'resend').textContent(), { timeout: 60_000 }).toBe(`The letter of ${email} was sent again.`);
    const download = admin.waitForEvent('download');
    await admin.locator('section[aria-labelledby=voters-title]').getByRole('link', { name: 'Download the letters (PDF)' }).click();
    const pdf = path.join(dir, 'resent-letter.pdf');
    await (await download).saveAs(pdf);
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await shot(admin, 'admin-resend');

    const page = await watchedPage(await browser.newContext({ viewport: VIEWPORTS.wide }));
    await openLetterFile(page, base, pdf);
    votes.set(i, { choice: choiceOf(i), receipt: await chooseAndCast(page, choiceOf(i)) });
    await page.context().close();
  }, 120_000);

  it('every other voter chooses the PNG the e-mail carried; the booth’s steps and receipt at 360 and 1280 px', async () => {
    const pngs = letters.map((l, i) => {
      const file = path.join(dir, `letter-${i}.png`);
      writeFileSync(file, l.mail.attachments.find((a) => a.contentType === 'image/png')!.content, { mode: 0o600 });
      return file;
    });
    let shown = 0;
    // Voter 0 used the camera, voter 1 the PDF.
    let next = 2;
    const ballotsSeen = new Set<string>();
    const boardCounts: number[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENT_VOTERS }, async () => {
        const context = await browser.newContext({ viewport: VIEWPORTS.wide, acceptDownloads: true });
        const page = await watchedPage(context);
        try {
          for (let i = next++; i < VOTERS; i = next++) {
            const choice = choiceOf(i);
            // The first voter here is photographed at each step (one at a time: the viewport moves).
            const photographed = i === 2;
            if (photographed) {
              await page.goto(base + '/vote');
              await page.getByRole('heading', { level: 1 }).waitFor();
              expect(await seriousAxeViolations(page)).toEqual([]);
              await shot(page, 'vote-letter');
            }
            await openLetterFile(page, base, pngs[i]!);
            if (photographed) {
              expect(await seriousAxeViolations(page)).toEqual([]);
              await shot(page, 'vote-ballot');
            }
            const receipt = await chooseAndCast(page, choice, photographed ? { atConfirm: () => shot(page, 'vote-confirm') } : {});
            votes.set(i, { choice, receipt });
            if (photographed || i % 16 === 5) {
              // A few voters keep the receipt file, checked after the tally on /receipt.
              const download = page.waitForEvent('download');
              await page.getByRole('link', { name: /download my receipt/i }).click();
              const file = path.join(dir, `receipt-${i}.json`);
              await (await download).saveAs(file);
              receiptFiles.push({ file, choice });
            }
            if (photographed) {
              expect(await seriousAxeViolations(page)).toEqual([]);
              await shot(page, 'vote-receipt');
            }
            shown++;
            boardCounts.push(Number(await board.locator('#ballot-count').textContent()));
          }
        } finally {
          await context.close();
        }
      }),
    );
    expect(shown).toBe(VOTERS - 2);
    for (const { receipt } of votes.values()) {
      expect(receipt.ballotHash).toMatch(/^[0-9a-f]{64}$/);
      ballotsSeen.add(receipt.ballotHash);
    }
    expect(ballotsSeen.size).toBe(VOTERS);
    // The board counted ballots while the vote was open, without a reload (the pool holds a few back until the close).
    await expect.poll(() => board.locator('#ballot-count').textContent().then(Number), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(Math.max(...boardCounts, Number(await board.locator('#ballot-count').textContent()))).toBeGreaterThan(0);
    expect(await board.evaluate(() => (window as unknown as { evoteNotReloaded?: boolean }).evoteNotReloaded)).toBe(true);
    await shot(board, 'board-open');
  }, 240_000);

  it('the operator ends and tallies in the console; the live board shows the results the voters cast', async () => {
    await admin.getByRole('button', { name: 'End voting' }).click();
    await admin.getByRole('button', { name: 'Confirm — End voting' }).click();
    await board.locator('#election-state[data-phase=VOTE_ENDED]').waitFor({ timeout: 30_000 });
    await expect.poll(() => board.locator('#ballot-count').textContent(), { timeout: 30_000 }).toBe(String(VOTERS));
    await admin.getByRole('button', { name: 'Run the tally' }).click();
    await expect.poll(() => live(admin, 'tally').textContent(), { timeout: 120_000 }).toBe('The tally is published.');
    await shot(admin, 'admin-results');

    const expected = CHOICES.map((c) => `${c}${[...votes.values()].filter((v) => v.choice === c).length}`);
    expect(await admin.locator('.admin-results').first().locator('tbody tr').allTextContents()).toEqual(expected);
    await board.locator('#election-state[data-phase=TALLIED]').waitFor({ timeout: 30_000 });
    const rows = await board.locator('table.results tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].slice(0, 2).map((c) => c.textContent!.trim()).join('')));
    expect(rows).toEqual(expected);
    expect(await board.evaluate(() => (window as unknown as { evoteNotReloaded?: boolean }).evoteNotReloaded)).toBe(true);
    expect(await seriousAxeViolations(board)).toEqual([]);
    await shot(board, 'board-results');
  }, 240_000);

  it('receipts on /receipt: every ballot is on the board; a kept receipt file shows it counted, with its choice', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS.wide });
    const page = await watchedPage(context);
    try {
      for (const { receipt } of votes.values()) {
        await page.goto(`${base}/receipt?election=${electionId}&ballot=${receipt.ballotHash}`);
        const result = page.getByTestId('receipt-result');
        await result.waitFor();
        expect(await result.textContent()).toContain(receipt.ballotHash);
        expect(await result.locator('.ok').count()).toBeGreaterThan(0);
      }
      expect(receiptFiles.length).toBeGreaterThan(0);
      for (const [k, { file, choice }] of receiptFiles.entries()) {
        await page.goto(`${base}/receipt`);
        await page.getByLabel(/receipt/i).and(page.locator('input[type=file]')).setInputFiles(file);
        const counted = page.locator('.counted-choice');
        await counted.waitFor();
        expect(await counted.textContent()).toContain(choice);
        if (k === 0) {
          expect(await seriousAxeViolations(page)).toEqual([]);
          await shot(page, 'receipt');
        }
      }
    } finally {
      await context.close();
    }
  }, 180_000);

  it('the board’s in-browser verification says PASSED; a tampered export (one ballot changed) says FAILED naming the event', async () => {
    const passed = await verifyInBrowser(board, base, electionId);
    expect(passed.verdict, passed.text).toBe('PASSED');
    await shot(board, 'board-verified', 'section[aria-labelledby=verify-title]');

    const lines: string[] = [];
    for await (const l of electionLogLines(cluster.systems[0]!.store, electionId)) lines.push(canonicalJson(l));
    const at = lines.findIndex((l) => l.includes('"BallotCast"'));
    expect(at).toBeGreaterThan(0);
    const event = JSON.parse(lines[at]!) as Record<string, unknown> & { data: { ciphertext: string } };
    // One character of one ballot's ciphertext: the ballot is no longer the one logged and signed.
    const c = event.data.ciphertext;
    event.data.ciphertext = c.slice(0, 10) + (c[10] === 'A' ? 'B' : 'A') + c.slice(11);
    const tamperedLines = [...lines];
    tamperedLines[at] = canonicalJson(event);
    const tampered = path.join(dir, 'tampered.ndjson');
    writeFileSync(tampered, tamperedLines.join('\n') + '\n');
    const failed = await verifyInBrowser(board, base, electionId, { exportFile: tampered });
    expect(failed.verdict, failed.text).toBe('FAILED');
    // The event is named: the tampered ballot's position in the log, its type and its line in the file.
    const { position } = JSON.parse(lines[at]!) as { position: number };
    expect(failed.text).toContain(`The first broken event is at position ${position} (BallotCast`);
    expect(failed.text).toContain(`line ${at + 1} of the log`);
    await shot(board, 'board-tampered', 'section[aria-labelledby=verify-title]');
  }, 240_000);

  it('the home page, and no page logged an error or broke the CSP', async () => {
    const page = await watchedPage(await browser.newContext({ viewport: VIEWPORTS.wide }));
    await page.goto(base + '/');
    await page.locator('#app > *').first().waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shot(page, 'home');
    await page.context().close();
    expect(pageErrors.flat()).toEqual([]);
  });
});
