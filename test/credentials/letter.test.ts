import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQRModule from 'jsqr';
import { FINGERPRINT_LABEL, renderLetterFiles, renderLetterPdf, writeLetters, type LetterInput } from '../../src/credentials/letter.ts';
import { formatFingerprint } from '../../src/crypto/election-fingerprint.ts';
import { credentialQrModules, credentialQrPng, decodeQrPng, QR_MARGIN_MODULES } from '../../src/credentials/qr.ts';
import { formatCredentialUri, parseCredentialUri, type Credential } from '../../src/credentials/credential-uri.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { issueTokens } from '../../src/credentials/tokens.ts';

const jsQR = jsQRModule.default;

function letterFor(theme: string): { letter: LetterInput; credential: Credential } {
  const credential: Credential = { electionId: 'budget-2025', voterId: crypto.randomUUID(), secretCode: issueSecretCode().secretCode, ...issueTokens() };
  const { electionId, voterId, n1, n2 } = credential;
  const fingerprint = crypto.randomUUID().replace(/-/g, '').repeat(2);
  return { credential, letter: { electionTheme: theme, electionId, fingerprint, voterId, n1, n2, uri: formatCredentialUri(credential) } };
}

// ---- a small, strict PDF 1.4 reader: enough to prove the file is well-formed -------------------

interface PdfObject {
  dict: string;
  stream?: Buffer;
}

function readPdf(pdf: Buffer): { objects: Map<number, PdfObject>; trailer: string } {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.4\n')).toBe(true);
  expect(text.endsWith('%%EOF\n')).toBe(true);
  const startxref = /startxref\n(\d+)\n%%EOF\n$/.exec(text);
  expect(startxref).not.toBeNull();
  const xrefAt = Number(startxref![1]);
  expect(text.slice(xrefAt, xrefAt + 5)).toBe('xref\n');
  const header = /^xref\n0 (\d+)\n/.exec(text.slice(xrefAt))!;
  const count = Number(header[1]);
  const entriesAt = xrefAt + header[0].length;
  const objects = new Map<number, PdfObject>();
  expect(text.slice(entriesAt, entriesAt + 20)).toBe('0000000000 65535 f \n');
  for (let i = 1; i < count; i++) {
    const entry = text.slice(entriesAt + 20 * i, entriesAt + 20 * (i + 1));
    expect(entry).toMatch(/^\d{10} 00000 n \n$/);
    const offset = Number(entry.slice(0, 10));
    const head = `${i} 0 obj\n`;
    expect(text.slice(offset, offset + head.length), `object ${i} at its xref offset`).toBe(head);
    const body = text.slice(offset + head.length);
    const streamAt = body.indexOf('\nstream\n');
    const endAt = body.indexOf('\nendobj\n');
    if (streamAt >= 0 && streamAt < endAt) {
      const dict = body.slice(0, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)![1]);
      const dataStart = offset + head.length + streamAt + '\nstream\n'.length;
      expect(text.slice(dataStart + length, dataStart + length + '\nendstream\nendobj\n'.length)).toBe('\nendstream\nendobj\n');
      const raw = pdf.subarray(dataStart, dataStart + length);
      objects.set(i, { dict, stream: /\/FlateDecode/.test(dict) ? inflateSync(raw) : raw });
    } else {
      objects.set(i, { dict: body.slice(0, endAt) });
    }
  }
  const trailer = text.slice(text.indexOf('trailer\n', entriesAt), text.indexOf('startxref'));
  expect(trailer).toContain(`/Size ${count}`);
  return { objects, trailer };
}

const WIN_ANSI_HIGH: Record<number, string> = { 0x80: '€', 0x85: '…', 0x92: '’', 0x93: '“', 0x94: '”', 0x96: '–', 0x97: '—' };

/** Text lines shown by `(...) Tj` operators, decoded from WinAnsi, with their y positions. */
function textLines(content: string): { y: number; text: string }[] {
  const lines: { y: number; text: string }[] = [];
  for (const m of content.matchAll(/BT \/F\d+ [\d.]+ Tf [\d.]+ ([\d.]+) Td \(((?:[^\\)]|\\.)*)\) Tj ET/g)) {
    const decoded = m[2]!.replace(/\\([0-7]{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : e));
    lines.push({ y: Number(m[1]), text: [...decoded].map((ch) => WIN_ANSI_HIGH[ch.charCodeAt(0)] ?? ch).join('') });
  }
  return lines;
}

function inspectLetter(pdf: Buffer) {
  const { objects, trailer } = readPdf(pdf);
  const root = Number(/\/Root (\d+) 0 R/.exec(trailer)![1]);
  expect(objects.get(root)!.dict).toContain('/Type /Catalog');
  const page = [...objects.values()].find((o) => /\/Type \/Page\b/.test(o.dict))!;
  expect(page.dict).toContain('/MediaBox [0 0 595 842]');
  const contentRef = Number(/\/Contents (\d+) 0 R/.exec(page.dict)![1]);
  const imageRef = Number(/\/QR (\d+) 0 R/.exec(page.dict)![1]);
  const content = objects.get(contentRef)!.stream!.toString('latin1');
  const image = objects.get(imageRef)!;
  const width = Number(/\/Width (\d+)/.exec(image.dict)![1]);
  const height = Number(/\/Height (\d+)/.exec(image.dict)![1]);
  expect(image.dict).toContain('/ColorSpace /DeviceGray /BitsPerComponent 8');
  expect(image.stream!.length).toBe(width * height);
  return { content, lines: textLines(content), image: { width, height, pixels: image.stream! } };
}

/** Scales the gray image up (k px per sample) to RGBA and asks jsQR to read it. */
function decodeGray(img: { width: number; height: number; pixels: Buffer }, k = 6): string | undefined {
  const w = img.width * k;
  const rgba = new Uint8ClampedArray(w * img.height * k * 4);
  for (let y = 0; y < img.height * k; y++) {
    for (let x = 0; x < w; x++) {
      const v = img.pixels[Math.floor(y / k) * img.width + Math.floor(x / k)]!;
      rgba.set([v, v, v, 255], (y * w + x) * 4);
    }
  }
  return jsQR(rgba, w, img.height * k)?.data;
}

// ---------------------------------------------------------------------------------------------------

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evote-letters-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('printable credential letter', () => {
  it('is a well-formed one-page PDF 1.4 with the theme, fingerprint, instructions, voter id, N1, N2 and the URI', () => {
    const { letter } = letterFor('Participatory budget (2025) — élection du “parc”');
    const pdf = renderLetterPdf(letter);
    const { lines, content } = inspectLetter(pdf);
    const all = lines.map((l) => l.text);
    expect(all).toContain('Your voting credential');
    expect(all).toContain('Participatory budget (2025) — élection du “parc”');
    expect(all.some((t) => t.includes('Keep this letter private'))).toBe(true);
    // The fingerprint in 16 groups of 4 hex digits, on one line under its label.
    const fp = all.indexOf(FINGERPRINT_LABEL);
    expect(all[fp + 1]).toBe(formatFingerprint(letter.fingerprint));
    expect(all[fp + 1]).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
    expect(all).toContain(`Voter id: ${letter.voterId}`);
    expect(all).toContain(`N1 (submission token): ${letter.n1}`);
    expect(all.some((t) => t.startsWith('N2 (receipt number):') && t.endsWith(letter.n2))).toBe(true);
    // The URI is wrapped in Courier: its lines concatenate back to it.
    const uriStart = all.findIndex((t) => t.startsWith('evote:credential?'));
    expect(all.slice(uriStart).join('')).toBe(letter.uri);
    // Everything is on the page, top to bottom, and the QR is drawn once.
    for (const l of lines) expect(l.y).toBeGreaterThan(20);
    for (let i = 1; i < lines.length; i++) expect(lines[i]!.y).toBeLessThan(lines[i - 1]!.y);
    expect(content.match(/\/QR Do/g)).toHaveLength(1);
    expect(pdf.length).toBeLessThan(20_000);
  });

  it('wraps a long theme and escapes PDF syntax in it', () => {
    const theme = 'A (very) long theme \\ with a backslash, '.repeat(6).trim();
    const { lines } = inspectLetter(renderLetterPdf(letterFor(theme).letter));
    const themeLines = lines.filter((l) => /theme|backslash/.test(l.text)).map((l) => l.text);
    expect(themeLines.length).toBeGreaterThan(1);
    expect(themeLines.join(' ')).toBe(theme);
  });

  it('its QR image is the QR modules with the quiet zone, and decodes to the credential', () => {
    const { letter, credential } = letterFor('Referendum');
    const { image } = inspectLetter(renderLetterPdf(letter));
    const qr = credentialQrModules(letter.uri);
    expect(image.width).toBe(qr.size + 2 * QR_MARGIN_MODULES);
    for (let r = 0; r < qr.size; r++) {
      for (let c = 0; c < qr.size; c++) {
        expect(image.pixels[(r + QR_MARGIN_MODULES) * image.width + c + QR_MARGIN_MODULES]).toBe(qr.dark(r, c) ? 0 : 255);
      }
    }
    const uri = decodeGray(image);
    expect(parseCredentialUri(uri)).toEqual({ ok: true, value: credential });
  });

  it('embeds a given QR PNG as its gray pixels', async () => {
    const { letter, credential } = letterFor('Referendum');
    const png = await credentialQrPng(letter.uri);
    const { image } = inspectLetter(renderLetterPdf({ ...letter, qrPng: png }));
    expect(image.width).toBe((credentialQrModules(letter.uri).size + 2 * QR_MARGIN_MODULES) * 8);
    expect(parseCredentialUri(decodeGray(image, 1))).toEqual({ ok: true, value: credential });
  });

  it('pdftotext (poppler), when installed, reads the text back', (ctx) => {
    let available = true;
    try {
      execFileSync('which', ['pdftotext']);
    } catch {
      available = false;
    }
    if (!available) ctx.skip();
    const { letter } = letterFor('Poppler check');
    const path = join(dir, 'poppler.pdf');
    writeFileSync(path, renderLetterPdf(letter));
    const text = execFileSync('pdftotext', ['-layout', path, '-']).toString();
    expect(text).toContain(letter.n1);
    expect(text).toContain(letter.voterId);
  });

  it('writeLetters writes <voterId>.pdf and <voterId>.png (0600); the PNG decodes to the credential', async () => {
    const batch = [letterFor('City council'), letterFor('City council'), letterFor('City council')];
    const files = await writeLetters(join(dir, 'out'), batch.map((b) => b.letter));
    expect(files.map((f) => f.voterId)).toEqual(batch.map((b) => b.credential.voterId));
    for (const [i, f] of files.entries()) {
      expect(f.pdf).toBe(join(dir, 'out', `${batch[i]!.credential.voterId}.pdf`));
      expect((await stat(f.pdf)).mode & 0o777).toBe(0o600);
      expect((await stat(f.png)).mode & 0o777).toBe(0o600);
      inspectLetter(await readFile(f.pdf));
      expect(parseCredentialUri(decodeQrPng(await readFile(f.png)))).toEqual({ ok: true, value: batch[i]!.credential });
    }
    expect((await stat(join(dir, 'out'))).mode & 0o777).toBe(0o700);
    const evil = { ...letterFor('x').letter, voterId: '../escape' };
    await expect(writeLetters(join(dir, 'evil'), [evil])).rejects.toThrow(RangeError);
  });

  it('throughput: QR PNG + PDF per letter from one QR encoding (informal)', () => {
    const n = 300;
    const letters = Array.from({ length: n }, () => letterFor('Throughput').letter);
    const t0 = performance.now();
    const files = letters.map((l) => renderLetterFiles(l));
    const seconds = (performance.now() - t0) / 1000;
    console.log(`[letters] ${n} letters (QR PNG + PDF) in ${seconds.toFixed(2)} s: ${Math.round(n / seconds)} letters/s`);
    for (const i of [0, n - 1]) {
      inspectLetter(files[i]!.pdf);
      expect(decodeQrPng(files[i]!.png)).toBe(letters[i]!.uri);
    }
    expect(new Set(files.map((f) => f.pdf.toString('base64'))).size).toBe(n);
  });
});
