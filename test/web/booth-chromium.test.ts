/**
 * The booth's engine in a real browser: Debian's Chromium on the gateway's /vote page (its strict
 * CSP), running web/src/booth bundled for the browser. WebCrypto's X25519, Ed25519 and RSA-PSS,
 * DecompressionStream, createImageBitmap and jsQR are the browser's own; the gateway is real.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection } from '../../src/client/connection.ts';
import { checkReceipt } from '../../src/client/voter.ts';
import { verifyCastReceipt } from '../../src/crypto/cast-receipt.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { builtWebRoot, launchChromium, watchPageErrors } from '../support/browser.ts';
import { startTestCluster, voterCsv, type TestCluster } from '../support/system.ts';

let dataDir: string;
let cluster: TestCluster;
let browser: Browser;
let admin: EvoteConnection;
let bundle: string;

beforeAll(async () => {
  await builtWebRoot();
  dataDir = await mkdtemp(join(tmpdir(), 'evote-booth-chromium-'));
  cluster = await startTestCluster({ config: { dataDir } });
  admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
  browser = await launchChromium();
  const out = await build({
    stdin: {
      contents: `import * as flow from './vote-flow.ts'; import * as reader from './letter-reader.ts'; import * as check from './receipt-check.ts';
        import * as shared from '../shared/connection.ts';
        globalThis.__booth = { ...flow, ...reader, ...check, ...shared };`,
      resolveDir: join(import.meta.dirname, '../../web/src/booth'),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  bundle = out.outputFiles[0]!.text;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await admin?.close();
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

type Booth = typeof import('../../web/src/booth/vote-flow.ts') &
  typeof import('../../web/src/booth/letter-reader.ts') &
  typeof import('../../web/src/booth/receipt-check.ts') &
  typeof import('../../web/src/shared/connection.ts');

describe('the booth engine in Chromium', () => {
  it('reads a real letter (PNG picture and PDF), votes, and checks its receipt, under the page CSP', async () => {
    const token = cluster.adminToken;
    const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Budget', choices: ['Yes', 'No'], expectedVoters: 100 }, { token });
    await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(2) }, { token });
    await admin.request('command', 'election.start', { electionId }, { token });
    await admin.request('command', 'credentials.issue', { electionId, channel: 'letter' }, { token, timeoutMs: 60_000 });
    const app = await admin.request<{ clientId: string; clientKey: string }>('command', 'clients.register', { name: 'web booth (chromium test)' }, { token });
    const dir = join(dataDir, 'letters', electionId);
    const voterId = (await readdir(dir)).find((f) => f.endsWith('.pdf'))!.slice(0, -4);
    const png = [...(await readFile(join(dir, `${voterId}.png`)))];
    const pdf = [...(await readFile(join(dir, `${voterId}.pdf`)))];

    const page: Page = await browser.newPage();
    const errors = watchPageErrors(page);
    await page.goto(cluster.systems[0]!.gateway!.httpUrl + '/vote');
    // Evaluated through the DevTools protocol: the page's own CSP stays strict (no inline script).
    await page.evaluate(bundle);
    const result = await page.evaluate(
      async ({ png, pdf, app, electionId }) => {
        const booth = (globalThis as unknown as { __booth: Booth }).__booth;
        const fromPng = await booth.credentialFromFile(new Blob([new Uint8Array(png)], { type: 'image/png' }));
        const fromPdf = await booth.credentialFromFile(new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }));
        const url = booth.gatewayUrl();
        const conn = await booth.Connection.open(url);
        const election = await booth.loadElection(conn, fromPng.electionId);
        conn.close();
        const steps: string[] = [];
        const t0 = performance.now();
        const { receipt, weight } = await booth.castVote({ url, credential: fromPng, app, election, choice: 'No', onStep: (s) => steps.push(s) });
        const castMs = performance.now() - t0;
        const check = await booth.checkReceiptAt(url, booth.parseReceiptFile(booth.receiptFileText(receipt)));
        return { weight, same: JSON.stringify(fromPng) === JSON.stringify(fromPdf), electionOk: fromPng.electionId === electionId, steps, receipt, check, castMs };
      },
      { png, pdf, app, electionId },
    );
    console.log(`castVote in Chromium: ${Math.round(result.castMs)} ms`);
    expect(result.same).toBe(true);
    expect(result.electionOk).toBe(true);
    expect(result.steps.at(-1)).toBe('cast');
    // Unweighted: no weight to show.
    expect(result.weight).toBeNull();
    const row = await admin.request<ElectionRow>('query', 'election.get', { electionId });
    expect(verifyCastReceipt(row.logPublicKey!, electionId, result.receipt.ballotHash, result.receipt.signature)).toBe(true);
    expect(result.check).toMatchObject({ signatureValid: true, fingerprintMatches: true, onBoard: false });
    // Closing releases the pool: the Node client finds the browser's ballot on the board.
    await admin.request('command', 'election.end', { electionId }, { token });
    expect(await checkReceipt({ url: cluster.systems[0]!.gateway!.url, electionId, ballotHash: result.receipt.ballotHash })).toMatchObject({ ballotHash: result.receipt.ballotHash });
    expect(errors).toEqual([]);
    await page.close();
  });
});
