/**
 * The printable credential letter: one A4 page with everything a voter needs, and the QR as a PNG
 * beside each PDF (what `evote vote --letter <png>` reads).
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { buildPdf, pdfString, wrapText, type PdfFont } from './pdf.ts';
import { credentialQrModules, qrModulesPng, QR_MARGIN_MODULES, type QrModules } from './qr.ts';
import { formatFingerprint } from '../crypto/election-fingerprint.ts';

export interface LetterInput {
  electionTheme: string;
  electionId: string;
  /** The election fingerprint (src/crypto/election-fingerprint.ts), 64 hex digits. */
  fingerprint: string;
  voterId: string;
  n1: string;
  n2: string;
  /** The credential URI (credential-uri.ts): the QR code's content. */
  uri: string;
  /** When given, the letter shows exactly this image; otherwise the QR is drawn from its modules. */
  qrPng?: Buffer;
}

const PAGE_WIDTH = 595; // A4 in points (210 mm x 297 mm)
const PAGE_HEIGHT = 842;
const MARGIN = 56; // 2 cm
const TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const QR_SIZE_PT = 198; // 7 cm: scannable from the page by any phone

export const LETTER_INSTRUCTIONS = [
  'Keep this letter private: anyone who holds it can vote in your place.',
  'To vote, scan the QR code with the evote voting application, or run `evote vote --letter <file>` with the PNG image of this code.',
  'N1 is your one-time submission token: it is spent when your ballot is cast, so a credential casts at most one ballot.',
  'N2 is your receipt number: keep it after voting. With it you can check that your ballot is in the public log and how it was counted.',
  'The election fingerprint is the same on every letter of this election and must match the one the election officials publish: auditors check the public log against it (`evote audit --fingerprint`).',
];

export const FINGERPRINT_LABEL = 'Election fingerprint:';

interface Gray8Image {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** One byte per module, 0 = dark, 255 = light, with the 4-module quiet zone around it. */
function qrImageFromModules(qr: QrModules): Gray8Image {
  const side = qr.size + 2 * QR_MARGIN_MODULES;
  const pixels = new Uint8Array(side * side).fill(255);
  for (let row = 0; row < qr.size; row++) {
    for (let col = 0; col < qr.size; col++) {
      if (qr.dark(row, col)) pixels[(row + QR_MARGIN_MODULES) * side + col + QR_MARGIN_MODULES] = 0;
    }
  }
  return { width: side, height: side, pixels };
}

/** The PNG as 8-bit gray (luma, composited over white), so the PDF needs no PNG predictor support. */
function qrImageFromPng(png: Buffer): Gray8Image {
  const image = PNG.sync.read(png);
  const pixels = new Uint8Array(image.width * image.height);
  for (let i = 0; i < pixels.length; i++) {
    const [r, g, b, a] = [image.data[4 * i] ?? 0, image.data[4 * i + 1] ?? 0, image.data[4 * i + 2] ?? 0, image.data[4 * i + 3] ?? 255];
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    pixels[i] = Math.round((luma * a + 255 * (255 - a)) / 255);
  }
  return { width: image.width, height: image.height, pixels };
}

class ContentWriter {
  private ops: string[] = [];
  private y = PAGE_HEIGHT - MARGIN;
  private static fontRef: Record<PdfFont, string> = { Helvetica: '/F1', 'Helvetica-Bold': '/F2', Courier: '/F3' };

  text(text: string, font: PdfFont, size: number, opts: { gapAfter?: number; x?: number; width?: number } = {}): void {
    const x = opts.x ?? MARGIN;
    const leading = size * 1.3;
    for (const line of wrapText(text, font, size, opts.width ?? TEXT_WIDTH)) {
      this.y -= leading;
      this.ops.push(`BT ${ContentWriter.fontRef[font]} ${size} Tf ${x} ${this.y.toFixed(2)} Td ${pdfString(line)} Tj ET`);
    }
    this.y -= opts.gapAfter ?? 0;
  }

  /** Draws image /QR as a square of `size` points whose top edge is at the current line. */
  image(size: number, x: number): void {
    this.y -= size;
    this.ops.push(`q ${size} 0 0 ${size} ${x} ${this.y.toFixed(2)} cm /QR Do Q`);
  }

  gap(points: number): void {
    this.y -= points;
  }

  toBytes(): Uint8Array {
    return Buffer.from(this.ops.join('\n') + '\n', 'latin1');
  }
}

export function renderLetterPdf(letter: LetterInput): Buffer {
  return renderPdf(letter, letter.qrPng ? qrImageFromPng(letter.qrPng) : qrImageFromModules(credentialQrModules(letter.uri)));
}

function renderPdf(letter: LetterInput, qr: Gray8Image): Buffer {
  const page = new ContentWriter();
  page.text('Your voting credential', 'Helvetica-Bold', 18, { gapAfter: 6 });
  page.text(letter.electionTheme, 'Helvetica-Bold', 13, { gapAfter: 2 });
  page.text(`Election: ${letter.electionId}`, 'Helvetica', 10, { gapAfter: 2 });
  page.text(FINGERPRINT_LABEL, 'Helvetica', 10);
  page.text(formatFingerprint(letter.fingerprint), 'Courier', 10, { gapAfter: 12 });
  LETTER_INSTRUCTIONS.forEach((line, i) => page.text(`${i + 1}. ${line}`, 'Helvetica', 11, { gapAfter: 4 }));
  page.gap(10);
  page.text(`Voter id: ${letter.voterId}`, 'Courier', 11, { gapAfter: 3 });
  page.text(`N1 (submission token): ${letter.n1}`, 'Courier', 11, { gapAfter: 3 });
  page.text(`N2 (receipt number):   ${letter.n2}`, 'Courier', 11, { gapAfter: 12 });
  page.image(QR_SIZE_PT, (PAGE_WIDTH - QR_SIZE_PT) / 2);
  page.gap(14);
  page.text('If the QR code cannot be scanned, enter this credential in the voting application:', 'Helvetica', 10, { gapAfter: 2 });
  page.text(letter.uri, 'Courier', 8);

  const fontDict = (name: string) => `<< /Type /Font /Subtype /Type1 /BaseFont /${name} /Encoding /WinAnsiEncoding >>`;
  return buildPdf(
    [
      /* 1 */ '<< /Type /Catalog /Pages 2 0 R >>',
      /* 2 */ '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      /* 3 */ `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] /Resources << /Font << /F1 4 0 R /F2 5 0 R /F3 6 0 R >> /XObject << /QR 7 0 R >> /ProcSet [/PDF /Text /ImageB] >> /Contents 8 0 R >>`,
      /* 4 */ fontDict('Helvetica'),
      /* 5 */ fontDict('Helvetica-Bold'),
      /* 6 */ fontDict('Courier'),
      // Interpolate false: viewers scale the modules with hard edges instead of blurring them.
      /* 7 */ {
        dict: `/Type /XObject /Subtype /Image /Width ${qr.width} /Height ${qr.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Interpolate false`,
        data: qr.pixels,
      },
      /* 8 */ { dict: '', data: page.toBytes() },
      /* 9 */ `<< /Title ${pdfString('Voting credential')} /Producer ${pdfString('evote')} >>`,
    ],
    { root: 1, info: 9 },
  );
}

const FILE_SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface LetterFiles {
  voterId: string;
  pdf: string;
  png: string;
}

/** A letter's PDF (modules drawn, sharp at any size) and PNG from one QR encoding. */
export function renderLetterFiles(letter: LetterInput): { pdf: Buffer; png: Buffer } {
  const qr = credentialQrModules(letter.uri);
  return { pdf: renderPdf(letter, qrImageFromModules(qr)), png: letter.qrPng ?? qrModulesPng(qr) };
}

/**
 * Writes `<voterId>.pdf` and `<voterId>.png` for each letter into `dir` (created 0700; files 0600:
 * each one is a voter's credential). Voter ids must be file-name safe (no path tricks).
 */
export async function writeLetters(dir: string, letters: Iterable<LetterInput>): Promise<LetterFiles[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: LetterFiles[] = [];
  for (const letter of letters) {
    if (!FILE_SAFE_ID.test(letter.voterId)) throw new RangeError('a voter id used as a file name is 1-64 letters, digits, - or _');
    const { pdf, png } = renderLetterFiles(letter);
    const files = { voterId: letter.voterId, pdf: join(dir, `${letter.voterId}.pdf`), png: join(dir, `${letter.voterId}.png`) };
    await writeFile(files.pdf, pdf, { mode: 0o600 });
    await writeFile(files.png, png, { mode: 0o600 });
    // writeFile's mode applies only when it creates the file: an existing file keeps its own.
    await Promise.all([chmod(files.pdf, 0o600), chmod(files.png, 0o600)]);
    written.push(files);
  }
  return written;
}
