/**
 * credentialQrModules redoes qrcode's segment search (qr-segments.ts), symbol construction
 * (qr-symbol.ts) and mask choice (qr-mask.ts) faster; these tests hold it to qrcode's own result, module for module, on many random
 * credential URIs of every shape the URI format allows (UUIDs, short and 64-character ids), so
 * the symbols cover versions 9 to 12 and most of the 8 masks.
 */
import { describe, expect, it } from 'vitest';
import QRCode, { type QRCodeMaskPattern } from 'qrcode';
import { credentialQrModules, decodeQrPng, qrModulesPng } from '../../src/credentials/qr.ts';
import { qrcodeSegments } from '../../src/credentials/qr-segments.ts';
import { chooseMask } from '../../src/credentials/qr-mask.ts';
import { qrSymbolWithMask0 } from '../../src/credentials/qr-symbol.ts';
import { packLines, symbolPenalty } from '../../src/credentials/qr-penalty.ts';
import { createRequire } from 'node:module';
import { formatCredentialUri } from '../../src/credentials/credential-uri.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { issueTokens } from '../../src/credentials/tokens.ts';
import { mulberry32 } from '../support/prng.ts';

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const randomId = () => {
  const k = Math.random();
  if (k < 0.4) return crypto.randomUUID();
  if (k < 0.55) return String(Math.floor(Math.random() * 1e9)); // all digits: numeric runs
  const length = k < 0.8 ? 1 + Math.floor(Math.random() * 20) : 40 + Math.floor(Math.random() * 25);
  return Array.from({ length }, () => ID_CHARS[Math.floor(Math.random() * ID_CHARS.length)]).join('');
};
const randomUri = () => formatCredentialUri({ electionId: randomId(), voterId: randomId(), secretCode: issueSecretCode().secretCode, ...issueTokens() });

// qrcode's own penalty rules and matrix, to hold qr-penalty.ts to them.
const require = createRequire(import.meta.url);
interface QrcodeMatrix {
  size: number;
  data: Uint8Array;
}
const MaskPattern = require('qrcode/lib/core/mask-pattern') as Record<'getPenaltyN1' | 'getPenaltyN2' | 'getPenaltyN3' | 'getPenaltyN4', (m: QrcodeMatrix) => number>;
const BitMatrix = require('qrcode/lib/core/bit-matrix') as new (size: number) => QrcodeMatrix;

function transposed(m: Uint8Array, size: number): Uint8Array {
  const t = new Uint8Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) t[c * size + r] = m[r * size + c]!;
  return t;
}

/** A qrcode segment's text (byte segments hold their UTF-8 bytes). */
const segmentText = (segment: unknown) => {
  const data = (segment as { data: string | Uint8Array }).data;
  return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
};

describe('the credential QR is exactly the symbol qrcode makes', () => {
  it('same segments, version, mask and modules as QRCode.create(uri, { errorCorrectionLevel: "M" }) on 2,000 random URIs', () => {
    const masks = new Set<number>();
    const versions = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const uri = randomUri();
      const reference = QRCode.create(uri, { errorCorrectionLevel: 'M' });
      const mine = credentialQrModules(uri);
      expect(mine.size, uri).toBe(reference.modules.size);
      // Compared as one buffer: a mismatch names the URI, not 4,000 modules.
      expect(Buffer.from(mine.data).equals(Buffer.from(reference.modules.data)), uri).toBe(true);
      // The segments themselves are qrcode's (mode and text of each).
      const segments = qrcodeSegments(uri);
      expect(segments?.map((s) => [s.mode.id, s.data])).toEqual(reference.segments.map((s) => [s.mode.id, segmentText(s)]));
      masks.add(reference.maskPattern as number);
      versions.add(reference.version);
    }
    // The sample did exercise several masks and versions (not one lucky case).
    expect(masks.size).toBeGreaterThanOrEqual(5);
    expect(versions.size).toBeGreaterThanOrEqual(3);
  });

  it("chooseMask picks qrcode's mask for each of the 8 candidates' symbols", () => {
    // For every URI: qrcode's choice among the 8 masks, from the same symbol built with mask 0.
    for (let i = 0; i < 300; i++) {
      const uri = randomUri();
      const reference = QRCode.create(uri, { errorCorrectionLevel: 'M' });
      const { modules } = QRCode.create(uri, { errorCorrectionLevel: 'M', maskPattern: 0 });
      const chosen = chooseMask(modules.size, modules.data, modules.reservedBit);
      expect(chosen.maskPattern, uri).toBe(reference.maskPattern);
      // And each mask's symbol is qrcode's symbol with that mask, format information included.
      const forced = QRCode.create(uri, { errorCorrectionLevel: 'M', maskPattern: chosen.maskPattern as QRCodeMaskPattern });
      expect(Buffer.from(chosen.data).equals(Buffer.from(forced.modules.data)), uri).toBe(true);
    }
  });

  it("symbolPenalty equals qrcode's N1 + N2 + N3 + N4 on random and patterned symbols of every size 11-121", () => {
    for (let size = 11; size <= 121; size++) {
      for (const density of [0.5, 0.1, 0.9]) {
        const matrix = new BitMatrix(size);
        for (let i = 0; i < matrix.data.length; i++) matrix.data[i] = Math.random() < density ? 1 : 0;
        // Plant finder-like windows and long runs across chunk borders (modules 21 and 42 start chunks).
        const row = Math.floor(Math.random() * size);
        [1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0].forEach((bit, j) => {
          if (15 + j < size) matrix.data[row * size + 15 + j] = bit;
        });
        for (let j = 17; j < Math.min(size, 27); j++) matrix.data[((row + 1) % size) * size + j] = 1;
        const expected = MaskPattern.getPenaltyN1(matrix) + MaskPattern.getPenaltyN2(matrix) + MaskPattern.getPenaltyN3(matrix) + MaskPattern.getPenaltyN4(matrix);
        const none = new Int32Array(packLines(matrix.data, size).length);
        const actual = symbolPenalty(packLines(matrix.data, size), none, packLines(transposed(matrix.data, size), size), none, size);
        expect(actual, `size ${size}, density ${density}`).toBe(expected);
      }
    }
  });

  it('qrSymbolWithMask0 builds the modules and function-module map of QRCode.create(segments, maskPattern 0) for versions 1 to 40', () => {
    // Texts of every length up to version 40's, in numeric, alphanumeric, byte and mixed runs,
    // multi-byte UTF-8 included: single-segment and mixed version choice, version information from 7 on.
    const alphabets = ['0123456789', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:', 'abcdefghijklmnopqrstuvwxyz', 'éü€中😀', ID_CHARS];
    // Seeded: the same texts every run, so the count of versions covered below cannot vary.
    const random = mulberry32(18004);
    const versions = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const length = 1 + Math.floor(random() ** 2 * 1800);
      const pick = () => alphabets[Math.floor(random() * alphabets.length)]!;
      let alphabet = pick();
      const chars = Array.from({ length }, () => {
        if (random() < 0.02) alphabet = pick();
        const letters = [...alphabet];
        return letters[Math.floor(random() * letters.length)];
      });
      const text = chars.join('').slice(0, 1800);
      const segments = qrcodeSegments(text)!;
      let reference: ReturnType<typeof QRCode.create>;
      try {
        reference = QRCode.create(segments as never, { errorCorrectionLevel: 'M', maskPattern: 0 });
      } catch {
        expect(qrSymbolWithMask0(segments), 'too long for qrcode: too long here').toBeUndefined();
        continue;
      }
      const mine = qrSymbolWithMask0(segments)!;
      expect(mine.version, text).toBe(reference.version);
      expect(Buffer.from(mine.data).equals(Buffer.from(reference.modules.data)), `modules of version ${reference.version}: ${text}`).toBe(true);
      expect(Buffer.from(mine.reserved).equals(Buffer.from(reference.modules.reservedBit)), `reserved of version ${reference.version}`).toBe(true);
      versions.add(reference.version);
    }
    expect(versions.size).toBeGreaterThanOrEqual(30);
  });

  it('decodes with jsQR to the URI (a sample of the random URIs)', () => {
    for (let i = 0; i < 10; i++) {
      const uri = randomUri();
      expect(decodeQrPng(qrModulesPng(credentialQrModules(uri)))).toBe(uri);
    }
    // Other scales than the letters' 8 px per module take the bit-by-bit path.
    const uri = randomUri();
    expect(decodeQrPng(qrModulesPng(credentialQrModules(uri), 5))).toBe(uri);
  });
});
