/**
 * The QR symbol `QRCode.create(segments, { errorCorrectionLevel: 'M', maskPattern: 0 })` builds,
 * on typed arrays from a per-version template, qrcode's tables used as they are (docs/credentials.md).
 */
import modeModule from 'qrcode/lib/core/mode.js';
import utilsModule from 'qrcode/lib/core/utils.js';
import versionModule from 'qrcode/lib/core/version.js';
import ecLevelModule from 'qrcode/lib/core/error-correction-level.js';
import formatInfoModule from 'qrcode/lib/core/format-info.js';
import ecCodeModule from 'qrcode/lib/core/error-correction-code.js';
import alignmentModule from 'qrcode/lib/core/alignment-pattern.js';
import type { QrMode, QrSegmentInput } from './qr-segments.ts';

const Mode = modeModule as { NUMERIC: QrMode; ALPHANUMERIC: QrMode; BYTE: QrMode; getCharCountIndicator(mode: QrMode, version: number): number };
const Utils = utilsModule as { getSymbolSize(version: number): number; getSymbolTotalCodewords(version: number): number };
const Version = versionModule as { getEncodedBits(version: number): number };
const ECLevel = ecLevelModule as { M: unknown };
const FormatInfo = formatInfoModule as { getEncodedBits(level: unknown, mask: number): number };
const ECCode = ecCodeModule as { getBlocksCount(version: number, level: unknown): number; getTotalCodewordsCount(version: number, level: unknown): number };
const AlignmentPattern = alignmentModule as { getPositions(version: number): [number, number][] };

/** A symbol as qrcode leaves it with maskPattern 0: mask 0 applied, mask 0's format information. */
export interface QrSymbol {
  version: number;
  size: number;
  /** size x size modules, row-major, 1 = dark. */
  data: Uint8Array;
  /** 1 where a module is a function module (not data): what no mask touches. */
  reserved: Uint8Array;
}

// Reed-Solomon over GF(256), primitive polynomial 0x11d.

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255] as number;
}

/** Generator polynomials (x - α^0)...(x - α^(n-1)), coefficients after the leading 1, as logs. */
const generators = new Map<number, Uint8Array>();

function generatorLogs(degree: number): Uint8Array {
  let logs = generators.get(degree);
  if (!logs) {
    let poly = [1];
    for (let i = 0; i < degree; i++) {
      const next = new Array<number>(poly.length + 1).fill(0);
      for (let j = 0; j < poly.length; j++) {
        const c = poly[j] as number;
        next[j] = (next[j] as number) ^ c;
        if (c !== 0) next[j + 1] = (next[j + 1] as number) ^ (EXP[(LOG[c] as number) + i] as number);
      }
      poly = next;
    }
    logs = Uint8Array.from(poly.slice(1), (c) => LOG[c] as number);
    generators.set(degree, logs);
  }
  return logs;
}

/** The `degree` error-correction codewords of a block (the remainder of data·x^degree by the generator). */
function reedSolomon(block: Uint8Array, degree: number): Uint8Array {
  const gen = generatorLogs(degree);
  const ec = new Uint8Array(degree);
  for (let i = 0; i < block.length; i++) {
    const factor = (block[i] as number) ^ (ec[0] as number);
    ec.copyWithin(0, 1);
    ec[degree - 1] = 0;
    if (factor === 0) continue;
    const logFactor = LOG[factor] as number;
    for (let j = 0; j < degree; j++) ec[j] = (ec[j] as number) ^ (EXP[(gen[j] as number) + logFactor] as number);
  }
  return ec;
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

class Bits {
  readonly bytes: Uint8Array;
  length = 0;
  constructor(capacityBytes: number) {
    this.bytes = new Uint8Array(capacityBytes);
  }
  /** Appends the low `count` bits of `value` (count <= 16), most significant first. */
  put(value: number, count: number): void {
    // Shifted to end at a byte boundary, the bits span at most three bytes of the buffer.
    const at = this.length;
    const end = at + count;
    const shift = (8 - (end & 7)) & 7;
    const span = (value & ((1 << count) - 1)) << shift;
    const last = (end - 1) >>> 3;
    const bytes = this.bytes;
    bytes[last] = (bytes[last] as number) | (span & 0xff);
    if (last - 1 >= at >>> 3) bytes[last - 1] = (bytes[last - 1] as number) | ((span >>> 8) & 0xff);
    if (last - 2 >= at >>> 3) bytes[last - 2] = (bytes[last - 2] as number) | ((span >>> 16) & 0xff);
    this.length = end;
  }
}

interface EncodedSegment {
  mode: QrMode;
  /** What the count field holds: digits, characters or bytes. */
  count: number;
  bits: number;
  write(out: Bits): void;
}

/** Data bits of a segment of `length` characters (numeric, alphanumeric) or bytes: qrcode's getSegmentBitsLength. */
export function segmentBitsLength(length: number, mode: QrMode): number {
  if (mode === Mode.NUMERIC) return 10 * Math.floor(length / 3) + (length % 3 ? (length % 3) * 3 + 1 : 0);
  if (mode === Mode.ALPHANUMERIC) return 11 * Math.floor(length / 2) + 6 * (length % 2);
  return length * 8;
}

/** How each mode writes its data (ISO/IEC 18004 7.4.3-7.4.5, as qrcode's NumericData, AlphanumericData, ByteData). */
function dataWriter(mode: QrMode, data: string): { count: number; write(out: Bits): void } {
  const n = data.length;
  if (mode === Mode.NUMERIC) {
    return {
      count: n,
      write(out) {
        let i = 0;
        for (; i + 3 <= n; i += 3) out.put(Number(data.slice(i, i + 3)), 10);
        if (n - i > 0) out.put(Number(data.slice(i)), (n - i) * 3 + 1);
      },
    };
  }
  if (mode === Mode.ALPHANUMERIC) {
    return {
      count: n,
      write(out) {
        let i = 0;
        for (; i + 2 <= n; i += 2) out.put(45 * ALPHANUMERIC.indexOf(data[i] as string) + ALPHANUMERIC.indexOf(data[i + 1] as string), 11);
        if (n % 2) out.put(ALPHANUMERIC.indexOf(data[i] as string), 6);
      },
    };
  }
  if (mode !== Mode.BYTE) throw new RangeError(`QR mode ${mode.id} is not supported here`);
  const bytes = Buffer.from(data, 'utf8');
  return {
    count: bytes.length,
    write(out) {
      for (const b of bytes) out.put(b, 8);
    },
  };
}

function encodeSegment({ data, mode }: QrSegmentInput): EncodedSegment {
  const { count, write } = dataWriter(mode, data);
  return { mode, count, bits: segmentBitsLength(count, mode), write };
}

const dataBitsOf = (version: number) => (Utils.getSymbolTotalCodewords(version) - ECCode.getTotalCodewordsCount(version, ECLevel.M)) * 8;

/** Character capacity of one segment's mode (qrcode's getCapacity for a single-mode text). */
function singleModeCapacity(mode: QrMode, version: number): number {
  const usable = dataBitsOf(version) - (Mode.getCharCountIndicator(mode, version) + 4);
  if (mode === Mode.NUMERIC) return Math.floor((usable / 10) * 3);
  if (mode === Mode.ALPHANUMERIC) return Math.floor((usable / 11) * 2);
  return Math.floor(usable / 8);
}

/** qrcode's Version.getBestVersionForData at level M, for segments such as qrcode's Segments.fromArray takes. */
export function bestVersionForSegments(segments: QrSegmentInput[]): number | undefined {
  return bestVersion(segments.map(encodeSegment));
}

function bestVersion(segments: EncodedSegment[]): number | undefined {
  for (let version = 1; version <= 40; version++) {
    if (segments.length === 1) {
      const only = segments[0] as EncodedSegment;
      if (only.count <= singleModeCapacity(only.mode, version)) return version;
      continue;
    }
    let bits = 0;
    for (const s of segments) bits += 4 + Mode.getCharCountIndicator(s.mode, version) + s.bits;
    if (bits <= dataBitsOf(version)) return version;
  }
  return undefined;
}

/** The interleaved data and error-correction codewords (qrcode's createData + createCodewords). */
function codewords(segments: EncodedSegment[], version: number): Uint8Array {
  const total = Utils.getSymbolTotalCodewords(version);
  const dataTotal = total - ECCode.getTotalCodewordsCount(version, ECLevel.M);
  const bits = new Bits(dataTotal);
  for (const s of segments) {
    bits.put(s.mode.bit, 4);
    bits.put(s.count, Mode.getCharCountIndicator(s.mode, version));
    s.write(bits);
  }
  const capacity = dataTotal * 8;
  if (bits.length + 4 <= capacity) bits.length += 4; // terminator (zeros: the bytes start zeroed)
  bits.length = Math.ceil(bits.length / 8) * 8;
  for (let i = 0, at = bits.length / 8; at < dataTotal; i++, at++) bits.bytes[at] = i % 2 ? 0x11 : 0xec;

  const blocks = ECCode.getBlocksCount(version, ECLevel.M);
  const group2 = total % blocks;
  const group1 = blocks - group2;
  const dataInGroup1 = Math.floor(dataTotal / blocks);
  const ecCount = Math.floor(total / blocks) - dataInGroup1;
  const dataBlocks: Uint8Array[] = [];
  const ecBlocks: Uint8Array[] = [];
  for (let b = 0, offset = 0; b < blocks; b++) {
    const size = b < group1 ? dataInGroup1 : dataInGroup1 + 1;
    const block = bits.bytes.subarray(offset, offset + size);
    dataBlocks.push(block);
    ecBlocks.push(reedSolomon(block, ecCount));
    offset += size;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i <= dataInGroup1; i++) for (const block of dataBlocks) if (i < block.length) out[at++] = block[i] as number;
  for (let i = 0; i < ecCount; i++) for (const ec of ecBlocks) out[at++] = ec[i] as number;
  return out;
}

interface Template {
  size: number;
  /** Function modules (dark = 1) and mask 0's format information; data modules 0. */
  modules: Uint8Array;
  reserved: Uint8Array;
  /** Data module indexes in filling order (qrcode's setupData). */
  order: Int32Array;
  /** Mask 0 at each of those modules: 1 where (row + col) is even. */
  mask0: Uint8Array;
}

const templates = new Map<number, Template>();

function template(version: number): Template {
  const cached = templates.get(version);
  if (cached) return cached;
  const size = Utils.getSymbolSize(version);
  const modules = new Uint8Array(size * size);
  const reserved = new Uint8Array(size * size);
  const set = (row: number, col: number, dark: boolean) => {
    modules[row * size + col] = dark ? 1 : 0;
    reserved[row * size + col] = 1;
  };
  // Finder patterns with their separators.
  for (const [row, col] of [[0, 0], [size - 7, 0], [0, size - 7]] as const) {
    for (let r = -1; r <= 7; r++) {
      if (row + r <= -1 || size <= row + r) continue;
      for (let c = -1; c <= 7; c++) {
        if (col + c <= -1 || size <= col + c) continue;
        set(row + r, col + c, (r >= 0 && r <= 6 && (c === 0 || c === 6)) || (c >= 0 && c <= 6 && (r === 0 || r === 6)) || (r >= 2 && r <= 4 && c >= 2 && c <= 4));
      }
    }
  }
  // Timing patterns, then alignment patterns over them (qrcode's order).
  for (let r = 8; r < size - 8; r++) {
    set(r, 6, r % 2 === 0);
    set(6, r, r % 2 === 0);
  }
  for (const [row, col] of AlignmentPattern.getPositions(version)) {
    for (let r = -2; r <= 2; r++) for (let c = -2; c <= 2; c++) set(row + r, col + c, r === -2 || r === 2 || c === -2 || c === 2 || (r === 0 && c === 0));
  }
  // Format information for mask 0 (its modules stay reserved whatever the mask), and the dark module.
  const format = FormatInfo.getEncodedBits(ECLevel.M, 0);
  for (let i = 0; i < 15; i++) {
    const dark = ((format >> i) & 1) === 1;
    set(i < 6 ? i : i < 8 ? i + 1 : size - 15 + i, 8, dark);
    set(8, i < 8 ? size - i - 1 : i < 9 ? 15 - i : 15 - i - 1, dark);
  }
  set(size - 8, 8, true);
  if (version >= 7) {
    const bits = Version.getEncodedBits(version);
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >> i) & 1) === 1;
      set(Math.floor(i / 3), (i % 3) + size - 11, dark);
      set((i % 3) + size - 11, Math.floor(i / 3), dark);
    }
  }
  // The data modules in qrcode's filling order: two-column strips right to left, zigzagging.
  const order: number[] = [];
  let inc = -1;
  let row = size - 1;
  for (let col = size - 1; col > 0; col -= 2) {
    if (col === 6) col--;
    for (;;) {
      for (let c = 0; c < 2; c++) if (!reserved[row * size + col - c]) order.push(row * size + col - c);
      row += inc;
      if (row < 0 || size <= row) {
        row -= inc;
        inc = -inc;
        break;
      }
    }
  }
  const mask0 = Uint8Array.from(order, (i) => ((Math.floor(i / size) + (i % size)) % 2 === 0 ? 1 : 0));
  const t: Template = { size, modules, reserved, order: Int32Array.from(order), mask0 };
  templates.set(version, t);
  return t;
}

/** The level-M symbol with mask 0, module for module as qrcode builds it; undefined beyond version 40. */
export function qrSymbolWithMask0(segments: QrSegmentInput[]): QrSymbol | undefined {
  const encoded = segments.map(encodeSegment);
  const version = bestVersion(encoded);
  if (version === undefined) return undefined;
  const words = codewords(encoded, version);
  const t = template(version);
  const data = t.modules.slice();
  const { order, mask0 } = t;
  const wordBits = words.length * 8;
  for (let k = 0; k < order.length; k++) {
    // Remainder modules past the last codeword hold 0 before masking.
    const bit = k < wordBits ? ((words[k >>> 3] as number) >>> (7 - (k & 7))) & 1 : 0;
    data[order[k] as number] = bit ^ (mask0[k] as number);
  }
  return { version, size: t.size, data, reserved: t.reserved };
}
