/**
 * The booth's engine (web/src/booth) against a real gateway on PostgreSQL and Redis, driven through
 * the `ws` package: letters issued by the real `credentials.issue` command (PDF and PNG on disk),
 * read by the letter reader; votes cast by castVote and checked by the Node client and the tally.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, EvoteError } from '../../web/src/shared/connection.ts';
import { castVote, loadBoothApp, loadElection, parseCredential, type BoothApp, type BoothElection, type Credential, type Receipt, type VoteStep } from '../../web/src/booth/vote-flow.ts';
import { credentialFromFile, credentialFromPdf, credentialFromPixels, credentialFromText, qrImageFromPdf } from '../../web/src/booth/letter-reader.ts';
import { checkBallotHash, checkReceipt as webCheckReceipt, parseReceiptFile, receiptFileText } from '../../web/src/booth/receipt-check.ts';
import { EvoteConnection } from '../../src/client/connection.ts';
import { checkReceipt } from '../../src/client/voter.ts';
import { fingerprintOf } from '../../src/client/election-fingerprint.ts';
import { formatFingerprint } from '../../src/crypto/election-fingerprint.ts';
import { verifyCastReceipt } from '../../src/crypto/cast-receipt.ts';
import { parseCredentialUri } from '../../src/credentials/credential-uri.ts';
import type { ElectionRow } from '../../src/projections/read-models.ts';
import { startTestCluster, until, voterCsv, type TestCluster } from '../support/system.ts';

const WS = WebSocket as unknown as typeof globalThis.WebSocket;
const CHOICES = ['Alice', 'Bob', 'Zoë'];
const VOTERS = 6;

let dataDir: string;
let cluster: TestCluster;
let admin: EvoteConnection;
let url: string;
let app: BoothApp;

interface IssuedElection {
  electionId: string;
  letters: { voterId: string; pdf: Buffer; png: Buffer; uri: string }[];
}

/** Creates and starts an election and issues its letters through the real command, as PDF and PNG files. */
async function electionWithLetters(voters: number): Promise<IssuedElection> {
  const token = cluster.adminToken;
  const { electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Chair of the club', choices: CHOICES, expectedVoters: 1000 }, { token });
  await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(voters) }, { token });
  await admin.request('command', 'election.start', { electionId }, { token });
  const summary = await admin.request<{ issued: number }>('command', 'credentials.issue', { electionId, channel: 'letter' }, { token, timeoutMs: 60_000 });
  expect(summary.issued).toBe(voters);
  const dir = join(dataDir, 'letters', electionId);
  const names = (await readdir(dir)).filter((f) => f.endsWith('.pdf')).map((f) => f.slice(0, -4));
  expect(names).toHaveLength(voters);
  const letters = [];
  for (const voterId of names) {
    const png = await readFile(join(dir, `${voterId}.png`));
    const pdf = await readFile(join(dir, `${voterId}.pdf`));
    letters.push({ voterId, pdf, png, uri: uriFromPdfText(pdf) });
  }
  return { electionId, letters };
}

/** The credential URI as the letter prints it under the QR code: the Courier 8 lines, wrapped. */
function uriFromPdfText(pdf: Buffer): string {
  const text = pdfPageText(pdf);
  const lines = text.split('\n').filter((l) => l.startsWith('BT /F3 8 Tf'));
  return lines.map((l) => /\((.*)\) Tj ET$/.exec(l)![1]!).join('\n');
}

/** The page's content stream (the letter's object 8), inflated. */
function pdfPageText(pdf: Buffer): string {
  const at = pdf.indexOf('8 0 obj');
  const start = pdf.indexOf('stream\n', at) + 'stream\n'.length;
  const length = Number(/\/Length (\d+)/.exec(pdf.subarray(at, start).toString('latin1'))![1]);
  return inflateSync(pdf.subarray(start, start + length)).toString('latin1');
}

function pixelsOfPng(png: Buffer): { data: Uint8ClampedArray; width: number; height: number } {
  const image = PNG.sync.read(png);
  return { data: new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), width: image.width, height: image.height };
}

async function withConnection<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
  const conn = await Connection.open(url, WS);
  try {
    return await fn(conn);
  } finally {
    conn.close();
  }
}

let first: IssuedElection;
let second: IssuedElection;
let election: BoothElection;
const credentials: Credential[] = [];
const receipts: { receipt: Receipt; choice: string }[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'evote-booth-'));
  cluster = await startTestCluster({ config: { dataDir } });
  url = cluster.systems[0]!.gateway!.url;
  admin = await EvoteConnection.connect(url);
  app = await admin.request<BoothApp>('command', 'clients.register', { name: 'web booth (test)' }, { token: cluster.adminToken });
  first = await electionWithLetters(VOTERS);
  second = await electionWithLetters(2);
}, 120_000);

afterAll(async () => {
  await admin?.close();
  await cluster?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('letter reader on real letters', () => {
  it('reads the same credential from the PNG, the PDF, the PDF as a file, and the URI printed on the letter', async () => {
    for (const letter of first.letters) {
      const fromPng = credentialFromPixels(pixelsOfPng(letter.png));
      const fromPdf = await credentialFromPdf(new Uint8Array(letter.pdf));
      expect(fromPdf).toEqual(fromPng);
      expect(fromPng.voterId).toBe(letter.voterId);
      expect(fromPng.electionId).toBe(first.electionId);
      // The printed URI is wrapped over several lines on the letter; the reader removes the breaks.
      expect(letter.uri).toContain('\n');
      expect(credentialFromText(`  ${letter.uri}\r\n`)).toEqual(fromPng);
      expect(await credentialFromFile(new Blob([new Uint8Array(letter.pdf)]))).toEqual(fromPng);
      const node = parseCredentialUri(letter.uri.replace(/\s+/g, ''));
      expect(node.ok && node.value).toEqual(fromPng);
      credentials.push(fromPng);
    }
    expect(new Set(credentials.map((c) => c.voterId)).size).toBe(VOTERS);
  });

  it('returns the PDF image as RGBA with a quiet zone, big enough for jsQR', async () => {
    const image = await qrImageFromPdf(new Uint8Array(first.letters[0]!.pdf));
    expect(image.width).toBeGreaterThanOrEqual(400);
    expect(image.data.length).toBe(image.width * image.height * 4);
    expect([...image.data.subarray(0, 16)]).toEqual(new Array(16).fill(255));
  });

  it('refuses what is not a letter with INVALID_LETTER, never echoing the content', async () => {
    const pdf = new Uint8Array(first.letters[0]!.pdf);
    await expect(qrImageFromPdf(new TextEncoder().encode('hello'))).rejects.toMatchObject({ code: 'INVALID_LETTER' });
    const imageData = Buffer.from(pdf).indexOf('stream\n', Buffer.from(pdf).indexOf('7 0 obj')) + 7;
    await expect(qrImageFromPdf(pdf.subarray(0, imageData + 50))).rejects.toMatchObject({ code: 'INVALID_LETTER', message: 'the PDF is truncated' });
    const corrupt = Uint8Array.from(pdf);
    corrupt.fill(0x41, imageData + 5, imageData + 60);
    await expect(qrImageFromPdf(corrupt)).rejects.toMatchObject({ code: 'INVALID_LETTER' });
    const damaged = Uint8Array.from(pdf);
    const at = Buffer.from(pdf).indexOf('/QR 7 0 R');
    damaged.set(new TextEncoder().encode('/QX'), at);
    await expect(qrImageFromPdf(damaged)).rejects.toMatchObject({ code: 'INVALID_LETTER', message: expect.stringContaining('no QR image') });
    const blank = { data: new Uint8ClampedArray(50 * 50 * 4).fill(255), width: 50, height: 50 };
    expect(() => credentialFromPixels(blank)).toThrow(expect.objectContaining({ code: 'INVALID_LETTER' }));
    const secret = credentials[0]!.secretCode;
    for (const bad of [first.letters[0]!.uri.replace(/\s+/g, '').replace(secret, secret.slice(1)), 'evote:credential?v=2', `${first.letters[0]!.uri}&x=${secret}`]) {
      let caught: unknown;
      try {
        credentialFromText(bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(EvoteError);
      expect((caught as EvoteError).code).toBe('INVALID_LETTER');
      expect((caught as EvoteError).message).not.toContain(secret.slice(1, 20));
    }
    expect(() => parseCredential(first.letters[0]!.uri.replace(/\s+/g, '').replace('&n1=', '&n1=A'))).toThrow('malformed N1 (n1)');
  });
});

describe('the booth engine over the real gateway', () => {
  it('loads the election with the fingerprint computed here, the one the letter prints', async () => {
    election = await withConnection((c) => loadElection(c, first.electionId));
    expect(election).toMatchObject({ electionId: first.electionId, theme: 'Chair of the club', choices: CHOICES, state: 'VOTE_STARTED' });
    const row = await admin.request<ElectionRow>('query', 'election.get', { electionId: first.electionId });
    expect(election.fingerprint).toBe(fingerprintOf(row));
    expect(pdfPageText(first.letters[0]!.pdf)).toContain(formatFingerprint(election.fingerprint));
    await expect(withConnection((c) => loadElection(c, 'no-such-election'))).rejects.toMatchObject({ code: 'ELECTION_NOT_FOUND' });
  });

  it("loads the booth's application from `booth.app`: refused until the operator sets one, then that one", async () => {
    await expect(withConnection((c) => loadBoothApp(c))).rejects.toMatchObject({ code: 'BOOTH_APP_NOT_SET' });
    await admin.request('command', 'booth.setApp', { clientId: app.clientId }, { token: cluster.adminToken });
    expect(await withConnection((c) => loadBoothApp(c))).toEqual({ clientId: app.clientId, clientKey: app.clientKey });
  });

  it('casts a ballot whose receipt the Node client accepts, reporting every step', async () => {
    const steps: VoteStep[] = [];
    const cred = credentials[0]!;
    const { receipt, weight } = await castVote({ url, credential: cred, app, election, choice: 'Zoë', onStep: (s) => steps.push(s), WebSocketImpl: WS });
    expect(weight).toBeNull();
    expect(steps).toEqual(['connecting', 'level1', 'level2', 'level3', 'logged-in', 'blinding', 'signed', 'encrypting', 'casting', 'cast']);
    expect(receipt).toMatchObject({ electionId: first.electionId, n2: cred.n2, fingerprint: election.fingerprint });
    expect(receipt.ballotHash).toMatch(/^[0-9a-f]{64}$/);
    const row = await admin.request<ElectionRow>('query', 'election.get', { electionId: first.electionId });
    expect(verifyCastReceipt(row.logPublicKey!, first.electionId, receipt.ballotHash, receipt.signature)).toBe(true);
    // The pool holds it (at least k ballots, released in random order) until the close: accepted, signed, not yet on the board.
    const web = await withConnection((c) => webCheckReceipt(c, receipt));
    expect(web).toMatchObject({ onBoard: false, position: null, signatureValid: true, fingerprintMatches: true, status: null, choice: null });
    // The file the booth offers is the one `evote receipt --file` reads, and reads back strictly.
    expect(parseReceiptFile(receiptFileText(receipt))).toEqual(receipt);
    receipts.push({ receipt, choice: 'Zoë' });
  });

  it('a second cast with the same letter is refused (ALREADY_SIGNED or ALREADY_CAST)', async () => {
    const err = await castVote({ url, credential: credentials[0]!, app, election, choice: 'Alice', WebSocketImpl: WS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvoteError);
    expect(['ALREADY_SIGNED', 'ALREADY_CAST']).toContain((err as EvoteError).code);
  });

  it('refuses a letter for another election clearly, before and at the server', async () => {
    const other = credentialFromPixels(pixelsOfPng(second.letters[0]!.png));
    await expect(castVote({ url, credential: other, app, election, choice: 'Bob', WebSocketImpl: WS })).rejects.toMatchObject({ code: 'WRONG_ELECTION' });
    // The same letter with this election's id: the server finds no such credential here.
    const forged = { ...other, electionId: first.electionId };
    await expect(castVote({ url, credential: forged, app, election, choice: 'Bob', WebSocketImpl: WS })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('refuses a choice that is not on the ballot and an application key that is wrong', async () => {
    await expect(castVote({ url, credential: credentials[1]!, app, election, choice: 'Mallory', WebSocketImpl: WS })).rejects.toMatchObject({ code: 'INVALID_CHOICE' });
    const wrongKey = { ...app, clientKey: 'A'.repeat(43) };
    const err = await castVote({ url, credential: credentials[1]!, app: wrongKey, election, choice: 'Bob', WebSocketImpl: WS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvoteError);
    expect((err as EvoteError).code).toBe('INVALID_CLIENT_PROOF');
    expect((err as EvoteError).message).not.toContain(credentials[1]!.secretCode);
  });

  it('refuses keys that changed since the election was shown', async () => {
    const shown = { ...election, fingerprint: 'f'.repeat(64) };
    await expect(castVote({ url, credential: credentials[2]!, app, election: shown, choice: 'Bob', WebSocketImpl: WS })).rejects.toMatchObject({ code: 'ELECTION_CHANGED' });
  });

  it('casts more ballots, then a closed election answers VOTING_CLOSED', async () => {
    for (const [i, choice] of [[2, 'Bob'], [3, 'Alice'], [4, 'Bob']] as const) {
      receipts.push({ receipt: (await castVote({ url, credential: credentials[i]!, app, election, choice, WebSocketImpl: WS })).receipt, choice });
    }
    await admin.request('command', 'election.end', { electionId: first.electionId }, { token: cluster.adminToken });
    const closed = await withConnection((c) => loadElection(c, first.electionId));
    expect(closed.state).toBe('VOTE_ENDED');
    // Closing released the pool: every ballot is on the board now, where the Node client finds it too.
    for (const { receipt } of receipts) {
      const node = await checkReceipt({ url, electionId: first.electionId, ballotHash: receipt.ballotHash });
      expect(await withConnection((c) => webCheckReceipt(c, receipt))).toMatchObject({ onBoard: true, position: node.position, signatureValid: true, status: null, choice: null });
    }
    await until(async () => (await castVote({ url, credential: credentials[5]!, app, election: closed, choice: 'Bob', WebSocketImpl: WS }).catch((e: unknown) => e) as EvoteError).code === 'VOTING_CLOSED', 15_000, 'VOTING_CLOSED');
  });

  it('after the tally, the receipts show the counted choice to the Node client and to the booth check', async () => {
    const tally = await admin.request<{ counts: Record<string, number> }>('command', 'tally.run', { electionId: first.electionId }, { token: cluster.adminToken, timeoutMs: 60_000 });
    expect(tally.counts).toEqual({ Alice: 1, Bob: 2, Zoë: 1 });
    for (const { receipt, choice } of receipts) {
      const node = await checkReceipt({ url, electionId: first.electionId, receipt });
      expect(node).toMatchObject({ ballotHash: receipt.ballotHash, status: 'VALID', choice });
      const web = await withConnection((c) => webCheckReceipt(c, parseReceiptFile(receiptFileText(receipt))));
      expect(web).toMatchObject({ onBoard: true, status: 'VALID', choice, duplicates: 0, signatureValid: true, fingerprintMatches: true });
      expect(await withConnection((c) => checkBallotHash(c, first.electionId, receipt.ballotHash))).toMatchObject({ onBoard: true, status: 'VALID', choice: null });
    }
    // A forged signature or another election's salt does not pass as this receipt.
    const r = receipts[0]!.receipt;
    const forged = { ...r, signature: receipts[1]!.receipt.signature };
    expect(await withConnection((c) => webCheckReceipt(c, forged))).toMatchObject({ signatureValid: false });
    const otherSalt = { ...r, salt: receipts[1]!.receipt.salt };
    expect(await withConnection((c) => webCheckReceipt(c, otherSalt))).toMatchObject({ onBoard: true, choice: null, status: 'VALID' });
  });
});

describe('receipt files', () => {
  const good = { electionId: 'e1', ballotHash: 'a'.repeat(64), signature: 'A'.repeat(86), n2: 'Q'.repeat(22), salt: 'g'.repeat(22), fingerprint: 'b'.repeat(64) };
  it('reads exactly the six fields, each well-formed, naming the bad field and never its value', () => {
    expect(parseReceiptFile(JSON.stringify(good))).toEqual(good);
    const cases: [unknown, string][] = [
      [{ ...good, n2: 'Q'.repeat(21) }, "the receipt's n2 is malformed"],
      [{ ...good, extra: 1 }, 'unknown field'],
      [{ ...good, ballotHash: 'A'.repeat(64) }, "the receipt's ballotHash is malformed"],
      [{ ...good, signature: 'A'.repeat(85) }, "the receipt's signature is malformed"],
      [(({ salt: _s, ...rest }) => rest)(good), 'the receipt has no salt'],
      [[good], 'not a JSON object'],
    ];
    for (const [value, message] of cases) {
      let caught: EvoteError | undefined;
      try {
        parseReceiptFile(JSON.stringify(value));
      } catch (err) {
        caught = err as EvoteError;
      }
      expect(caught?.code).toBe('INVALID_RECEIPT');
      expect(caught?.message).toContain(message);
      expect(caught?.message).not.toContain('QQQQQQQQQQ');
    }
    expect(() => parseReceiptFile('{not json')).toThrow(expect.objectContaining({ code: 'INVALID_RECEIPT' }));
    expect(() => parseReceiptFile(' '.repeat(5000))).toThrow(expect.objectContaining({ code: 'INVALID_RECEIPT' }));
  });
});
