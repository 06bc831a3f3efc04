/**
 * The standard's QR mask choice (lowest penalty N1-N4, lower mask on a tie), computed as `qrcode`
 * does but on typed arrays: each candidate is the mask-0 symbol XOR a precomputed table.
 */
import formatInfoModule from 'qrcode/lib/core/format-info.js';
import ecLevelModule from 'qrcode/lib/core/error-correction-level.js';
import { packLines, symbolPenalty } from './qr-penalty.ts';

const FormatInfo = formatInfoModule as { getEncodedBits(level: unknown, mask: number): number };
const ECLevel = ecLevelModule as { M: unknown };

/** A finished symbol: `size` x `size` modules, row-major, 1 = dark. */
export interface QrBits {
  size: number;
  data: Uint8Array;
  maskPattern: number;
}

const MASK_COUNT = 8;

/** ISO/IEC 18004 table 10, as qrcode's getMaskAt (i = row, j = column). */
function maskAt(p: number, i: number, j: number): boolean {
  switch (p) {
    case 0: return (i + j) % 2 === 0; // prettier-ignore
    case 1: return i % 2 === 0; // prettier-ignore
    case 2: return j % 3 === 0; // prettier-ignore
    case 3: return (i + j) % 3 === 0; // prettier-ignore
    case 4: return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0; // prettier-ignore
    case 5: return ((i * j) % 2) + ((i * j) % 3) === 0; // prettier-ignore
    case 6: return (((i * j) % 2) + ((i * j) % 3)) % 2 === 0; // prettier-ignore
    default: return (((i * j) % 3) + ((i + j) % 2)) % 2 === 0; // prettier-ignore
  }
}

/** The 30 format-information module indexes, in qrcode's setupFormatInfo order (bit i, vertical then horizontal). */
function formatPositions(size: number): Int32Array {
  const at = new Int32Array(30);
  for (let i = 0; i < 15; i++) {
    const vRow = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
    const hCol = i < 8 ? size - i - 1 : i < 9 ? 15 - i : 15 - i - 1;
    at[2 * i] = vRow * size + 8;
    at[2 * i + 1] = 8 * size + hCol;
  }
  return at;
}

interface SizeTables {
  /** Per mask p: where the symbol built with mask p differs from mask 0's, so candidate p = symbol 0 XOR flip[p]. */
  flip: Uint8Array[];
  /** The same, packed for qr-penalty.ts: rows, and columns (the tables transposed). */
  flipRows: Int32Array[];
  flipCols: Int32Array[];
}

// Per symbol size (one version each): a handful of entries at most.
const tables = new Map<number, SizeTables>();

function transpose(m: Uint8Array, size: number, into = new Uint8Array(size * size)): Uint8Array {
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) into[c * size + r] = m[r * size + c] as number;
  return into;
}

function tablesFor(size: number, reserved: Uint8Array): SizeTables {
  let t = tables.get(size);
  if (!t) {
    const format = formatPositions(size);
    const format0 = FormatInfo.getEncodedBits(ECLevel.M, 0);
    const flip = Array.from({ length: MASK_COUNT }, (_, p) => {
      const f = new Uint8Array(size * size);
      for (let r = 0; r < size; r++) {
        for (let c = 0; c < size; c++) if (!reserved[r * size + c] && maskAt(0, r, c) !== maskAt(p, r, c)) f[r * size + c] = 1;
      }
      const differs = format0 ^ FormatInfo.getEncodedBits(ECLevel.M, p);
      for (let i = 0; i < 15; i++) {
        const bit = (differs >> i) & 1;
        f[format[2 * i] as number] = bit;
        f[format[2 * i + 1] as number] = bit;
      }
      return f;
    });
    tables.set(size, (t = { flip, flipRows: flip.map((f) => packLines(f, size)), flipCols: flip.map((f) => packLines(transpose(f, size), size)) }));
  }
  return t;
}

/** The symbol with the standard's mask, from the same symbol as qrcode leaves it with mask 0. */
export function chooseMask(size: number, maskedWith0: Uint8Array, reserved: Uint8Array): QrBits {
  const { flip, flipRows, flipCols } = tablesFor(size, reserved);
  const rows = packLines(maskedWith0, size);
  const cols = packLines(transpose(maskedWith0, size), size);
  let bestPattern = 0;
  let lowest = Infinity;
  for (let p = 0; p < MASK_COUNT; p++) {
    const penalty = symbolPenalty(rows, flipRows[p] as Int32Array, cols, flipCols[p] as Int32Array, size);
    // Strictly lower, as qrcode: on a tie the lower mask number stays.
    if (penalty < lowest) {
      lowest = penalty;
      bestPattern = p;
    }
  }
  const f = flip[bestPattern] as Uint8Array;
  const data = new Uint8Array(maskedWith0.length);
  for (let i = 0; i < data.length; i++) data[i] = (maskedWith0[i] as number) ^ (f[i] as number);
  return { size, data, maskPattern: bestPattern };
}
