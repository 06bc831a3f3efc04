/**
 * The mask penalty of a QR symbol (rules N1-N4 as qrcode 1.5 scores them), 32 modules at a time.
 * A line is held as overlapping 32-bit chunks, chunk k = modules [21k, 21k + 32); every rule's
 * window (at most 11 modules) starting in [21k, 21k + 21) lies inside chunk k, so each rule is
 * evaluated for all starts at once with shifts and masks and counted for the starts k owns.
 * N1 = #uniform 5-windows + 2·#last ones in a run (3 + (L − 5) per run of L).
 */

/** Modules a chunk owns (window starts); 21 + 11 − 1 = 31 < 32, so an 11-window fits. */
const CHUNK_STRIDE = 21;

const chunksPerLine = (size: number): number => Math.ceil(size / CHUNK_STRIDE);

/** `lines` x `size` modules (row-major bytes, 0/1) as chunks (line-major: line·K + k). */
export function packLines(modules: Uint8Array, size: number, into = new Int32Array(size * chunksPerLine(size))): Int32Array {
  const K = chunksPerLine(size);
  for (let line = 0; line < size; line++) {
    const base = line * size;
    for (let k = 0; k < K; k++) {
      const first = k * CHUNK_STRIDE;
      const last = Math.min(size, first + 32);
      let word = 0;
      for (let c = first; c < last; c++) word |= (modules[base + c] as number) << (c - first);
      into[line * K + k] = word;
    }
  }
  return into;
}

/** The starts chunk k owns for windows of `width` modules: [k·21, k·21 + 21) and ≤ size − width. */
function ownedStarts(size: number, width: number): Int32Array {
  const K = chunksPerLine(size);
  const masks = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    let m = 0;
    for (let j = 0; j < CHUNK_STRIDE; j++) if (k * CHUNK_STRIDE + j <= size - width) m |= 1 << j;
    masks[k] = m;
  }
  return masks;
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

interface PenaltyMasks {
  own1: Int32Array;
  own2: Int32Array;
  own5: Int32Array;
  own11: Int32Array;
  /** Starts ≤ size − 5 (any chunk): where a uniform 5-window may be. */
  fits5: Int32Array;
}

const maskCache = new Map<number, PenaltyMasks>();

function penaltyMasks(size: number): PenaltyMasks {
  let m = maskCache.get(size);
  if (!m) {
    const K = chunksPerLine(size);
    const fits5 = new Int32Array(K);
    for (let k = 0; k < K; k++) for (let j = 0; j < 32; j++) if (k * CHUNK_STRIDE + j <= size - 5) fits5[k]! |= 1 << j;
    maskCache.set(size, (m = { own1: ownedStarts(size, 1), own2: ownedStarts(size, 2), own5: ownedStarts(size, 5), own11: ownedStarts(size, 11), fits5 }));
  }
  return m;
}

/** N1 and N3 points along the lines of `lines` XOR `flip` (chunks as packLines makes them). */
function linePenalty(lines: Int32Array, flip: Int32Array, size: number, masks: PenaltyMasks): number {
  const K = chunksPerLine(size);
  let uniform5 = 0;
  let lastUniform5 = 0;
  let finders = 0;
  for (let i = 0; i < lines.length; i++) {
    const k = i % K;
    const x = (lines[i] as number) ^ (flip[i] as number);
    // Bit c of `same`: module c has the colour of module c + 1.
    const same = ~(x ^ (x >>> 1));
    const u5 = same & (same >>> 1) & (same >>> 2) & (same >>> 3) & (masks.fits5[k] as number);
    const own5 = masks.own5[k] as number;
    uniform5 += popcount(u5 & own5);
    lastUniform5 += popcount(u5 & ~(u5 >>> 1) & own5);
    // 1011101 at c (core) and 0000 at c (light4), as bit masks of the window start c.
    const nx = ~x;
    const core = x & (nx >>> 1) & (x >>> 2) & (x >>> 3) & (x >>> 4) & (nx >>> 5) & (x >>> 6);
    const light4 = nx & (nx >>> 1) & (nx >>> 2) & (nx >>> 3);
    const finder = (core & (light4 >>> 7)) | (light4 & (core >>> 4));
    finders += popcount(finder & (masks.own11[k] as number));
  }
  return uniform5 + 2 * lastUniform5 + 40 * finders;
}

/**
 * qrcode's getPenaltyN1 + N2 + N3 + N4 of the symbol whose rows are `rows` XOR `flipRows` and
 * whose columns (the same symbol transposed, packed the same way) are `cols` XOR `flipCols`.
 */
export function symbolPenalty(rows: Int32Array, flipRows: Int32Array, cols: Int32Array, flipCols: Int32Array, size: number): number {
  const masks = penaltyMasks(size);
  const K = chunksPerLine(size);
  let dark = 0;
  let blocks = 0;
  for (let i = 0; i < rows.length; i++) {
    const k = i % K;
    const x = (rows[i] as number) ^ (flipRows[i] as number);
    dark += popcount(x & (masks.own1[k] as number));
    if (i + K >= rows.length) continue; // the last row starts no 2x2 block
    const below = (rows[i + K] as number) ^ (flipRows[i + K] as number);
    const vertical = ~(x ^ below);
    blocks += popcount(vertical & (vertical >>> 1) & ~(x ^ (x >>> 1)) & (masks.own2[k] as number));
  }
  const k4 = Math.abs(Math.ceil((dark * 100) / (size * size) / 5) - 10);
  return linePenalty(rows, flipRows, size, masks) + linePenalty(cols, flipCols, size, masks) + 3 * blocks + 10 * k4;
}
