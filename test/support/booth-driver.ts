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
  /** PASSED, FAILED, INCOMPLETE or ERROR. */
  verdict: string;
  /** The verdict's text as shown (names the first broken event when it failed). */
  text: string;
  /** The panel's own rate: ballots counted / the verification's wall time in the page. */
  ballotsPerSecond: number;
}

/**
 * On the board of `electionId` (opened unless the page is on it already), runs "verify this
 * election in your browser" on the server's log, or on `exportFile` when given, and waits for its verdict.
 */
export async function verifyInBrowser(page: Page, base: string, electionId: string, opts: { timeoutMs?: number; exportFile?: string } = {}): Promise<Verdict> {
  const boardUrl = `${base}/elections/${encodeURIComponent(electionId)}`;
  if (page.url() !== boardUrl) await page.goto(boardUrl);
  const panel = page.locator('section[aria-labelledby=verify-title]');
  // A verdict already shown (an earlier run) is marked, so the wait below is for the new one.
  await panel.locator('.verify-result').evaluateAll((els) => els.forEach((el) => el.setAttribute('data-earlier', '')));
  if (opts.exportFile) await panel.getByLabel(/log file|fichier journal/i).setInputFiles(opts.exportFile);
  else await panel.getByRole('button', { name: /^(verify this election|vérifier cette élection)$/i }).click();
  const result = panel.locator('.verify-result[data-verdict]:not([data-earlier])');
  await result.waitFor({ timeout: opts.timeoutMs ?? 120_000 });
  const verdict = (await result.getAttribute('data-verdict')) ?? '';
  return {
    passed: verdict === 'PASSED',
    verdict,
    text: ((await result.innerText()) ?? '').replace(/\s+/g, ' ').trim(),
    ballotsPerSecond: Number((await result.getAttribute('data-ballots-per-second')) ?? NaN),
  };
}
