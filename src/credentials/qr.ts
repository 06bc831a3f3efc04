/** The credential QR code: error correction M, 4-module quiet zone, 8 pixels per module (docs/credentials.md). */
import QRCode from 'qrcode';
import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import { encodePackedBilevelPng } from './png.ts';
import { qrcodeSegments } from './qr-segments.ts';
import { chooseMask } from './qr-mask.ts';
import { qrSymbolWithMask0 } from './qr-symbol.ts';

// jsqr is CommonJS typed as an ES default export: under NodeNext the default import is the module
// object, whose `default` is the function (at runtime both are callable).
const jsQR = jsQRModule.default;

export const QR_ERROR_CORRECTION = 'M' as const;
export const QR_MARGIN_MODULES = 4;
export const QR_PIXELS_PER_MODULE = 8;

export interface QrModules {
  /** Modules per side, without the quiet zone. */
  size: number;
  /** size x size modules, row-major, 1 = dark. */
  data: Uint8Array;
  dark(row: number, col: number): boolean;
}

/** The modules exactly as `QRCode.create(uri, { errorCorrectionLevel: 'M' })` encodes them, several times faster. */
export function credentialQrModules(uri: string): QrModules {
  const segments = qrcodeSegments(uri);
  const symbol = segments && qrSymbolWithMask0(segments);
  // Kanji mode on, or more than version 40 holds: qrcode itself (which refuses the latter clearly).
  const built = symbol ?? qrcodeWithMask0(uri);
  const { size, data } = chooseMask(built.size, built.data, built.reserved);
  return { size, data, dark: (row, col) => data[row * size + col] === 1 };
}

function qrcodeWithMask0(uri: string): { size: number; data: Uint8Array; reserved: Uint8Array } {
  const { modules } = QRCode.create(uri, { errorCorrectionLevel: QR_ERROR_CORRECTION, maskPattern: 0 });
  return { size: modules.size, data: modules.data, reserved: modules.reservedBit };
}

/** The modules as a black-and-white PNG, quiet zone included (see png.ts for why not qrcode's PNG). */
export function qrModulesPng(qr: QrModules, pixelsPerModule = QR_PIXELS_PER_MODULE): Buffer {
  const side = (qr.size + 2 * QR_MARGIN_MODULES) * pixelsPerModule;
  const rowBytes = Math.ceil(side / 8);
  const blank = new Uint8Array(rowBytes).fill(0xff);
  const { size, data } = qr;
  // Each module row becomes pixelsPerModule identical pixel rows: packed once, reused.
  const packed: Uint8Array[] = [];
  for (let moduleRow = 0; moduleRow < size; moduleRow++) {
    const row = blank.slice();
    const offset = moduleRow * size;
    if (pixelsPerModule === 8) {
      // The usual case: one module is exactly one byte of the packed row, 0x00 if dark (1 - 1),
      // 0xff if light (0 - 1 wraps to 255 in a Uint8Array): no branch per module.
      for (let col = 0; col < size; col++) row[col + QR_MARGIN_MODULES] = (data[offset + col] as number) - 1;
    } else {
      for (let col = 0; col < size; col++) {
        if (data[offset + col] !== 1) continue;
        const x0 = (col + QR_MARGIN_MODULES) * pixelsPerModule;
        for (let x = x0; x < x0 + pixelsPerModule; x++) row[x >> 3]! &= ~(0x80 >> (x & 7));
      }
    }
    packed.push(row);
  }
  return encodePackedBilevelPng(side, side, (y) => packed[Math.floor(y / pixelsPerModule) - QR_MARGIN_MODULES] ?? blank);
}

export async function credentialQrPng(uri: string): Promise<Buffer> {
  return qrModulesPng(credentialQrModules(uri));
}

/** A standalone SVG (viewBox in modules, crisp edges); scales to any print size without loss. */
export async function credentialQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: QR_ERROR_CORRECTION, margin: QR_MARGIN_MODULES });
}

/** The text of the first QR code found in a PNG, or undefined (no code, or not a PNG). */
export function decodeQrPng(png: Buffer): string | undefined {
  try {
    const image = PNG.sync.read(png);
    const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.byteLength);
    return jsQR(pixels, image.width, image.height)?.data;
  } catch {
    return undefined;
  }
}
