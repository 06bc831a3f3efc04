/** Just enough of PDF 1.4 to print a credential letter: small, deterministic, no rendering dependency. */
import { deflateSync } from 'node:zlib';

/** Advance widths (1/1000 em) of Helvetica for WinAnsi 32..126, from Adobe's AFM. */
const HELVETICA_WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278,
  584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944,
  667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500,
  278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

export type PdfFont = 'Helvetica' | 'Helvetica-Bold' | 'Courier';

/** Text width in points. Bold and Latin-1 letters are approximated by regular Helvetica / 556. */
export function textWidth(text: string, font: PdfFont, size: number): number {
  if (font === 'Courier') return text.length * 0.6 * size;
  let units = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    units += c >= 32 && c <= 126 ? (HELVETICA_WIDTHS[c - 32] ?? 556) : 556;
  }
  return (units / 1000) * size * (font === 'Helvetica-Bold' ? 1.05 : 1);
}

/** Greedy word wrap to `maxWidth` points; a word longer than a line is cut where it overflows. */
export function wrapText(text: string, font: PdfFont, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate, font, size) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    let rest = word;
    while (textWidth(rest, font, size) > maxWidth) {
      let cut = 1;
      while (cut < rest.length && textWidth(rest.slice(0, cut + 1), font, size) <= maxWidth) cut++;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

/** Unicode characters outside Latin-1 that WinAnsiEncoding still has (typographic punctuation, €). */
const WIN_ANSI_EXTRAS: Record<string, number> = {
  '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '™': 0x99,
  'Œ': 0x8c, 'œ': 0x9c, 'Š': 0x8a, 'š': 0x9a, 'Ž': 0x8e, 'ž': 0x9e, 'Ÿ': 0x9f,
};

/**
 * A PDF literal string in WinAnsiEncoding: printable ASCII as is (with `\`, `(` and `)` escaped),
 * Latin-1 and the WinAnsi extras as octal escapes, control characters as spaces, anything the
 * standard fonts cannot show as '?'.
 */
export function pdfString(text: string): string {
  let out = '(';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === '(' || ch === ')') out += '\\' + ch;
    else if (c >= 0x20 && c <= 0x7e) out += ch;
    else if (c < 0x20 || c === 0x7f) out += ' ';
    else {
      const code = c >= 0xa0 && c <= 0xff ? c : WIN_ANSI_EXTRAS[ch];
      out += code === undefined ? '?' : '\\' + code.toString(8).padStart(3, '0');
    }
  }
  return out + ')';
}

export interface PdfStream {
  dict: string;
  data: Uint8Array;
}

// The comment line of high-bit bytes marks the file as binary for transfer tools (PDF spec 7.5.2).
const PDF_HEADER = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1');

/** Object `num` serialised; a stream is Flate-compressed. */
function pdfObject(num: number, obj: string | PdfStream): Buffer {
  if (typeof obj === 'string') return Buffer.from(`${num} 0 obj\n${obj}\nendobj\n`, 'latin1');
  const data = deflateSync(obj.data);
  return Buffer.concat([
    Buffer.from(`${num} 0 obj\n<< ${obj.dict} /Filter /FlateDecode /Length ${data.length} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream\nendobj\n', 'latin1'),
  ]);
}

/** The xref table (offsets[i] is object i+1's) and trailer, for a file whose xref starts at `xrefOffset`. */
function pdfTail(offsets: readonly number[], xrefOffset: number, trailer: { root: number; info?: number }): Buffer {
  // Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, space + LF.
  const entries = ['0000000000 65535 f \n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  const info = trailer.info ? ` /Info ${trailer.info} 0 R` : '';
  return Buffer.from(
    `xref\n0 ${offsets.length + 1}\n${entries}trailer\n<< /Size ${offsets.length + 1} /Root ${trailer.root} 0 R${info} >>\nstartxref\n${xrefOffset}\n%%EOF\n`,
    'latin1',
  );
}

/** Objects 1..n (object i+1 is `objects[i]`), then the xref table and trailer; streams Flate-compressed. */
export function buildPdf(objects: ReadonlyArray<string | PdfStream>, trailer: { root: number; info?: number }): Buffer {
  const chunks: Buffer[] = [PDF_HEADER];
  let length = PDF_HEADER.length;
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(length);
    const b = pdfObject(i + 1, obj);
    chunks.push(b);
    length += b.length;
  });
  chunks.push(pdfTail(offsets, length, trailer));
  return Buffer.concat(chunks);
}

/**
 * A PDF written object by object to a sink, for files too large to hold (every letter of a run):
 * numbers are reserved up front so an object can refer to one written later (a page to its /Pages).
 */
export class PdfWriter {
  private readonly offsets: number[] = [];
  private length = 0;
  private next = 1;
  private tail: Promise<void>;

  constructor(private readonly sink: (chunk: Buffer) => Promise<void>) {
    this.tail = this.emit(PDF_HEADER);
  }

  private emit(chunk: Buffer): Promise<void> {
    this.length += chunk.length;
    return this.sink(chunk);
  }

  reserve(): number {
    return this.next++;
  }

  /** Writes object `num` (reserved); calls are serialised in call order. */
  write(num: number, obj: string | PdfStream): Promise<void> {
    const bytes = pdfObject(num, obj);
    this.tail = this.tail.then(() => {
      this.offsets[num - 1] = this.length;
      return this.emit(bytes);
    });
    return this.tail;
  }

  /** Every reserved object must have been written. */
  async finish(trailer: { root: number; info?: number }): Promise<void> {
    await this.tail;
    for (let i = 0; i < this.next - 1; i++) if (this.offsets[i] === undefined) throw new Error(`PDF object ${i + 1} was reserved but never written`);
    await this.emit(pdfTail(this.offsets, this.length, trailer));
  }
}
