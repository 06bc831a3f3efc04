/**
 * The voting booth's pages (/vote, /receipt) in Chromium against a real system (gateway, PostgreSQL,
 * Redis): layout at 360 and 1280 px under the CSP with no serious axe violation, the clear errors a
 * voter meets with a wrong file, the language switch, and whole votes by letter file and by typed
 * credential, checked on /receipt.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { builtWebRoot, launchChromium, seriousAxeViolations, VIEWPORTS, watchPageErrors } from '../support/browser.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';

const SHOTS = process.env.EVOTE_SCREENSHOTS ?? path.join(tmpdir(), 'evote-booth-shots');

let cluster: TestCluster;
let browser: Browser;
let base: string;
let webRoot: string;
let dataDir: string;

beforeAll(async () => {
  webRoot = await builtWebRoot();
  dataDir = mkdtempSync(path.join(tmpdir(), 'evote-booth-data-'));
  cluster = await startTestCluster({ config: { dataDir } });
  base = cluster.systems[0]!.gateway!.httpUrl;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A page in English (unless `locale`) that records console errors and CSP violations. */
async function openPage(route: string, opts: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: opts.viewport ?? VIEWPORTS.wide, locale: opts.locale ?? 'en-GB' });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const res = await page.goto(base + route);
  expect(res?.status()).toBe(200);
  await page.waitForSelector('main h1');
  return { page, errors };
}

async function closePage(page: Page): Promise<void> {
  await page.context().close();
}

/** A PNG of plain noise-free stripes: an image, but no QR code in it. */
function pngWithoutQr(): Buffer {
  const png = new PNG({ width: 200, height: 120 });
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const v = Math.floor(x / 20) % 2 ? 40 : 220;
      png.data[i] = v;
      png.data[i + 1] = v;
      png.data[i + 2] = 255 - v;
      png.data[i + 3] = 255;
    }
  return PNG.sync.write(png);
}

describe('the voting booth in Chromium', () => {
  for (const route of ['/vote', '/receipt']) {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      it(`${route} at ${viewport.width} px: no serious axe violation, no console or CSP error, nothing wider than the screen`, async () => {
        const { page, errors } = await openPage(route, { viewport });
        await page.waitForFunction(() => document.querySelector('[data-testid=booth-hash]')?.textContent !== '…');
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        await page.screenshot({ path: path.join(SHOTS, `booth${route.replace('/', '-')}-${name}.png`), fullPage: true });
        expect(errors).toEqual([]);
        await closePage(page);
      });
    }
  }

  it("shows the booth bundle's own hash from booth.json", async () => {
    const { page } = await openPage('/vote');
    const expected = (JSON.parse(readFileSync(path.join(webRoot, 'booth.json'), 'utf8')) as { sha256: string }).sha256;
    await expect.poll(() => page.textContent('[data-testid=booth-hash]')).toBe(expected);
    await closePage(page);
  });

  it('says clearly that a file holds no readable QR code, and that a random file is not a letter', async () => {
    const { page, errors } = await openPage('/vote');
    const dir = mkdtempSync(path.join(tmpdir(), 'evote-booth-files-'));
    try {
      writeFileSync(path.join(dir, 'stripes.png'), pngWithoutQr());
      await page.setInputFiles('#letter-file', path.join(dir, 'stripes.png'));
      const alert = page.locator('[role=alert]');
      await expect.poll(() => alert.getAttribute('data-code')).toBe('NO_QR');
      expect(await alert.textContent()).toContain('No readable QR code was found in this file');

      writeFileSync(path.join(dir, 'notes.txt'), 'hello');
      await page.setInputFiles('#letter-file', path.join(dir, 'notes.txt'));
      await expect.poll(() => alert.getAttribute('data-code')).toBe('UNSUPPORTED_FILE');
      expect(await alert.textContent()).toContain('Choose the letter’s PNG image or its PDF');
      await page.screenshot({ path: path.join(SHOTS, 'booth-vote-error.png'), fullPage: true });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await closePage(page);
    }
  });

  it('switches to French with the visible language switch, and follows a French browser', async () => {
    const { page } = await openPage('/vote');
    expect(await page.textContent('main h1')).toBe('Open your voting letter');
    await page.getByRole('button', { name: 'Afficher cette page en français' }).click();
    await expect.poll(() => page.textContent('main h1')).toBe('Ouvrez votre lettre de vote');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.textContent('label[for=letter-file]')).toContain('L’image du QR code');
    // The booth's own links keep the chosen language.
    expect(await page.getAttribute('header a[href^="/receipt"]', 'href')).toBe('/receipt?lang=fr');
    await closePage(page);

    const fr = await openPage('/receipt', { locale: 'fr-FR' });
    expect(await fr.page.textContent('main h1')).toBe('Vérifiez votre reçu');
    await fr.page.getByRole('button', { name: 'Show this page in English' }).click();
    await expect.poll(() => fr.page.textContent('main h1')).toBe('Check your receipt');
    await closePage(fr.page);
  });

  it('refuses a receipt file that is not a receipt, in words', async () => {
    const { page, errors } = await openPage('/receipt');
    const dir = mkdtempSync(path.join(tmpdir(), 'evote-booth-files-'));
    try {
      writeFileSync(path.join(dir, 'receipt.json'), JSON.stringify({ electionId: 'e1', ballotHash: 'nope' }));
      await page.setInputFiles('#receipt-file', path.join(dir, 'receipt.json'));
      const alert = page.locator('[role=alert]');
      await expect.poll(() => alert.getAttribute('data-code')).toBe('INVALID_RECEIPT');
      expect(await alert.textContent()).toContain('This is not an evote receipt file');
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await closePage(page);
    }
  });

  it('opens the public part of a receipt from its link: a ballot not (yet) on the board says so', async () => {
    const { page } = await openPage(`/receipt?election=nope&ballot=${'ab'.repeat(32)}`);
    await page.waitForSelector('[data-testid=receipt-result], [role=alert]');
    const text = await page.textContent('main');
    expect(text).toMatch(/not on the public board yet|does not exist/);
    await closePage(page);
  });
});

