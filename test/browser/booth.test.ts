/**
 * The voting booth's pages (/vote, /receipt) in Chromium against a real system (gateway, PostgreSQL,
 * Redis): layout at 360 and 1280 px under the CSP with no serious axe violation, the clear errors a
 * voter meets with a wrong file, the language switch, and whole votes by letter file and by typed
 * credential, checked on /receipt.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { EvoteConnection } from '../../src/client/connection.ts';
import { fingerprintOf } from '../../src/client/election-fingerprint.ts';
import { decodeQrPng } from '../../src/credentials/qr.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { builtWebRoot, launchChromium, SCREENSHOTS_DIR, seriousAxeViolations, VIEWPORTS, watchPageErrors } from '../support/browser.ts';
import { startTestCluster, voterCsv, type TestCluster } from '../support/system.ts';

const SHOTS = SCREENSHOTS_DIR ?? path.join(tmpdir(), 'evote-booth-shots');

let cluster: TestCluster;
let browser: Browser;
let base: string;
let webRoot: string;
let dataDir: string;
/** Every console message of each page: none may hold a secret of the letter. */
const consoleLogs = new WeakMap<Page, string[]>();

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
  const logs: string[] = [];
  page.on('console', (m) => logs.push(m.text()));
  consoleLogs.set(page, logs);
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

/**
 * A one-frame .y4m video (what Chromium's fake camera plays, looped) of `png` drawn in grey at the
 * centre of a 640x480 frame, as a phone held over the letter would see its QR code.
 */
function y4mOf(png: Buffer): Buffer {
  const img = PNG.sync.read(png);
  const W = 640;
  const H = 480;
  const side = 360;
  const y = Buffer.alloc(W * H, 235);
  const x0 = (W - side) / 2;
  const y0 = (H - side) / 2;
  for (let j = 0; j < side; j++)
    for (let i = 0; i < side; i++) {
      const sx = Math.floor((i * img.width) / side);
      const sy = Math.floor((j * img.height) / side);
      const k = (sy * img.width + sx) * 4;
      const a = img.data[k + 3]! / 255;
      const luma = 0.299 * img.data[k]! + 0.587 * img.data[k + 1]! + 0.114 * img.data[k + 2]!;
      y[(y0 + j) * W + x0 + i] = Math.round(16 + ((luma * a + 255 * (1 - a)) * 219) / 255);
    }
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\nFRAME\n`), y, chroma]);
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

  it('says so when there is no camera to scan with', async () => {
    // Chromium without a fake device: no camera, or no permission to one.
    const { page, errors } = await openPage('/vote');
    await page.getByRole('button', { name: 'Start the camera' }).click();
    const alert = page.locator('[role=alert]');
    await expect.poll(() => alert.getAttribute('data-code')).toMatch(/^CAMERA_(DENIED|UNAVAILABLE)$/);
    expect(await alert.textContent()).toMatch(/camera/);
    expect(await page.locator('video').isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await closePage(page);
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

  it('opens the public part of a receipt from its link: an unknown election says so', async () => {
    const { page } = await openPage(`/receipt?election=nope&ballot=${'ab'.repeat(32)}`);
    const alert = page.locator('[role=alert]');
    await expect.poll(() => alert.getAttribute('data-code')).toBe('ELECTION_NOT_FOUND');
    expect(await alert.textContent()).toContain('This election does not exist on this server');
    await closePage(page);
  });
});


describe('whole votes through the booth', () => {
  const CHOICES = ['Alice Martin', 'Bob Durand', 'Chloé Petit'];
  let admin: EvoteConnection;
  let electionId: string;
  let letters: { voterId: string; png: string; pdf: string; uri: string }[];
  let fingerprint: string;
  /** Each vote the booth cast, in order, so the receipt checks follow what was cast even when one vote test failed. */
  const cast: { choice: string; hash: string; file: string }[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'evote-booth-votes-'));

  beforeAll(async () => {
    admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
    const token = cluster.adminToken;
    ({ electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Présidence du club', choices: CHOICES, expectedVoters: 5 }, { token }));
    await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(5) }, { token });
    // The booth's voting application, as the operator sets it in the console (booth.app serves it to every page).
    const app = await admin.request<{ clientId: string }>('command', 'clients.register', { name: 'Web booth' }, { token });
    await admin.request('command', 'booth.setApp', { clientId: app.clientId }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });
    await admin.request('command', 'credentials.issue', { electionId, channel: 'letter' }, { token, timeoutMs: 60_000 });
    const dir = path.join(dataDir, 'letters', electionId);
    letters = readdirSync(dir)
      .filter((f) => f.endsWith('.png'))
      .sort()
      .map((f) => {
        const png = path.join(dir, f);
        return { voterId: f.slice(0, -4), png, pdf: png.replace(/\.png$/, '.pdf'), uri: decodeQrPng(readFileSync(png)) ?? '' };
      });
    expect(letters).toHaveLength(5);
    fingerprint = fingerprintOf(await admin.request<ElectionRow>('query', 'election.get', { electionId })) ?? '';
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);

  afterAll(async () => {
    await admin?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** From an opened letter to the receipt, by keyboard where a voter would use it; returns the saved receipt file. */
  async function voteFrom(page: Page, choice: string, name: string, opts: { keyboard?: boolean } = {}): Promise<string> {
    // The election step, or the error that stopped the letter (named, so a failure says why).
    await page.waitForSelector('main h1:text-is("Check the election"), [role=alert]', { timeout: 15_000 });
    const alerts = page.locator('[role=alert]');
    if ((await alerts.count()) > 0) expect.fail(`the letter was refused: ${await alerts.first().getAttribute('data-code')}`);
    expect(await page.textContent('main h1')).toBe('Check the election');
    // Focus moved to the new step's heading.
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    expect((await page.textContent('[data-testid=fingerprint]'))?.replace(/\s/g, '')).toBe(fingerprint);
    expect(await page.textContent('main')).toContain('Présidence du club');
    await page.screenshot({ path: path.join(SHOTS, `booth-election-${name}.png`), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    if (opts.keyboard) {
      // Keyboard alone, from the focused heading: Tab into the radio group, arrows to the choice, Tab, Enter.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('radio');
      await page.keyboard.press('Space');
      for (let i = 0; i < CHOICES.indexOf(choice); i++) await page.keyboard.press('ArrowDown');
      expect(await page.getByLabel(choice).isChecked()).toBe(true);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.textContent('main h1')).toBe('Confirm your vote');
      expect(await page.textContent('.chosen')).toBe(choice);
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cast my vote');
      await page.keyboard.press('Enter');
    } else {
      await page.getByLabel(choice).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect.poll(() => page.textContent('main h1')).toBe('Confirm your vote');
      expect(await page.textContent('.chosen')).toBe(choice);
      await page.getByRole('button', { name: 'Cast my vote' }).click();
    }
    await expect.poll(() => page.textContent('main h1'), { timeout: 30_000 }).toBe('Your vote was cast');
    const hash = (await page.textContent('[data-testid=ballot-hash]'))!.trim();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // The QR carries only the public part: a link to /receipt with the election and the ballot hash.
    const qrSrc = (await page.getAttribute('.receipt-qr img', 'src'))!;
    expect(decodeQrPng(Buffer.from(qrSrc.replace(/^data:image\/png;base64,/, ''), 'base64'))).toBe(`${base}/receipt?election=${electionId}&ballot=${hash}`);
    await page.screenshot({ path: path.join(SHOTS, `booth-receipt-${name}.png`), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('Download my receipt (JSON)').click()]);
    const file = path.join(work, `${name}.json`);
    await download.saveAs(file);
    const receipt = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    expect(receipt).toMatchObject({ electionId, ballotHash: hash, fingerprint });
    expect(receipt.n2).toBeTruthy();
    expect(receipt.salt).toBeTruthy();
    // Nothing of the letter stays in the page's URL or storage.
    expect(page.url()).not.toContain(receipt.n2!);
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    for (const secret of [receipt.n2!, receipt.salt!, ...letters.flatMap((l) => new URLSearchParams(l.uri.split('?')[1]).getAll('code'))]) {
      expect((consoleLogs.get(page) ?? []).join('\n')).not.toContain(secret);
    }
    cast.push({ choice, hash, file });
    return file;
  }

  it('votes with the letter PNG, at 360 px', { timeout: 90_000 }, async () => {
    const { page, errors } = await openPage('/vote', { viewport: VIEWPORTS.narrow });
    await page.setInputFiles('#letter-file', letters[0]!.png);
    await voteFrom(page, CHOICES[0]!, 'png-narrow');
    expect(errors).toEqual([]);
    await closePage(page);
  });

  it('votes with the typed credential at 1280 px by keyboard alone, then refuses the same letter again in French words', { timeout: 90_000 }, async () => {
    const { page, errors } = await openPage('/vote', { viewport: VIEWPORTS.wide });
    await page.fill('#letter-text', letters[1]!.uri);
    await page.getByRole('button', { name: 'Open the letter' }).click();
    await voteFrom(page, CHOICES[2]!, 'typed-wide', { keyboard: true });
    expect(errors).toEqual([]);
    await closePage(page);

    const again = await openPage('/vote?lang=fr');
    await again.page.fill('#letter-text', letters[1]!.uri);
    await again.page.getByRole('button', { name: 'Ouvrir la lettre' }).click();
    await again.page.getByLabel(CHOICES[0]!).check();
    await again.page.getByRole('button', { name: 'Continuer' }).click();
    await again.page.getByRole('button', { name: 'Déposer mon bulletin' }).click();
    const alert = again.page.locator('[role=alert]');
    await expect.poll(() => alert.getAttribute('data-code'), { timeout: 30_000 }).toMatch(/^ALREADY_(SIGNED|CAST)$/);
    expect(await alert.textContent()).toMatch(/Une lettre donne un seul vote/);
    await again.page.screenshot({ path: path.join(SHOTS, 'booth-already-fr.png'), fullPage: true });
    await closePage(again.page);
  });

  it('votes by scanning the letter with the camera (Chromium\'s fake camera playing the letter\'s QR code), and stops the camera', { timeout: 90_000 }, async () => {
    const video = path.join(work, 'letter.y4m');
    writeFileSync(video, y4mOf(readFileSync(letters[2]!.png)));
    const camBrowser = await launchChromium({ fakeVideo: video });
    try {
      const context = await camBrowser.newContext({ viewport: VIEWPORTS.narrow, locale: 'en-GB' });
      await context.grantPermissions(['camera'], { origin: base });
      const page = await context.newPage();
      const errors = watchPageErrors(page);
      const logs: string[] = [];
      page.on('console', (m) => logs.push(m.text()));
      consoleLogs.set(page, logs);
      await page.goto(base + '/vote');
      await page.getByRole('button', { name: 'Start the camera' }).click();
      await voteFrom(page, CHOICES[1]!, 'camera-narrow');
      // The scan stopped the camera: no live track remains.
      expect(await page.evaluate(() => document.querySelector('video')?.srcObject ?? null)).toBeNull();
      expect(errors).toEqual([]);
    } finally {
      await camBrowser.close();
    }
  });

  it('votes with the letter PDF', { timeout: 90_000 }, async () => {
    const { page, errors } = await openPage('/vote', { viewport: VIEWPORTS.wide });
    await page.setInputFiles('#letter-file', letters[3]!.pdf);
    await voteFrom(page, CHOICES[0]!, 'pdf-wide');
    expect(errors).toEqual([]);
    await closePage(page);
  });

  it('checks every receipt on /receipt: on the board once released, then counted for the right choice', { timeout: 120_000 }, async () => {
    const token = cluster.adminToken;
    // Ending the vote (one voter of five abstains) releases every ballot the pool still holds onto the board.
    await admin.request('command', 'election.end', { electionId }, { token });
    const { page, errors } = await openPage('/receipt');
    expect(cast.length).toBeGreaterThanOrEqual(2);
    await page.setInputFiles('#receipt-file', cast[0]!.file);
    const result = page.locator('[data-testid=receipt-result]');
    await expect.poll(() => result.textContent(), { timeout: 15_000 }).toMatch(/on the public board, at position \d+/);
    expect(await result.textContent()).toContain(cast[0]!.hash);
    expect(await result.textContent()).toContain('come back after the tally');

    // The receipt QR's link (public part alone) finds the same ballot.
    const linked = await openPage(`/receipt?election=${electionId}&ballot=${cast[1]!.hash}`);
    await expect.poll(() => linked.page.textContent('main'), { timeout: 15_000 }).toMatch(/on the public board, at position \d+/);
    await closePage(linked.page);

    await admin.request('command', 'tally.run', { electionId }, { token, timeoutMs: 60_000 });
    for (const { choice, hash, file } of cast) {
      await page.setInputFiles('#receipt-file', file);
      await expect.poll(() => result.textContent(), { timeout: 15_000 }).toContain(`Counted for: ${choice}`);
      expect(await result.textContent()).toContain(hash);
    }
    await page.screenshot({ path: path.join(SHOTS, 'booth-receipt-counted.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await closePage(page);
  });
});
