/**
 * Elections counted by their method on the public board and in the console, in Chromium against a real
 * system (PostgreSQL, Redis, the gateway, an SMTP sink): a 3-seat Scottish STV election and an IRV
 * election decided by the lot, voted with the client library and tallied while the board is open. The
 * board shows the method, the winners and every round as the log records it (STV's 10^-5 units as
 * decimals), who was elected or excluded, the tie-break, in English and in French, without horizontal
 * overflow at 360 px; the board's in-browser audit names the recounted winners; the console's results
 * show the same. axe finds nothing serious.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { builtWebRoot, launchChromium, seriousAxeViolations, shootViewports, watchPageErrors, VIEWPORTS } from '../support/browser.ts';
import { startTestCluster, until, type TestCluster } from '../support/system.ts';
import { startSmtpSink, type SmtpSink } from '../support/letters.ts';
import { smallElection, type SmallElection } from '../support/small-election.ts';
import type { TallyOutcome } from '../../src/tally/tally-run.ts';

const STV = ['Ada', 'Bob', 'Cy', 'Dee', 'Eve'];
// Quota ⌊9 / 4⌋ + 1 = 3: Ada's 5 first preferences elect her at once and her surplus of 2 moves on at 0.4 a paper.
const STV_BALLOTS = [['Ada', 'Bob'], ['Ada', 'Bob', 'Cy'], ['Ada', 'Cy'], ['Ada', 'Dee'], ['Ada', 'Bob'], ['Cy', 'Eve'], ['Dee', 'Cy'], ['Eve', 'Dee'], ['Bob', 'Eve']];
const IRV = ['Oak', 'Elm', 'Ash'];
// One first preference each: round 1 is a three-way tie that only the lot breaks.
const IRV_BALLOTS = [['Oak'], ['Elm'], ['Ash', 'Elm']];

let cluster: TestCluster;
let sink: SmtpSink;
let browser: Browser;
let base: string;
let stv: SmallElection;
let irv: SmallElection;

beforeAll(async () => {
  await builtWebRoot();
  sink = await startSmtpSink();
  cluster = await startTestCluster({ config: { smtpUrl: sink.url } });
  base = cluster.systems[0]!.gateway!.httpUrl;
  browser = await launchChromium();
  const common = { url: cluster.systems[0]!.gateway!.url, token: cluster.adminToken, sink };
  stv = await smallElection({ ...common, theme: 'Committee of five', choices: STV, voters: STV_BALLOTS.length, rules: { form: { kind: 'ranked' }, method: 'stv-scottish', seats: 3 } });
  irv = await smallElection({ ...common, theme: 'Tree by runoff', choices: IRV, voters: IRV_BALLOTS.length, rules: { form: { kind: 'ranked' }, method: 'irv' } });
}, 120_000);

afterAll(async () => {
  await stv?.admin.close();
  await irv?.admin.close();
  await browser?.close();
  await cluster?.close();
  await sink?.close();
});


/**
 * The rounds table as seen: the header row, one row per candidate (name, then each round's cell), the
 * footer rows; text only for screen readers left out (`hidden` counts the cells that have it).
 */
const roundsTable = (page: Page) =>
  page.locator('table.rounds').evaluate((table) => {
    const seen = (c: Element) => {
      const copy = c.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('.visually-hidden').forEach((h) => h.remove());
      return (copy.textContent ?? '').trim();
    };
    return {
      head: [...table.querySelectorAll('thead th')].map(seen),
      body: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map(seen)),
      foot: [...table.querySelectorAll('tfoot tr')].map((tr) => [...tr.children].map(seen)),
      hidden: [...table.querySelectorAll('tbody td .visually-hidden')].map((h) => h.textContent),
    };
  });

/**
 * The table the log's rounds call for, written here from the rounds themselves: 10^-5 units divided
 * out with plain arithmetic (the figures are small), "—" once a candidate was excluded before.
 */
function expectedTable(choices: string[], outcome: TallyOutcome, scale: number) {
  const rounds = outcome.rounds!;
  const outIn = (c: number) => rounds.find((r) => r.eliminated.includes(c))?.round;
  const names = (cs: number[]) => (cs.length ? cs.map((c) => choices[c]).join(', ') : '—');
  return {
    head: ['Candidate', ...rounds.map((r) => `Round ${r.round}`)],
    body: choices.map((name, c) => [
      name,
      ...rounds.map((r) => {
        const out = outIn(c);
        if (out !== undefined && r.round > out) return '—';
        const figure = String(Number(r.tallies[c]) / scale);
        return r.elected.includes(c) ? `${figure} ✓ elected` : r.eliminated.includes(c) ? `${figure} ✗ excluded` : figure;
      }),
    ]),
    foot: [
      ['Elected this round', ...rounds.map((r) => names(r.elected))],
      ['Excluded this round', ...rounds.map((r) => names(r.eliminated))],
    ],
    hidden: choices.flatMap((_, c) => rounds.filter((r) => outIn(c) !== undefined && r.round > outIn(c)!).map(() => 'excluded earlier')),
  };
}

/** Every registered voter has voted: the election closes by itself. */
const closed = (e: SmallElection) =>
  until(async () => (await e.admin.request<{ status: string }>('query', 'election.get', { electionId: e.electionId })).status === 'VOTE_ENDED', 30_000, 'the close');

/** The page's width and the elements reaching past the viewport's right edge outside a box that scrolls or clips. */
const overflowing = (page: Page) =>
  page.evaluate(() => {
    const scrolls = (e: Element | null): boolean => !!e && e !== document.body && (getComputedStyle(e).overflowX !== 'visible' || scrolls(e.parentElement));
    const wide = [...document.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !scrolls(e.parentElement));
    return { scrollWidth: document.documentElement.scrollWidth, elements: wide.map((e) => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')} ${(e.textContent ?? '').slice(0, 40)} ${Math.round(e.getBoundingClientRect().width)} in ${e.parentElement?.tagName}.${e.parentElement?.className}`) };
  });
const noOverflow = async (page: Page) => {
  const o = await overflowing(page);
  expect(o).toEqual({ scrollWidth: 360, elements: [] });
  return true;
};

describe('method-counted results on the board and in the console', () => {
  it('the board follows a Scottish STV count live to its winners and rounds', { timeout: 240_000 }, async () => {
    await stv.start();
    await stv.castVotes(STV_BALLOTS.map((ranking) => ({ ranking })));
    await closed(stv);
    const context = await browser.newContext({ locale: 'en-GB', viewport: VIEWPORTS.wide });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`${base}/elections/${stv.electionId}`);
    await page.waitForSelector('#election-state[data-phase="VOTE_ENDED"]');

    const tally = await stv.tally();
    expect(tally).toMatchObject({ method: 'stv-scottish', counts: {} });
    expect(tally.winners).toHaveLength(3);
    await page.waitForSelector('#election-state[data-phase="TALLIED"]');
    await page.waitForSelector('table.rounds');
    expect(await page.locator('#outcome-method').innerText()).toBe(`Counted by single transferable vote (Scottish STV rules), in ${tally.rounds!.length} rounds.`);
    expect(await page.locator('#winners li').allInnerTexts()).toEqual(tally.winners);
    expect(await page.locator('table.rounds caption').innerText()).toBe('The count round by round, per candidate (votes, to five decimal places)');
    const table = await roundsTable(page);
    expect(table).toEqual(expectedTable(STV, tally, 100_000));
    // The transfer of Ada's surplus is there in decimals: three of her papers reach Bob at 0.4 each.
    expect(table.body[1]![2]).toBe('2.2');
    // No plurality table or chart for a method-counted election; the statuses stay.
    expect(await page.locator('table.results, svg.bars').count()).toBe(0);
    expect(await page.locator('table.statuses tr[data-status="VALID"] td').innerText()).toBe(String(STV_BALLOTS.length));
    expect(await page.locator('.tie-breaks').count()).toBe(tally.rounds!.some((r) => r.tieBreak) ? 1 : 0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shootViewports(page, 'board-stv', { selector: '.outcome', suffix: 'outcome' });
    await page.setViewportSize(VIEWPORTS.narrow);
    expect(await noOverflow(page)).toBe(true);
    await page.setViewportSize(VIEWPORTS.wide);

    // The in-browser audit recounts it and names the winners (not an empty "Recomputed tally:").
    await page.getByRole('button', { name: 'Verify this election' }).click();
    await page.waitForSelector('.verify-result[data-verdict="PASSED"]', { timeout: 60_000 });
    expect(await page.locator('.verify-elected').innerText()).toBe(`Recounted by stv-scottish in ${tally.rounds!.length} round(s), elected: ${tally.winners!.join(', ')}.`);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an IRV count decided by the lot: the tie-break is shown, in French too, and fits 360 px', { timeout: 240_000 }, async () => {
    await irv.start();
    await irv.castVotes(IRV_BALLOTS.map((ranking) => ({ ranking })));
    await closed(irv);
    const tally = await irv.tally();
    const tied = tally.rounds!.filter((r) => r.tieBreak !== undefined);
    expect(tied.map((r) => r.round)).toContain(1);

    const context = await browser.newContext({ locale: 'en-GB', viewport: VIEWPORTS.narrow });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`${base}/elections/${irv.electionId}`);
    await page.waitForSelector('table.rounds');
    expect(await roundsTable(page)).toEqual(expectedTable(IRV, tally, 1));
    expect(await page.locator('#winners li').allInnerTexts()).toEqual(tally.winners);
    expect(await page.locator('.tie-breaks li').allInnerTexts()).toEqual(tied.map((r) => `Round ${r.round}: ${r.tieBreak}`));
    await shootViewports(page, 'board-irv', { selector: '.outcome', suffix: 'outcome' });
    await page.setViewportSize(VIEWPORTS.narrow);
    expect(await noOverflow(page)).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();

    const fr = await browser.newContext({ locale: 'fr-FR', viewport: VIEWPORTS.narrow });
    const frPage = await fr.newPage();
    const frErrors = watchPageErrors(frPage);
    await frPage.goto(`${base}/elections/${stv.electionId}`);
    await frPage.waitForSelector('table.rounds');
    expect(await frPage.locator('#outcome-method').innerText()).toMatch(/^Dépouillé selon le vote unique transférable \(règles écossaises\), en \d+ tours\.$/);
    expect(await frPage.locator('table.rounds thead th').nth(1).innerText()).toBe('Tour 1');
    // French decimals: a comma.
    expect((await roundsTable(frPage)).body[1]![2]).toBe('2,2');
    await shootViewports(frPage, 'board-stv-fr', { selector: '.outcome', suffix: 'outcome' });
    await frPage.setViewportSize(VIEWPORTS.narrow);
    expect(await noOverflow(frPage)).toBe(true);
    expect(await seriousAxeViolations(frPage)).toEqual([]);
    expect(frErrors).toEqual([]);
    await fr.close();
  });

  it("the console's results show the method, the winners and the rounds", { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: VIEWPORTS.wide });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`${base}/admin`);
    await page.getByLabel('Admin token').fill(cluster.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Open “Committee of five”' }).click();
    await page.waitForSelector('table.rounds');
    const tally = await stv.tally(); // re-running a published tally returns it
    expect(await page.locator('#winners li').allInnerTexts()).toEqual(tally.winners);
    expect(await roundsTable(page)).toEqual(expectedTable(STV, tally, 100_000));
    expect(await page.locator('.admin-results caption').allInnerTexts()).toEqual(['Ballots by status']);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await shootViewports(page, 'console-stv', { selector: '.outcome', suffix: 'outcome' });
    await page.setViewportSize(VIEWPORTS.narrow);
    expect(await noOverflow(page)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
