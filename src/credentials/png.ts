/** A minimal 1-bit black-and-white PNG writer for QR codes (why not qrcode's PNG: docs/credentials.md). */
import * as zlib from 'node:zlib';
import { deflateRepeatedRows } from './bilevel-deflate.ts';

// Typed as optional: Node 20 gained zlib.crc32 in 20.15.
const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

const CRC_TABLE = new Int32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** CRC-32 (ISO 3309, as PNG chunks use it), table-driven: for Node versions without zlib.crc32. */
export function crc32InJs(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** zlib's own CRC-32 where Node has it (20.15 and later), the table-driven one otherwise. */
const crc32: (bytes: Uint8Array) => number = typeof zlibCrc32 === 'function' ? (bytes) => zlibCrc32(bytes) : crc32InJs;

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  // The CRC covers the chunk type and data (PNG spec 5.3).
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A black-and-white PNG from packed rows (1 = white, MSB first); a row equal to the one above is
 * written as a copy, so callers reuse one row for a QR module's identical pixel rows.
 */
export function encodePackedBilevelPng(width: number, height: number, row: (y: number) => Uint8Array): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError('PNG dimensions must be positive integers');
  const rowBytes = Math.ceil(width / 8);
  const rows: Uint8Array[] = [];
  for (let y = 0; y < height; y++) {
    const packed = row(y);
    if (packed.length !== rowBytes) throw new RangeError(`a packed row of width ${width} is ${rowBytes} bytes`);
    rows.push(packed);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1 /* bit depth */, 0 /* grayscale */, 0 /* deflate */, 0 /* adaptive filters */, 0 /* no interlace */], 8);
  // Every row has filter type 0 (none): a repeated row is a copy in the compressed stream instead.
  const idat = deflateRepeatedRows(rows, 0);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}
