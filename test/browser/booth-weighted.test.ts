/**
 * The booth in a weighted election (weights 1 and 3, two voters a class), in Chromium against a real
 * system (gateway, PostgreSQL, Redis, SMTP sink): each voter blinds under its class's key from the
 * fingerprint-pinned row and sees its weight on the receipt; the tally counts a class-3 ballot three
 * times and the audit agrees. A server that names an unpublished class is refused before anything is signed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fingerprintOf } from '../../src/client/election-fingerprint.ts';
import { verifyFromStore } from '../../src/audit/verify.ts';
import { tallyStreamId } from '../../src/domain/streams.ts';
import type { TallyPublished, VoteCounted } from '../../src/domain/tally-events.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { builtWebRoot, launchChromium, seriousAxeViolations, VIEWPORTS, watchPageErrors } from '../support/browser.ts';
import { issueLettersByEmail } from '../support/letters.ts';
import { startMailedCluster, type MailedCluster } from '../support/mailed-cluster.ts';
import { refusal } from '../support/refusal.ts';
import { until } from '../support/system.ts';

/** EVOTE_SCREENSHOTS=1 writes the pages to docs/screenshots/ (docs/web.md shows them), else to a temporary folder. */
const SHOTS = process.env.EVOTE_SCREENSHOTS === '1' ? path.resolve(import.meta.dirname, '../../docs/screenshots') : mkdtempSync(path.join(tmpdir(), 'evote-booth-weighted-shots-'));
const CHOICES = ['Ada', 'Bob', 'Chloé'];
const DOMAIN = 'weighted-booth.example.org';

let mailed: MailedCluster;
let browser: Browser;
let electionId: string;
let fingerprint: string;
/** Each voter's credential URI (the letter's QR text), by the local part of its address. */
const uris = new Map<string, string>();

beforeAll(async () => {
  await builtWebRoot();
  mailed = await startMailedCluster();
  browser = await launchChromium();
  const { admin, cluster, sink } = mailed;
  const token = cluster.adminToken;
  ({ electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Conseil', choices: CHOICES, expectedVoters: 10, weights: [1, 3] }, { token }));
  const csv = `email,weight\na0@${DOMAIN},1\na1@${DOMAIN},1\nb0@${DOMAIN},3\nb1@${DOMAIN},3\n`;
  await admin.request('command', 'election.importVoters', { electionId, csv }, { token });
  const app = await admin.request<{ clientId: string }>('command', 'clients.register', { name: 'Web booth' }, { token });
  await admin.request('command', 'booth.setApp', { clientId: app.clientId }, { token });
  await admin.request('command', 'election.start', { electionId }, { token });
  const { letters } = await issueLettersByEmail(admin, token, electionId, sink);
  for (const l of letters) uris.set(l.to.split('@')[0]!, l.qrUri);
  expect([...uris.keys()].sort()).toEqual(['a0', 'a1', 'b0', 'b1']);
  const row = await admin.request<ElectionRow>('query', 'election.get', { electionId });
  expect(row.weightClasses?.map((c) => c.weight)).toEqual([1, 3]);
  fingerprint = fingerprintOf(row) ?? '';
  expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await mailed?.close();
});

async function openVote(viewport: { width: number; height: number }, lang: 'en' | 'fr' = 'en'): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  return { page, errors };
}

/** Opens the letter by its typed credential and goes through to the cast, in the page's language. */
async function castFrom(page: Page, who: string, choice: string, lang: 'en' | 'fr'): Promise<void> {
  const w = lang === 'fr' ? { open: 'Ouvrir la lettre', go: 'Continuer', cast: 'Déposer mon bulletin' } : { open: 'Open the letter', go: 'Continue', cast: 'Cast my vote' };
  await page.goto(`${mailed.cluster.systems[0]!.gateway!.httpUrl}/vote${lang === 'fr' ? '?lang=fr' : ''}`);
  await page.fill('#letter-text', uris.get(who)!);
  await page.getByRole('button', { name: w.open }).click();
  await page.waitForSelector('[data-testid=fingerprint]', { timeout: 15_000 });
  // The fingerprint shown is version 4: it covers both class keys.
  expect((await page.textContent('[data-testid=fingerprint]'))?.replace(/\s/g, '')).toBe(fingerprint);
  await page.getByLabel(choice).check();
  await page.getByRole('button', { name: w.go }).click();
  await page.getByRole('button', { name: w.cast }).click();
}

describe('the booth in a weighted election', () => {
  it('refuses, before anything is signed, a server that names a weight class the election did not publish', { timeout: 90_000 }, async () => {
    const { page, errors } = await openVote(VIEWPORTS.narrow);
    // A lying server: the real gateway behind a relay that answers ballot.weightClass with class 2.
    const asked = new Set<unknown>();
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        const msg = JSON.parse(String(m)) as { id?: unknown; name?: string };
        if (msg.name === 'ballot.weightClass') asked.add(msg.id);
        server.send(m);
      });
      server.onMessage((m) => {
        const msg = JSON.parse(String(m)) as { id?: unknown; ok?: boolean };
        ws.send(asked.has(msg.id) && msg.ok ? JSON.stringify({ ...msg, result: { weight: 2 } }) : m);
      });
    });
    await castFrom(page, 'a0', 'Ada', 'en');
    const alert = page.locator('[role=alert]');
    await expect.poll(() => alert.getAttribute('data-code'), { timeout: 30_000 }).toBe('WEIGHT_CLASS_UNKNOWN');
    expect(asked.size).toBe(1);
    expect(await alert.textContent()).toContain('a voter weight that this election did not publish. Nothing was cast.');
    await page.screenshot({ path: path.join(SHOTS, 'vote-weighted-unknown-class-360.png'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  // a0 was refused above before signing: its letter still votes. Weighted: Ada 1+1 = 2, Bob 3+3 = 6 (unweighted it would be 2 to 2).
  const votes = [
    { who: 'a0', choice: 'Ada', viewport: VIEWPORTS.narrow, lang: 'en', weightText: 'your vote counts once.' },
    { who: 'b0', choice: 'Bob', viewport: VIEWPORTS.narrow, lang: 'en', weightText: 'your vote counts 3 times.' },
    { who: 'a1', choice: 'Ada', viewport: VIEWPORTS.wide, lang: 'en', weightText: 'your vote counts once.' },
    { who: 'b1', choice: 'Bob', viewport: VIEWPORTS.wide, lang: 'fr', weightText: 'le vôtre compte 3 fois.' },
  ] as const;
  for (const v of votes) {
    it(`casts ${v.who}'s vote at ${v.viewport.width} px (${v.lang}) and shows its weight on the receipt`, { timeout: 90_000 }, async () => {
      const { page, errors } = await openVote(v.viewport, v.lang);
      await castFrom(page, v.who, v.choice, v.lang);
      await page.waitForSelector('[data-testid=ballot-hash], [role=alert]', { timeout: 30_000 });
      const alerts = page.locator('[role=alert]');
      if ((await alerts.count()) > 0) expect.fail(`the vote was refused: ${await alerts.first().getAttribute('data-code')}`);
      expect(await page.textContent('[data-testid=vote-weight]')).toContain(v.weightText);
      await page.screenshot({ path: path.join(SHOTS, `vote-weighted-receipt-${v.who}-${v.lang}-${v.viewport.width}.png`), fullPage: true });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(v.viewport.width);
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }

  it('counts each booth ballot by its class weight, and the audit agrees', { timeout: 120_000 }, async () => {
    const { admin, cluster } = mailed;
    const token = cluster.adminToken;
    const store = cluster.systems[0]!.store;
    expect(await refusal(admin.request('command', 'election.end', { electionId }, { token }))).toBe('accepted');
    await until(async () => (await admin.request<ElectionRow>('query', 'election.get', { electionId })).status === 'VOTE_ENDED', 30_000, 'the close');
    await admin.request('command', 'tally.run', { electionId }, { token, timeoutMs: 60_000 });
    const tally = await store.readStream(tallyStreamId(electionId));
    expect(tally.filter((e) => e.type === 'VoteCounted').map((e) => (e.data as VoteCounted['data']).weight).sort()).toEqual([1, 1, 3, 3]);
    const published = tally.find((e) => e.type === 'TallyPublished')!.data as TallyPublished['data'];
    expect(published.statuses.VALID).toBe(4);
    expect(published.counts).toMatchObject({ Ada: 2, Bob: 6 });
    expect(published.counts.Chloé ?? 0).toBe(0);

    const report = await verifyFromStore(store, electionId);
    expect(report.failures).toEqual([]);
    expect(report.fingerprint).toBe(fingerprint);
    expect(report.counts).toMatchObject({ Ada: 2, Bob: 6 });
  });
});
