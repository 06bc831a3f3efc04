import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { credentialQrModules, credentialQrPng, credentialQrSvg, decodeQrPng, QR_MARGIN_MODULES } from '../../src/credentials/qr.ts';
import { formatCredentialUri, parseCredentialUri, type Credential } from '../../src/credentials/credential-uri.ts';
import { issueSecretCode } from '../../src/credentials/secret-code.ts';
import { issueTokens } from '../../src/credentials/tokens.ts';

function credential(): Credential {
  return { electionId: 'referendum-2025', voterId: crypto.randomUUID(), secretCode: issueSecretCode().secretCode, ...issueTokens() };
}

/** Rebuilds the dark-module grid from qrcode's SVG path ("M x y" / "m dx 0" / "h n" commands). */
function modulesFromSvgPath(d: string, side: number): boolean[][] {
  const grid = Array.from({ length: side }, () => new Array<boolean>(side).fill(false));
  let x = 0;
  let y = 0;
  for (const [, cmd, a, b] of d.matchAll(/([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?/g)) {
    const n = Number(a);
    if (cmd === 'M') [x, y] = [n, Math.floor(Number(b))];
    else if (cmd === 'm') x += n;
    else {
      for (let i = 0; i < n; i++) grid[y]![x + i] = true;
      x += n;
    }
  }
  return grid;
}

describe('credential QR code', () => {
  it('PNG: decodes (pngjs + jsQR) to the URI, which parses back to exactly the credential', async () => {
    const c = credential();
    const uri = formatCredentialUri(c);
    const png = await credentialQrPng(uri);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    const image = PNG.sync.read(png);
    const { size } = credentialQrModules(uri);
    expect(image.width).toBe((size + 2 * QR_MARGIN_MODULES) * 8);
    const decoded = decodeQrPng(png);
    expect(decoded).toBe(uri);
    expect(parseCredentialUri(decoded)).toEqual({ ok: true, value: c });
  });

  it('PNG pixels are the level-M modules, 8 px each, inside a 4-module quiet zone', async () => {
    const uri = formatCredentialUri(credential());
    const image = PNG.sync.read(await credentialQrPng(uri));
    const darkAt = (row: number, col: number) => image.data[4 * ((row * 8 + 4) * image.width + col * 8 + 4)] === 0;
    const sample = (level: 'L' | 'M' | 'H') => {
      const { modules } = QRCode.create(uri, { errorCorrectionLevel: level });
      let mismatches = 0;
      for (let r = 0; r < modules.size; r++) {
        for (let c = 0; c < modules.size; c++) if (darkAt(r + QR_MARGIN_MODULES, c + QR_MARGIN_MODULES) !== (modules.get(r, c) === 1)) mismatches++;
      }
      return mismatches;
    };
    expect(sample('M')).toBe(0);
    expect(sample('L')).toBeGreaterThan(0);
    expect(sample('H')).toBeGreaterThan(0);
    for (let i = 0; i < QR_MARGIN_MODULES; i++) expect(darkAt(i, i)).toBe(false);
  });

  it('SVG: well-formed, and its path draws exactly the QR modules', async () => {
    const uri = formatCredentialUri(credential());
    const svg = await credentialQrSvg(uri);
    expect(svg.trim()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*viewBox="0 0 (\d+) \1"[^>]*>.*<\/svg>$/s);
    // Well-formed: every element is self-closed or closed in order.
    const stack: string[] = [];
    for (const [, close, name, selfClose] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
      if (close) expect(stack.pop()).toBe(name);
      else if (!selfClose) stack.push(name!);
    }
    expect(stack).toEqual([]);
    const qr = credentialQrModules(uri);
    const side = qr.size + 2 * QR_MARGIN_MODULES;
    expect(svg).toContain(`viewBox="0 0 ${side} ${side}"`);
    const d = [...svg.matchAll(/<path [^>]*stroke="#000000"[^>]*d="([^"]+)"/g)][0]?.[1];
    expect(d).toBeDefined();
    const grid = modulesFromSvgPath(d!, side);
    let dark = 0;
    for (let r = 0; r < side; r++) {
      for (let col = 0; col < side; col++) {
        const inside = r >= QR_MARGIN_MODULES && col >= QR_MARGIN_MODULES && r < side - QR_MARGIN_MODULES && col < side - QR_MARGIN_MODULES;
        const expected = inside && qr.dark(r - QR_MARGIN_MODULES, col - QR_MARGIN_MODULES);
        expect(grid[r]![col], `module ${r},${col}`).toBe(expected);
        if (expected) dark++;
      }
    }
    expect(dark).toBeGreaterThan(side * 4);
  });

  it('decodeQrPng: undefined for a PNG without a code and for non-PNG bytes', () => {
    const blank = new PNG({ width: 64, height: 64 });
    blank.data.fill(255);
    expect(decodeQrPng(PNG.sync.write(blank))).toBeUndefined();
    expect(decodeQrPng(Buffer.from('not a png'))).toBeUndefined();
    expect(decodeQrPng(Buffer.alloc(0))).toBeUndefined();
  });
});
