/**
 * Reads the pages of a PDF written by src/credentials (uncompressed xref table, Flate streams) by its
 * xref offsets, and decodes each page's QR image (the /QR image XObject, 8-bit gray) with jsQR.
 */
import { inflateSync } from 'node:zlib';
import jsQRModule from 'jsqr';

const jsQR = jsQRModule.default;

interface PdfObject {
  dict: string;
  stream?: Buffer;
}

export function readPdfObjects(pdf: Buffer): { objects: Map<number, PdfObject>; root: number } {
  const text = pdf.toString('latin1');
  const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  const header = /^xref\n0 (\d+)\n/.exec(text.slice(xrefAt));
  if (!header) throw new Error('no xref table at startxref');
  const count = Number(header[1]);
  const objects = new Map<number, PdfObject>();
  for (let i = 1; i < count; i++) {
    const entry = text.slice(xrefAt + header[0].length + 20 * i, xrefAt + header[0].length + 20 * (i + 1));
    const offset = Number(entry.slice(0, 10));
    const head = `${i} 0 obj\n`;
    if (text.slice(offset, offset + head.length) !== head) throw new Error(`object ${i} is not at its xref offset`);
    const body = text.slice(offset + head.length);
    const streamAt = body.indexOf('\nstream\n');
    const endAt = body.indexOf('\nendobj\n');
    if (streamAt >= 0 && streamAt < endAt) {
      const dict = body.slice(0, streamAt);
      const length = Number(/\/Length (\d+)/.exec(dict)![1]);
      const start = offset + head.length + streamAt + '\nstream\n'.length;
      const raw = pdf.subarray(start, start + length);
      objects.set(i, { dict, stream: /\/FlateDecode/.test(dict) ? inflateSync(raw) : raw });
    } else objects.set(i, { dict: body.slice(0, endAt) });
  }
  const root = Number(/\/Root (\d+) 0 R/.exec(text.slice(xrefAt))![1]);
  return { objects, root };
}

export interface PdfPage {
  /** The page's text lines, as drawn. */
  text: string[];
  /** The QR image decoded, or undefined. */
  qr: string | undefined;
}

/** Pages in /Kids order, each with its text and its decoded QR. */
export function readPdfPages(pdf: Buffer): { count: number; pages: PdfPage[] } {
  const { objects, root } = readPdfObjects(pdf);
  const pagesRef = Number(/\/Pages (\d+) 0 R/.exec(objects.get(root)!.dict)![1]);
  const pagesDict = objects.get(pagesRef)!.dict;
  const count = Number(/\/Count (\d+)/.exec(pagesDict)![1]);
  const kids = [...pagesDict.matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  const pages = kids.map((ref) => {
    const dict = objects.get(ref)!.dict;
    if (!/\/Type \/Page\b/.test(dict)) throw new Error(`kid ${ref} is not a page`);
    const content = objects.get(Number(/\/Contents (\d+) 0 R/.exec(dict)![1]))!.stream!.toString('latin1');
    const image = objects.get(Number(/\/QR (\d+) 0 R/.exec(dict)![1]))!;
    const width = Number(/\/Width (\d+)/.exec(image.dict)![1]);
    const height = Number(/\/Height (\d+)/.exec(image.dict)![1]);
    const text = [...content.matchAll(/\(((?:[^\\)]|\\.)*)\) Tj/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
    return { text, qr: decodeGray({ width, height, pixels: image.stream! }) };
  });
  return { count, pages };
}

/** Scales the gray image up (k px per sample) to RGBA for jsQR. */
function decodeGray(img: { width: number; height: number; pixels: Buffer }, k = 6): string | undefined {
  const w = img.width * k;
  const rgba = new Uint8ClampedArray(w * img.height * k * 4);
  for (let y = 0; y < img.height * k; y++) {
    for (let x = 0; x < w; x++) {
      const v = img.pixels[Math.floor(y / k) * img.width + Math.floor(x / k)]!;
      const at = (y * w + x) * 4;
      rgba[at] = rgba[at + 1] = rgba[at + 2] = v;
      rgba[at + 3] = 255;
    }
  }
  return jsQR(rgba, w, img.height * k)?.data;
}
