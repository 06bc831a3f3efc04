/**
 * The printable credential letter: one A4 page with everything a voter needs, and the QR as a PNG
 * beside each PDF (what `evote vote --letter <png>` reads).
 */
import { chmod, mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { buildPdf, pdfString, PdfWriter, wrapText, type PdfFont, type PdfStream } from './pdf.ts';
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

/** The page's content stream: everything drawn on one letter (the QR is image /QR). */
function letterContent(letter: LetterInput): Uint8Array {
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
  return page.toBytes();
}

const FONTS = ['Helvetica', 'Helvetica-Bold', 'Courier'] as const;
const fontDict = (name: string) => `<< /Type /Font /Subtype /Type1 /BaseFont /${name} /Encoding /WinAnsiEncoding >>`;
const INFO = `<< /Title ${pdfString('Voting credential')} /Producer ${pdfString('evote')} >>`;

/** The object numbers one page refers to: its /Pages parent, the three fonts (F1-F3), its QR image and content. */
interface PageRefs {
  parent: number;
  fonts: readonly [number, number, number];
  image: number;
  content: number;
}

/** One letter's page dictionary, QR image and content stream. */
function letterPageObjects(letter: LetterInput, qr: Gray8Image, refs: PageRefs): { page: string; image: PdfStream; content: PdfStream } {
  const [f1, f2, f3] = refs.fonts;
  return {
    page: `<< /Type /Page /Parent ${refs.parent} 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] /Resources << /Font << /F1 ${f1} 0 R /F2 ${f2} 0 R /F3 ${f3} 0 R >> /XObject << /QR ${refs.image} 0 R >> /ProcSet [/PDF /Text /ImageB] >> /Contents ${refs.content} 0 R >>`,
    // Interpolate false: viewers scale the modules with hard edges instead of blurring them.
    image: {
      dict: `/Type /XObject /Subtype /Image /Width ${qr.width} /Height ${qr.height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Interpolate false`,
      data: qr.pixels,
    },
    content: { dict: '', data: letterContent(letter) },
  };
}

function renderPdf(letter: LetterInput, qr: Gray8Image): Buffer {
  const { page, image, content } = letterPageObjects(letter, qr, { parent: 2, fonts: [4, 5, 6], image: 7, content: 8 });
  return buildPdf(
    [
      /* 1 */ '<< /Type /Catalog /Pages 2 0 R >>',
      /* 2 */ '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      /* 3 */ page,
      /* 4-6 */ ...FONTS.map(fontDict),
      /* 7 */ image,
      /* 8 */ content,
      /* 9 */ INFO,
    ],
    { root: 1, info: 9 },
  );
}

/** Every letter of one issuance run in one printable PDF, a page per letter, written as letters come. */
export interface LettersPdf {
  readonly path: string;
  /** Appends the letter's page; calls may overlap (pages keep call order). */
  add(letter: LetterInput): Promise<void>;
  /** Writes the page tree and closes the file; the number of pages. */
  close(): Promise<number>;
  /** Closes and deletes an unfinished file. */
  discard(): Promise<void>;
}

/** Creates `path` (0600: every page is a credential) for a multi-page letters PDF. */
export async function openLettersPdf(path: string): Promise<LettersPdf> {
  const file = await open(path, 'wx', 0o600);
  const writer = new PdfWriter(async (chunk) => {
    await file.write(chunk);
  });
  const catalog = writer.reserve();
  const pages = writer.reserve();
  const fonts = [writer.reserve(), writer.reserve(), writer.reserve()] as const;
  const info = writer.reserve();
  const kids: number[] = [];
  let closed = false;
  return {
    path,
    async add(letter) {
      const refs = { parent: pages, fonts, image: writer.reserve(), content: writer.reserve() };
      const pageNum = writer.reserve();
      kids.push(pageNum);
      const objects = letterPageObjects(letter, qrImageFromModules(credentialQrModules(letter.uri)), refs);
      await Promise.all([writer.write(pageNum, objects.page), writer.write(refs.image, objects.image), writer.write(refs.content, objects.content)]);
    },
    async close() {
      closed = true;
      try {
        await writer.write(pages, `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`);
        await writer.write(catalog, `<< /Type /Catalog /Pages ${pages} 0 R >>`);
        await Promise.all(FONTS.map((name, i) => writer.write(fonts[i] as number, fontDict(name))));
        await writer.write(info, INFO);
        await writer.finish({ root: catalog, info });
      } finally {
        await file.close();
      }
      return kids.length;
    },
    async discard() {
      if (!closed) await file.close().catch(() => undefined);
      closed = true;
      await rm(path, { force: true });
    },
  };
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
