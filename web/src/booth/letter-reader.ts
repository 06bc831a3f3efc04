/**
 * Reading the credential off a voter's letter in the browser: from pixels (camera frame or picture)
 * with jsQR, from the letter's PDF (its /QR image XObject, inflated with DecompressionStream), or
 * from the credential URI typed or pasted from the letter. Every failure is EvoteError('INVALID_LETTER')
 * and its message never holds what was read.
 */
import jsQRModule from 'jsqr';
import { EvoteError } from '../shared/connection.ts';
import { parseCredential, type Credential } from './vote-flow.ts';

// jsqr is CommonJS typed as an ES default export: depending on the bundler the default import is the function or the module.
type JsQr = (data: Uint8ClampedArray, width: number, height: number, opts?: { inversionAttempts?: 'dontInvert' | 'onlyInvert' | 'attemptBoth' | 'invertFirst' }) => { data: string } | null;
const jsQR: JsQr = typeof jsQRModule === 'function' ? (jsQRModule as unknown as JsQr) : (jsQRModule as unknown as { default: JsQr }).default;

/** RGBA pixels, 4 bytes a pixel, row by row (what a canvas's getImageData gives). */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

const letterError = (message: string) => new EvoteError('INVALID_LETTER', message);

/** The text of the QR code in the image, or null when none is readable (for a camera loop: try the next frame). */
export function qrTextFromPixels(image: Pixels): string | null {
  const { data, width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || data.length !== width * height * 4) {
    throw letterError('the image is not RGBA pixels of its stated size');
  }
  return jsQR(data, width, height)?.data ?? null;
}

/** The credential of the QR code in the image; INVALID_LETTER when there is none or it is not a credential. */
export function credentialFromPixels(image: Pixels): Credential {
  const text = qrTextFromPixels(image);
  if (text === null) throw letterError('no readable QR code in the image');
  return parseCredential(text);
}

/**
 * The credential URI as the voter typed or pasted it from the letter: surrounding space and the line
 * breaks (and indentation) the letter's wrapping put inside it are removed; a URI has no spaces.
 */
export function credentialFromText(text: string): Credential {
  if (typeof text !== 'string' || text.length > 4096) throw letterError('a credential is at most a few hundred characters');
  return parseCredential(text.replace(/\s+/g, ''));
}

/** PDF bytes as a string of one char per byte, so offsets in the text are offsets in the bytes. */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Smallest side jsQR reads reliably; the letter's image has one pixel per module. */
const MIN_SIDE = 400;

/**
 * 8-bit gray to RGBA, scaled up by a whole factor (nearest neighbour, so modules keep hard edges)
 * until about MIN_SIDE pixels, inside a white quiet zone of 4 modules' worth.
 */
function grayToRgba(gray: Uint8Array, width: number, height: number): Pixels {
  const scale = Math.max(1, Math.ceil(MIN_SIDE / Math.min(width, height)));
  const pad = 4 * scale;
  const outW = width * scale + 2 * pad;
  const outH = height * scale + 2 * pad;
  const data = new Uint8ClampedArray(outW * outH * 4).fill(255);
  for (let y = 0; y < height * scale; y++) {
    const srcRow = Math.floor(y / scale) * width;
    let at = ((y + pad) * outW + pad) * 4;
    for (let x = 0; x < width * scale; x++, at += 4) {
      const v = gray[srcRow + Math.floor(x / scale)] as number;
      data[at] = v;
      data[at + 1] = v;
      data[at + 2] = v;
    }
  }
  return { data, width: outW, height: outH };
}

/**
 * The QR image of a credential letter's PDF (src/credentials/letter.ts: the page's XObject /QR, 8-bit
 * DeviceGray, FlateDecode), inflated and returned as RGBA pixels ready for credentialFromPixels.
 */
export async function qrImageFromPdf(bytes: Uint8Array): Promise<Pixels> {
  const text = latin1(bytes);
  if (!text.startsWith('%PDF-')) throw letterError('the file is not a PDF');
  const ref = /\/XObject\s*<<[^>]*?\/QR\s+(\d+)\s+(\d+)\s+R/.exec(text);
  if (!ref) throw letterError('the PDF is not a credential letter (no QR image)');
  const head = new RegExp(`(?:^|[\\r\\n])${ref[1]}\\s+${ref[2]}\\s+obj\\s*<<`).exec(text);
  if (!head) throw letterError('the PDF is damaged (its QR image is missing)');
  const dictStart = head.index + head[0].length;
  const dictEnd = text.indexOf('>>', dictStart);
  const streamKw = /stream\r?\n/.exec(text.slice(dictEnd, dictEnd + 64));
  if (dictEnd < 0 || !streamKw) throw letterError('the PDF is damaged (its QR image has no data)');
  const dict = text.slice(dictStart, dictEnd);
  const num = (name: string) => {
    const m = new RegExp(`/${name}\\s+(\\d+)(?![\\d\\s]*R)`).exec(dict);
    return m ? Number(m[1]) : NaN;
  };
  const width = num('Width');
  const height = num('Height');
  const length = num('Length');
  if (!/\/Subtype\s*\/Image/.test(dict) || !/\/ColorSpace\s*\/DeviceGray/.test(dict) || num('BitsPerComponent') !== 8 || !/\/Filter\s*\/FlateDecode/.test(dict)) {
    throw letterError('the PDF’s QR image is not in the letter’s format (8-bit gray, Flate)');
  }
  if (!(width >= 21 && height >= 21 && width <= 4096 && height <= 4096) || !(length > 0)) throw letterError('the PDF’s QR image has an impossible size');
  const dataStart = dictEnd + streamKw.index + streamKw[0].length;
  if (dataStart + length > bytes.length) throw letterError('the PDF is truncated');
  let gray: Uint8Array;
  try {
    gray = await inflate(bytes.subarray(dataStart, dataStart + length));
  } catch {
    throw letterError('the PDF’s QR image does not decompress');
  }
  if (gray.length !== width * height) throw letterError('the PDF’s QR image has the wrong number of pixels');
  return grayToRgba(gray, width, height);
}

/** The credential of a letter's PDF. */
export async function credentialFromPdf(bytes: Uint8Array): Promise<Credential> {
  return credentialFromPixels(await qrImageFromPdf(bytes));
}

/**
 * The credential in a file the voter picked: the letter's PDF, a picture of its QR code (PNG, JPEG…,
 * decoded by the browser: createImageBitmap and OffscreenCanvas), or a text file holding the URI.
 */
export async function credentialFromFile(file: Blob): Promise<Credential> {
  if (file.size > 20 * 1024 * 1024) throw letterError('the file is too large to be a credential letter');
  const bytes = new Uint8Array(await file.arrayBuffer());
  const magic = latin1(bytes.subarray(0, 5));
  if (magic === '%PDF-') return credentialFromPdf(bytes);
  if (magic.startsWith('evote') || /^\s*evote:/.test(new TextDecoder().decode(bytes.subarray(0, 64)))) return credentialFromText(new TextDecoder().decode(bytes));
  // Through globalThis so this file also type-checks under Node's types (tests), which lack these browser names.
  const g = globalThis as unknown as {
    createImageBitmap?: (b: Blob) => Promise<{ width: number; height: number; close(): void }>;
    OffscreenCanvas?: new (w: number, h: number) => { width: number; height: number; getContext(kind: '2d'): { drawImage(i: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): Pixels } | null };
  };
  if (!g.createImageBitmap || !g.OffscreenCanvas) throw letterError('this browser cannot read pictures: use the letter’s PDF or type the credential');
  let bitmap: { width: number; height: number; close(): void };
  try {
    bitmap = await g.createImageBitmap(file);
  } catch {
    throw letterError('the file is neither a letter PDF, nor a picture, nor a credential');
  }
  const canvas = new g.OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw letterError('this browser cannot read pictures: use the letter’s PDF or type the credential');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return credentialFromPixels(ctx.getImageData(0, 0, canvas.width, canvas.height));
}
