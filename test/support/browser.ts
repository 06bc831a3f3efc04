/**
 * Browser tests: Debian's Chromium (/usr/bin/chromium, installed by infra/start-local-services.sh)
 * driven by playwright-core, the front end built once per content hash, and axe-core.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildWeb, WEB } from '../../web/build.js';

export const CHROMIUM = '/usr/bin/chromium';

function webSourceHash(): string {
  const h = createHash('sha256');
  for (const e of readdirSync(WEB, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort()) {
    h.update(path.relative(WEB, e)).update('\0').update(readFileSync(e)).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * The front end built from web/ as it is now, cached under node_modules/.cache by the sources' hash
 * (test files share one build; a stale one is never reused). Sets EVOTE_WEB_ROOT for startSystem.
 */
export async function builtWebRoot(): Promise<string> {
  const cache = path.join(WEB, '..', 'node_modules', '.cache', 'evote-web');
  const root = path.join(cache, webSourceHash());
  if (!existsSync(path.join(root, 'booth.json'))) {
    mkdirSync(cache, { recursive: true });
    const tmp = mkdtempSync(path.join(cache, 'building-'));
    try {
      await buildWeb(tmp);
      try {
        renameSync(tmp, root);
      } catch {
        // Another test file built the same sources meanwhile.
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  process.env.EVOTE_WEB_ROOT = root;
  return root;
}

export interface LaunchOptions {
  /** A .y4m (or .mjpeg) file Chromium plays as the camera (the booth's scan path). */
  fakeVideo?: string;
}

/** Headless Chromium with no network chatter of its own; camera permission granted when faked. */
export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  // playwright gives each launch a fresh temporary profile (--user-data-dir) of its own.
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (opts.fakeVideo) args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${opts.fakeVideo}`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's violations of impact serious or critical on the page as it is now. axe is evaluated
 * through the DevTools protocol, which the page's CSP does not govern (the page itself stays strict).
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Every axe-core violation on the page as it is now, whatever its impact. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  });
  return result;
}

/** Collects the page's console errors and CSP violations (a strict page must produce none). */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

export const VIEWPORTS = { narrow: { width: 360, height: 780 }, wide: { width: 1280, height: 900 } } as const;

/** Where tests save screenshots to look at: the folder EVOTE_SCREENSHOTS names (`1`: docs/screenshots), or none. */
export const SCREENSHOTS_DIR: string | undefined =
  process.env.EVOTE_SCREENSHOTS === '1' ? path.resolve(import.meta.dirname, '../../docs/screenshots') : process.env.EVOTE_SCREENSHOTS || undefined;

/**
 * Saves the whole page at each viewport as `<name>-narrow.png` and `<name>-wide.png` (and `part`
 * alone as `<name>-<viewport>-<suffix>.png`) when SCREENSHOTS_DIR is set; leaves the page wide.
 */
export async function shootViewports(page: Page, name: string, part?: { selector: string; suffix: string }): Promise<void> {
  if (!SCREENSHOTS_DIR) return;
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  for (const [label, size] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}-${label}.png`), fullPage: true });
    if (part) await page.locator(part.selector).screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}-${label}-${part.suffix}.png`) });
  }
  await page.setViewportSize(VIEWPORTS.wide);
}
