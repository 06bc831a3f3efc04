/**
 * The bilevel PNG writer and its deflate stream, checked by zlib's own inflate (which also checks
 * the Adler-32) and by pngjs (which checks every chunk's CRC and decodes the pixels).
 */
import * as zlib from 'node:zlib';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { deflateRepeatedRows } from '../../src/credentials/bilevel-deflate.ts';
import { crc32InJs, encodePackedBilevelPng } from '../../src/credentials/png.ts';
import { mulberry32 } from '../support/prng.ts';

const random = mulberry32(20261123);

/** `count` rows of `bytes` bytes: runs of repeats (the same array or an equal copy), QR-like bytes or any bytes. */
function randomRows(bytes: number, count: number): Uint8Array[] {
  const rows: Uint8Array[] = [];
  for (let y = 0; y < count; y++) {
    const above = rows[y - 1];
    const pick = random();
    if (above && pick < 0.4) rows.push(above);
    else if (above && pick < 0.6) rows.push(above.slice());
    else rows.push(Uint8Array.from({ length: bytes }, () => (random() < 0.8 ? (random() < 0.5 ? 0x00 : 0xff) : Math.floor(random() * 256))));
  }
  return rows;
}

const filtered = (rows: Uint8Array[], filterByte: number) => Buffer.concat(rows.flatMap((r) => [Buffer.from([filterByte]), Buffer.from(r)]));

describe('deflate stream of repeated rows', () => {
  it('inflates with zlib to exactly the filtered rows, for row sizes around every boundary', () => {
    // 1-2 bytes: rows too short to copy; 257-259: copies split at 258; 32,767: the largest distance.
    for (const bytes of [1, 2, 3, 7, 8, 73, 256, 257, 258, 259, 600, 32_767]) {
      for (const filterByte of [0, 2]) {
        const rows = randomRows(bytes, bytes > 1000 ? 6 : 60);
        expect(inflateSync(deflateRepeatedRows(rows, filterByte)).equals(filtered(rows, filterByte)), `${bytes} bytes per row`).toBe(true);
      }
    }
  });

  it('keeps the Adler-32 exact over thousands of repeats of large rows', () => {
    const row = Uint8Array.from({ length: 4_000 }, () => 0xff);
    const rows = [row, ...Array.from({ length: 3_000 }, () => row), Uint8Array.from({ length: 4_000 }, () => 0xfe)];
    expect(inflateSync(deflateRepeatedRows(rows, 0)).equals(filtered(rows, 0))).toBe(true);
  });

  it('refuses rows of different lengths, none at all, or rows longer than a deflate distance', () => {
    expect(() => deflateRepeatedRows([new Uint8Array(3), new Uint8Array(4)], 0)).toThrow(RangeError);
    expect(() => deflateRepeatedRows([], 0)).toThrow(RangeError);
    expect(() => deflateRepeatedRows([new Uint8Array(32_768)], 0)).toThrow(RangeError);
  });
});

describe('bilevel PNG', () => {
  it('decodes with pngjs (CRCs checked) to the given pixels, for widths that do and do not fill whole bytes', () => {
    for (const [width, height] of [[1, 1], [8, 3], [13, 40], [584, 584]] as const) {
      const rows = randomRows(Math.ceil(width / 8), height);
      const png = PNG.sync.read(encodePackedBilevelPng(width, height, (y) => rows[y] as Uint8Array), { checkCRC: true } as never);
      expect([png.width, png.height]).toEqual([width, height]);
      const wrong: string[] = [];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const white = (((rows[y] as Uint8Array)[x >> 3] as number) >> (7 - (x & 7))) & 1;
          if (png.data[4 * (y * width + x)] !== (white ? 255 : 0)) wrong.push(`${x},${y}`);
        }
      }
      expect(wrong, `pixels of ${width}x${height}`).toEqual([]);
    }
  });

  it("the table-driven CRC-32 (Node before 20.15) equals zlib's on random data and PNG's own IEND vector", () => {
    // IEND with no data: its CRC is AE 42 60 82 in every PNG file.
    expect(crc32InJs(new Uint8Array(Buffer.from('IEND', 'latin1')))).toBe(0xae426082);
    const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
    if (!zlibCrc32) return;
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 3000) }, () => Math.floor(random() * 256));
      expect(crc32InJs(bytes)).toBe(zlibCrc32(bytes));
    }
  });
});
