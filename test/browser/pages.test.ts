import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { builtWebRoot, launchChromium, seriousAxeViolations, watchPageErrors } from '../support/browser.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';

describe('the web pages, served by the gateway in Chromium', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    await builtWebRoot();
    cluster = await startTestCluster();
    base = cluster.systems[0]!.gateway!.httpUrl;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
  });

  for (const route of ['/', '/vote', '/receipt', '/admin', '/elections/none-such']) {
    it(`${route} loads under the CSP with no error and no serious accessibility violation`, async () => {
      const page = await browser.newPage();
      const errors = watchPageErrors(page);
      const res = await page.goto(base + route);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.waitForSelector('#app > *');
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
