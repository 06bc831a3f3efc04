/**
 * A zlib stream for QR-like image rows, written directly: a repeated row is one deflate copy of the
 * row above, any other row byte by byte under a fixed dynamic Huffman code (docs/credentials.md,
 * "The QR code"). Any rows encode correctly; only the size assumes QR-like rows.
 */

/** Bytes of one row in the stream: a leading filter byte, then the row's bytes. */
const MAX_ROW_STREAM_BYTES = 32_768; // the largest deflate distance (a copy of the previous row)
const ADLER_MOD = 65_521;

/** Length symbols 257..285: base length and extra bits (RFC 1951 3.2.5). */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** Distance codes 0..29: base distance and extra bits. */
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order in which the code-length code's lengths are sent (RFC 1951 3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Index of the last base <= value (bases ascending). */
function codeFor(bases: readonly number[], value: number): number {
  let i = bases.length - 1;
  while ((bases[i] as number) > value) i--;
  return i;
}

/** A length's symbol index (0 = symbol 257) for lengths 3..258. */
const lengthIndex = (length: number) => (length === 258 ? 28 : codeFor(LENGTH_BASE, length));

/** Canonical Huffman codes (RFC 1951 3.2.2) for the lengths, bit-reversed for LSB-first output. */
function canonicalCodes(lengths: readonly number[]): Uint32Array {
  const maxBits = Math.max(...lengths);
  const count = new Array<number>(maxBits + 1).fill(0);
  for (const l of lengths) if (l > 0) count[l]!++;
  const next = new Array<number>(maxBits + 2).fill(0);
  for (let bits = 1, code = 0; bits <= maxBits; bits++) {
    code = (code + (count[bits - 1] ?? 0)) << 1;
    next[bits] = code;
  }
  const codes = new Uint32Array(lengths.length);
  lengths.forEach((l, symbol) => {
    if (l === 0) return;
    let code = next[l]!++;
    let reversed = 0;
    for (let b = 0; b < l; b++) {
      reversed = (reversed << 1) | (code & 1);
      code >>>= 1;
    }
    codes[symbol] = reversed;
  });
  return codes;
}

interface RowCode {
  /** The block header (BFINAL, BTYPE and the three code tables): its whole bytes, then the bits left over. */
  headerBytes: Uint8Array;
  headerTail: { value: number; bits: number };
  litLengths: number[];
  litCodes: Uint32Array;
  /** The bits that copy one row, as (value, bit count) pairs of at most 24 bits; empty if rows are not copied. */
  copyPieces: number[];
}

/** Bit pieces (value, count) packed LSB first: whole bytes, and the bits left over. */
function packBits(pieces: { value: number; bits: number }[]): { bytes: Uint8Array; tail: { value: number; bits: number } } {
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const p of pieces) {
    acc |= p.value << bits;
    bits += p.bits;
    while (bits >= 8) {
      bytes.push(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  }
  return { bytes: Uint8Array.from(bytes), tail: { value: acc, bits } };
}

/** Adjacent pieces merged while they fit in 24 bits (so that value << 7 stays within 31 bits). */
function mergePieces(pieces: { value: number; bits: number }[]): number[] {
  const merged: number[] = [];
  let value = 0;
  let bits = 0;
  for (const p of pieces) {
    if (bits + p.bits > 24) {
      merged.push(value, bits);
      value = 0;
      bits = 0;
    }
    value |= p.value << bits;
    bits += p.bits;
  }
  if (bits > 0) merged.push(value, bits);
  return merged;
}

const rowCodes = new Map<number, RowCode>();

/** The Huffman code and block header for rows of `streamBytes` bytes (filter byte included). */
function rowCode(streamBytes: number): RowCode {
  const cached = rowCodes.get(streamBytes);
  if (cached) return cached;

  // The copy of one row: lengths of at most 258, none below 3 (a row of 2 bytes is never copied).
  const copy: [number, number][] = [];
  for (let left = streamBytes < 3 ? 0 : streamBytes; left > 0; ) {
    const length = left > 258 ? Math.min(258, left - 3) : left;
    const index = lengthIndex(length);
    copy.push([index, length - (LENGTH_BASE[index] as number)]);
    left -= length;
  }
  const distCode = codeFor(DIST_BASE, streamBytes);

  // Literal/length code lengths: 0x00, 0xff and the row copy's first length symbol 2 bits (3/4 of
  // the code space); the other 283 symbols share the last quarter, 229 of 10 bits and 54 of 11.
  const short = new Set([0x00, 0xff, 257 + (copy[0]?.[0] ?? 0)]);
  const litLengths = new Array<number>(286).fill(0);
  let tenBits = 229;
  for (let symbol = 0; symbol < 286; symbol++) {
    if (short.has(symbol)) litLengths[symbol] = 2;
    else litLengths[symbol] = tenBits-- > 0 ? 10 : 11;
  }
  // One distance code, of 1 bit (the one case RFC 1951 allows an incomplete code).
  const distLengths = new Array<number>(distCode + 1).fill(0);
  distLengths[distCode] = 1;

  // The code-length code covers the lengths used: 0, 10 and 11 in 2 bits, 1 and 2 in 3.
  const clLengths = new Array<number>(19).fill(0);
  clLengths[0] = 2;
  clLengths[10] = 2;
  clLengths[11] = 2;
  clLengths[1] = 3;
  clLengths[2] = 3;
  const clCodes = canonicalCodes(clLengths);
  const clCount = CODE_LENGTH_ORDER.reduce((last, symbol, i) => ((clLengths[symbol] as number) > 0 ? i + 1 : last), 4);

  const header: { value: number; bits: number }[] = [
    { value: 1, bits: 1 }, // BFINAL: the only block
    { value: 2, bits: 2 }, // BTYPE 10: dynamic Huffman codes
    { value: 286 - 257, bits: 5 }, // HLIT
    { value: distLengths.length - 1, bits: 5 }, // HDIST
    { value: clCount - 4, bits: 4 }, // HCLEN
  ];
  for (let i = 0; i < clCount; i++) header.push({ value: clLengths[CODE_LENGTH_ORDER[i] as number] as number, bits: 3 });
  for (const l of [...litLengths, ...distLengths]) header.push({ value: clCodes[l] as number, bits: clLengths[l] as number });

  const litCodes = canonicalCodes(litLengths);
  const copyBits: { value: number; bits: number }[] = [];
  const distExtra = streamBytes - (DIST_BASE[distCode] as number);
  for (const [index, extra] of copy) {
    copyBits.push({ value: litCodes[257 + index] as number, bits: litLengths[257 + index] as number });
    copyBits.push({ value: extra, bits: LENGTH_EXTRA[index] as number });
    copyBits.push({ value: 0, bits: 1 }); // the one distance code
    copyBits.push({ value: distExtra, bits: DIST_EXTRA[distCode] as number });
  }
  const packed = packBits(header);
  const code: RowCode = { headerBytes: packed.bytes, headerTail: packed.tail, litLengths, litCodes, copyPieces: mergePieces(copyBits.filter((p) => p.bits > 0)) };
  rowCodes.set(streamBytes, code);
  return code;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a === b || Buffer.compare(a, b) === 0;

/**
 * The zlib stream of the rows, each preceded by `filterByte`: what inflating it gives is
 * filterByte ‖ rows[0] ‖ filterByte ‖ rows[1] ‖ ... All rows must have one length.
 */
export function deflateRepeatedRows(rows: readonly Uint8Array[], filterByte: number): Uint8Array {
  const rowBytes = rows[0]?.length ?? 0;
  const streamBytes = rowBytes + 1;
  if (rows.length === 0 || streamBytes > MAX_ROW_STREAM_BYTES) throw new RangeError(`rows must be 1 to ${MAX_ROW_STREAM_BYTES - 1} bytes, and at least one`);
  if (rows.some((r) => r.length !== rowBytes)) throw new RangeError('all rows must have the same length');
  const code = rowCode(streamBytes);
  const { litLengths, litCodes, copyPieces } = code;

  const repeated = rows.map((r, y) => copyPieces.length > 0 && y > 0 && sameBytes(r, rows[y - 1] as Uint8Array));
  // At most 11 bits per literal, 30 per copy of at most 258 bytes, plus the header and the zlib frame.
  const distinct = repeated.filter((r) => !r).length;
  const boundBits = distinct * streamBytes * 11 + (rows.length - distinct) * Math.ceil(streamBytes / 258) * 30 + 8 * code.headerBytes.length + 8 + 11;
  const out = new Uint8Array(2 + Math.ceil(boundBits / 8) + 1 + 4);
  // zlib header: deflate with a 32 KiB window, no dictionary, check bits making it a multiple of 31.
  out[0] = 0x78;
  out[1] = 0x01;
  out.set(code.headerBytes, 2);
    // The bit writer, inlined (no closure) so these stay in registers.
  let at = 2 + code.headerBytes.length;
  let acc = code.headerTail.value;
  let bits = code.headerTail.bits;

  const filterCode = litCodes[filterByte] as number;
  const filterBits = litLengths[filterByte] as number;
  let a = 1;
  let b = 0;
  // Adler-32 of the last distinct row's stream bytes, to extend over its repeats: the byte sum and
  // the sum weighted by the number of bytes from each to the end of the row.
  let sum = 0;
  let weighted = 0;
  for (let y = 0; y < rows.length; y++) {
    if (repeated[y]) {
      for (let k = 0; k < copyPieces.length; k += 2) {
        acc |= (copyPieces[k] as number) << bits;
        bits += copyPieces[k + 1] as number;
        while (bits >= 8) {
          out[at++] = acc & 0xff;
          acc >>>= 8;
          bits -= 8;
        }
      }
    } else {
      const row = rows[y] as Uint8Array;
      acc |= filterCode << bits;
      bits += filterBits;
      sum = filterByte;
      weighted = filterByte * streamBytes;
      for (let i = 0; i < rowBytes; i++) {
        const byte = row[i] as number;
        acc |= (litCodes[byte] as number) << bits;
        bits += litLengths[byte] as number;
        while (bits >= 8) {
          out[at++] = acc & 0xff;
          acc >>>= 8;
          bits -= 8;
        }
        sum += byte;
        weighted += byte * (rowBytes - i);
      }
    }
    b += streamBytes * a + weighted;
    a += sum;
    // Reduced only now and then (a floating-point modulo per row cost more than the row's copy):
    // below these bounds the next row adds under 2^46 to b, so every sum stays an exact integer.
    if (b >= 2 ** 48 || a >= 2 ** 30) {
      a %= ADLER_MOD;
      b %= ADLER_MOD;
    }
  }
  a %= ADLER_MOD;
  b %= ADLER_MOD;
  // End of block, then the last byte padded with zero bits.
  acc |= (litCodes[256] as number) << bits;
  bits += litLengths[256] as number;
  while (bits > 0) {
    out[at++] = acc & 0xff;
    acc >>>= 8;
    bits -= 8;
  }
  out[at] = b >>> 8;
  out[at + 1] = b & 0xff;
  out[at + 2] = a >>> 8;
  out[at + 3] = a & 0xff;
  return out.subarray(0, at + 4);
}
