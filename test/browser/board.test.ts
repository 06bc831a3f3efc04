/**
 * The public board in Chromium against a real system (PostgreSQL, Redis, the gateway): it follows an
 * election live, without a reload, from "not open" through voting (the ballot count moving as the
 * pool releases ballots), the close and the tally, to results that match the client's; its
 * checkpoints verify in the page; axe finds nothing serious and the page logs no error. Plus the
 * home page listing the election, and the board in French.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { builtWebRoot, launchChromium, seriousAxeViolations, shootViewports, watchPageErrors, VIEWPORTS } from '../support/browser.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';
import { startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { smallElection, type SmallElection } from '../support/small-election.ts';

const CHOICES = ['Oak', 'Elm', 'Ash'];

let cluster: TestCluster;
let sink: SmtpSink;
let browser: Browser;
let base: string;
let webRoot: string;
let e: SmallElection;
const savedCheckpointSeconds = process.env.EVOTE_LOG_CHECKPOINT_SECONDS;

beforeAll(async () => {
  webRoot = await builtWebRoot();
  process.env.EVOTE_LOG_CHECKPOINT_SECONDS = '0.5';
  sink = await startSmtpSink();
  // k = 2: the pool holds two ballots back until the close, so the count moves in steps the test can see.
  cluster = await startTestCluster({ config: { smtpUrl: sink.url, poolK: 2 } });
  base = cluster.systems[0]!.gateway!.httpUrl;
  browser = await launchChromium();
  e = await smallElection({ url: cluster.systems[0]!.gateway!.url, token: cluster.adminToken, sink, theme: 'Tree of the year', choices: CHOICES, voters: 6 });
}, 120_000);

afterAll(async () => {
  if (savedCheckpointSeconds === undefined) delete process.env.EVOTE_LOG_CHECKPOINT_SECONDS;
  else process.env.EVOTE_LOG_CHECKPOINT_SECONDS = savedCheckpointSeconds;
  await e?.admin.close();
  await browser?.close();
  await cluster?.close();
  await sink?.close();
});


/**
 * A TCP relay in front of the gateway, so the test can cut the page's connection as a network would
 * (Chromium's offline emulation leaves an open WebSocket alone) and refuse new ones for a while.
 */
async function startRelay(target: URL): Promise<{ url: string; refusing: boolean; dropAll(): void; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const relay = {
    url: '',
    refusing: false,
    dropAll: () => sockets.forEach((s) => s.destroy()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = net.createServer((client) => {
    if (relay.refusing) return client.destroy();
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return relay;
}

const text = (page: Page, selector: string) => page.locator(selector).innerText();
const waitText = (page: Page, selector: string, expected: string | RegExp, timeout = 15_000) =>
  page.waitForFunction(
    ([sel, src, isRe]) => {
      const t = document.querySelector(sel)?.textContent ?? '';
      return isRe ? new RegExp(src).test(t) : t === src;
    },
    [selector, typeof expected === 'string' ? expected : expected.source, typeof expected !== 'string'] as const,
    { timeout },
  );

describe('the public board in Chromium', () => {
  it('follows the election live, without a reload, to results that match the tally', { timeout: 180_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: VIEWPORTS.wide });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    let loads = 0;
    page.on('load', () => loads++);
    const relay = await startRelay(new URL(base));
    await page.goto(`${relay.url}/elections/${e.electionId}`);
    await page.waitForSelector('#election-state[data-phase="REGISTER"]');
    await page.waitForSelector('#live-indicator[data-link="live"]');
    expect(await text(page, 'h1')).toBe('Tree of the year');
    expect(await text(page, '#ballot-count')).toBe('0');
    expect(await text(page, '#fingerprint')).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    // The booth's hash is the one the build wrote.
    const booth = JSON.parse(readFileSync(path.join(webRoot, 'booth.json'), 'utf8')) as { sha256: string };
    await waitText(page, '#booth-hash', booth.sha256);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shootViewports(page, 'board-before');

    await e.start();
    await page.waitForSelector('#election-state[data-phase="VOTE_STARTED"]');
    await waitText(page, '#announcements', 'Voting has opened.');

    // A dropped connection: the indicator says so, the page reconnects by itself and resubscribes.
    relay.refusing = true;
    relay.dropAll();
    await page.waitForSelector('#live-indicator[data-link="reconnecting"]');
    relay.refusing = false;
    await page.waitForSelector('#live-indicator[data-link="live"]', { timeout: 20_000 });

    // Four ballots with k = 2: two reach the log now, the other two at the close.
    const choices = ['Oak', 'Elm', 'Oak', 'Ash'];
    const receipts = await e.castVotes(choices);
    await waitText(page, '#ballot-count', '2');
    await page.waitForSelector('#ballots table tbody tr:nth-child(2)');
    expect(await page.locator('#ballots tbody tr').count()).toBe(2);
    await shootViewports(page, 'board-during');

    await e.end();
    await page.waitForSelector('#election-state[data-phase="VOTE_ENDED"]');
    await waitText(page, '#ballot-count', '4');
    await page.waitForSelector('#ballots tbody tr:nth-child(4)');
    const hashes = await page.locator('#ballots tbody code').allInnerTexts();
    expect(hashes.sort()).toEqual(receipts.map((r) => r.ballotHash).sort());
    expect(await page.locator('#ballots tbody td[data-label="Status"]').allInnerTexts()).toEqual(['Not counted yet', 'Not counted yet', 'Not counted yet', 'Not counted yet']);

    const tally = await e.tally();
    await page.waitForSelector('#election-state[data-phase="TALLIED"]');
    await waitText(page, '#announcements', 'The results are published.');
    expect(tally.counts).toEqual({ Oak: 2, Elm: 1, Ash: 1 });
    // The results table, row by row, in the election's choice order: choice, votes, share.
    await page.waitForSelector('table.results tbody tr');
    const rows = await page.locator('table.results tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => (c as HTMLElement).innerText.trim())));
    expect(rows).toEqual(CHOICES.map((c) => [c, String(tally.counts[c]), `${((tally.counts[c]! / 4) * 100).toFixed(1)}%`]));
    // The chart: one bar per choice, widths in proportion, and a text alternative naming every count.
    const bars = await page.locator('svg.bars rect.bar').evaluateAll((rs) => rs.map((r) => r.getAttribute('width')));
    expect(bars).toEqual(['100%', '50%', '50%']);
    expect(await page.locator('svg.bars desc').textContent()).toBe('Oak: 2 votes (50.0%); Elm: 1 vote (25.0%); Ash: 1 vote (25.0%).');
    expect(await page.locator('table.statuses tr[data-status="VALID"] td').innerText()).toBe(String(tally.statuses.VALID));
    expect(tally.statuses.VALID).toBe(4);
    await page.waitForFunction(() => [...document.querySelectorAll('#ballots td[data-label="Status"]')].every((td) => td.textContent === 'Counted'));
    await page.waitForSelector('#tally-progress');
    expect(await page.locator('#tally-progress').evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([4, 4]);

    // Checkpoints: the latest covers the whole log, and every signature verifies in the page.
    await page.waitForSelector('#checkpoints tbody tr');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#checkpoints tbody tr')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-check') === 'ok');
    });
    expect(await page.locator('#checkpoints tbody tr').first().locator('td').last().innerText()).toContain('Valid');

    expect(loads).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Chromium reports each refused reconnection attempt on the console; nothing else may appear.
    expect(errors.filter((m) => !/^WebSocket connection to '.*' failed/.test(m))).toEqual([]);
    await shootViewports(page, 'board-results');

    // The home page lists the election with its state and links to its board.
    const home = await context.newPage();
    const homeErrors = watchPageErrors(home);
    await home.goto(base + '/');
    const link = home.locator(`a[href="/elections/${e.electionId}"]`);
    await link.waitFor();
    expect(await link.innerText()).toBe('Tree of the year');
    expect(await home.locator('tbody tr', { has: link }).locator('.state').innerText()).toBe('Results published');
    expect(await home.locator('a[href="/vote"]').count()).toBeGreaterThan(0);
    expect(await home.locator('a[href="/admin"]').count()).toBeGreaterThan(0);
    expect(await seriousAxeViolations(home)).toEqual([]);
    await shootViewports(home, 'home');
    await link.click();
    await home.waitForSelector('#election-state[data-phase="TALLIED"]');
    expect(homeErrors).toEqual([]);
    await context.close();
    relay.dropAll();
    await relay.close();
  });

  it('speaks French to a French browser', async () => {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: VIEWPORTS.narrow });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`${base}/elections/${e.electionId}`);
    await page.waitForSelector('table.results tbody tr');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await text(page, '#election-state')).toBe('Résultats publiés');
    expect(await text(page, '#results-title')).toBe('Résultats');
    expect(await page.locator('svg.bars desc').textContent()).toMatch(/^Oak : 2 voix \(50,0\s%\)/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shootViewports(page, 'board-fr');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says so for an election that does not exist', async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`${base}/elections/none-such`);
    await page.waitForSelector('main .error');
    expect(await text(page, 'main .error')).toContain('no election');
    expect(errors).toEqual([]);
    await page.close();
  });
});
