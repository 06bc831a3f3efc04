/**
 * Drives the pages as a person would, by their labels and roles (so a page that loses a label
 * breaks these too): shared by the whole-election browser test and the browser benchmark.
 */
import type { Page } from 'playwright-core';
import { EvoteConnection } from '../../src/client/connection.ts';

/** Registers a voting application and makes it the booth's (`booth.setApp`), as the console does. */
export async function registerBoothApp(wsUrl: string, token: string): Promise<void> {
  const admin = await EvoteConnection.connect(wsUrl);
  try {
    const app = await admin.request<{ clientId: string }>('command', 'clients.register', { name: 'Web booth' }, { token });
    await admin.request('command', 'booth.setApp', { clientId: app.clientId }, { token });
  } finally {
    await admin.close();
  }
}

export interface BoothReceipt {
  /** The receipt's ballot hash as the page shows it. */
  ballotHash: string;
}

/** Opens /vote and chooses the letter's file (PNG or PDF); resolves once the ballot is shown. */
export async function openLetterFile(page: Page, base: string, letterFile: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  await page.goto(base + '/vote');
  await page.getByLabel(/letter|lettre/i).and(page.locator('input[type=file]')).setInputFiles(letterFile);
  await page.getByRole('group', { name: /choice|choix/i }).waitFor({ timeout: opts.timeoutMs ?? 60_000 });
}

/** Opens /vote and starts the camera (fed a letter by Chromium's fake capture); resolves once the ballot is shown. */
export async function openLetterByCamera(page: Page, base: string, opts: { timeoutMs?: number } = {}): Promise<void> {
  await page.goto(base + '/vote');
  await page.getByRole('button', { name: /start the camera|allumer la caméra/i }).click();
  await page.getByRole('group', { name: /choice|choix/i }).waitFor({ timeout: opts.timeoutMs ?? 60_000 });
}

/** Opens /vote, chooses the letter's file, picks `choice`, casts; resolves when the receipt is shown. */
export async function voteWithLetterFile(page: Page, base: string, letterFile: string, choice: string, opts: { timeoutMs?: number } = {}): Promise<BoothReceipt> {
  await openLetterFile(page, base, letterFile, opts);
  return chooseAndCast(page, choice, opts);
}

/** From the booth's ballot (letter read, election shown): pick, continue, cast, wait for the receipt. */
export async function chooseAndCast(page: Page, choice: string, opts: { timeoutMs?: number; atConfirm?: () => Promise<void> } = {}): Promise<BoothReceipt> {
  const timeout = opts.timeoutMs ?? 60_000;
  await page.getByRole('radio', { name: choice, exact: true }).check({ timeout });
  await page.getByRole('button', { name: /^(continue|continuer)$/i }).click({ timeout });
  const cast = page.getByRole('button', { name: /^(cast my vote|déposer mon bulletin)$/i });
  await cast.waitFor({ timeout });
  await opts.atConfirm?.();
  await cast.click({ timeout });
  const hash = page.getByTestId('ballot-hash');
  await hash.waitFor({ timeout });
  return { ballotHash: ((await hash.textContent()) ?? '').trim() };
}

export interface Verdict {
  passed: boolean;
  /** The verdict's text as shown (names the first broken event when it failed). */
  text: string;
}

/** On the board of `electionId`, runs "verify this election in your browser" and waits for its verdict. */
export async function verifyInBrowser(page: Page, base: string, electionId: string, opts: { timeoutMs?: number; exportFile?: string } = {}): Promise<Verdict> {
  await page.goto(`${base}/elections/${encodeURIComponent(electionId)}`);
  if (opts.exportFile) await page.locator('section[aria-labelledby=verify-title] input[type=file]').setInputFiles(opts.exportFile);
  else await page.getByRole('button', { name: /verify/i }).click();
  const verdict = page.getByText(/PASSED|FAILED/);
  await verdict.waitFor({ timeout: opts.timeoutMs ?? 120_000 });
  const text = (await verdict.textContent()) ?? '';
  return { passed: /PASSED/.test(text), text };
}
