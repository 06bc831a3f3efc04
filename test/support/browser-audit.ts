/**
 * The in-browser verification driven from Node: the board page's verify panel (mounted by a test-only
 * script where the board places none: an election the server does not know, for a log file), its verdict read back, and its rate in ballots/s (what
 * `npm run bench` compares with the CLI audit's).
 */
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { WEB } from '../../web/build.js';

const MOUNT = fileURLToPath(new URL('../../web/src/audit/test-mount.tsx', import.meta.url));

/**
 * A copy of the built front end `root` plus the test-only mount script (assets/verify-mount-*.js);
 * sets EVOTE_WEB_ROOT to it, so call it before starting a system.
 */
export async function webRootWithVerifyMount(root: string): Promise<string> {
  const out = mkdtempSync(path.join(tmpdir(), 'evote-web-verify-'));
  cpSync(root, out, { recursive: true });
  const { build } = await import('vite');
  await build({
    root: WEB,
    configFile: false,
    base: '/',
    logLevel: 'warn',
    publicDir: false,
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: out,
      emptyOutDir: false,
      sourcemap: false,
      reportCompressedSize: false,
      modulePreload: { polyfill: false },
      target: 'es2022',
      rollupOptions: { input: { 'verify-mount': MOUNT }, output: { entryFileNames: 'assets/[name]-[hash].js', assetFileNames: 'assets/[name]-[hash][extname]' } },
    },
  });
  process.env.EVOTE_WEB_ROOT = out;
  return out;
}

/** Opens the board page of `electionId` with its verify panel (placed by the board, or mounted); `helpers`: ?verify-helpers=N. */
export async function openVerifyPanel(page: Page, base: string, electionId: string, helpers?: number): Promise<void> {
  await page.goto(`${base}/elections/${encodeURIComponent(electionId)}${helpers === undefined ? '' : `?verify-helpers=${helpers}`}`);
  await page.waitForSelector('#app > *');
  // The board places the panel once the election is loaded; an unknown election has none.
  const placed = await page.waitForSelector('#verify-start', { timeout: 5_000 }).catch(() => null);
  if (placed === null) {
    const root = process.env.EVOTE_WEB_ROOT ?? '';
    const assets = readdirSync(path.join(root, 'assets'));
    const script = assets.find((f) => f.startsWith('verify-mount-') && f.endsWith('.js'));
    const style = assets.find((f) => f.startsWith('verify-mount-') && f.endsWith('.css'));
    if (!script) throw new Error('the web root has no verify-mount script (webRootWithVerifyMount)');
    if (style) await page.addStyleTag({ url: `/assets/${style}` });
    await page.addScriptTag({ url: `/assets/${script}`, type: 'module' });
  }
  await page.waitForSelector('#verify-start');
}

export interface PanelVerdict {
  verdict: string;
  /** The verdict's visible text. */
  text: string;
  ballotsPerSecond: number;
}

/** Waits for the panel's verdict (after a click on its button or a file chosen). */
export async function panelVerdict(page: Page, timeoutMs = 120_000): Promise<PanelVerdict> {
  const el = await page.waitForSelector('.verify-result[data-verdict]', { timeout: timeoutMs });
  return {
    verdict: (await el.getAttribute('data-verdict')) ?? '',
    text: (await el.innerText()).replace(/\s+/g, ' ').trim(),
    ballotsPerSecond: Number((await el.getAttribute('data-ballots-per-second')) ?? NaN),
  };
}

/**
 * The benchmark's measure: verifies `electionId`'s log in the page's Web Worker (the gateway's export,
 * fetched and checked as a visitor's browser does) and returns the verdict with its rate in ballots
 * per second, as the report's `ballotsPerSecond` (ballots counted / the verification's wall time).
 */
export async function browserVerificationRate(page: Page, base: string, electionId: string, helpers?: number): Promise<PanelVerdict> {
  await openVerifyPanel(page, base, electionId, helpers);
  await page.click('#verify-start');
  return panelVerdict(page);
}

/** The same measure over a log file (an export of any size, e.g. bench/audit.ts's), chosen in the panel. */
export async function browserVerificationRateOfFile(page: Page, base: string, file: string, helpers?: number): Promise<PanelVerdict> {
  await openVerifyPanel(page, base, 'from-a-file', helpers);
  await page.setInputFiles('#verify-file', file);
  return panelVerdict(page, 600_000);
}
