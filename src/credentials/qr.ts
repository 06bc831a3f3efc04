/**
 * The credential QR code. Error correction M (15% of the modules may be damaged: a creased or
 * smudged letter still scans), the standard 4-module quiet zone, and 8 pixels per module, which
 * keeps a ~250-character URI (version 11-12, about 65 modules) near 600 px: comfortably decodable
 * from a screen, a print or a phone photo.
 */
import QRCode from 'qrcode';
import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import { encodePackedBilevelPng } from './png.ts';

// jsqr is CommonJS typed as an ES default export: under NodeNext the default import is the module
// object, whose `default` is the function (at runtime both are callable).
const jsQR = jsQRModule.default;

export const QR_ERROR_CORRECTION = 'M' as const;
export const QR_MARGIN_MODULES = 4;
export const QR_PIXELS_PER_MODULE = 8;

export interface QrModules {
  /** Modules per side, without the quiet zone. */
  size: number;
  dark(row: number, col: number): boolean;
}

/** The QR's modules as `qrcode` encodes them (level M, mask chosen by the standard's penalty rules). */
export function credentialQrModules(uri: string): QrModules {
  const { modules } = QRCode.create(uri, { errorCorrectionLevel: QR_ERROR_CORRECTION });
  return { size: modules.size, dark: (row, col) => modules.get(row, col) === 1 };
}

/** The modules as a black-and-white PNG, quiet zone included (see png.ts for why not qrcode's PNG). */
export function qrModulesPng(qr: QrModules, pixelsPerModule = QR_PIXELS_PER_MODULE): Buffer {
  const side = (qr.size + 2 * QR_MARGIN_MODULES) * pixelsPerModule;
  // Each module row becomes pixelsPerModule identical pixel rows: pack it once, reuse it.
  const packedRows = new Map<number, Uint8Array>();
  const packRow = (moduleRow: number): Uint8Array => {
    const packed = new Uint8Array(Math.ceil(side / 8)).fill(0xff);
    for (let col = 0; col < qr.size; col++) {
      if (!qr.dark(moduleRow, col)) continue;
      const x0 = (col + QR_MARGIN_MODULES) * pixelsPerModule;
      for (let x = x0; x < x0 + pixelsPerModule; x++) packed[x >> 3]! &= ~(0x80 >> (x & 7));
    }
    return packed;
  };
  const blank = new Uint8Array(Math.ceil(side / 8)).fill(0xff);
  return encodePackedBilevelPng(side, side, (y) => {
    const moduleRow = Math.floor(y / pixelsPerModule) - QR_MARGIN_MODULES;
    if (moduleRow < 0 || moduleRow >= qr.size) return blank;
    let packed = packedRows.get(moduleRow);
    if (!packed) packedRows.set(moduleRow, (packed = packRow(moduleRow)));
    return packed;
  });
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
