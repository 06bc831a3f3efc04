/**
 * Private modules of packages that src/ reaches into: qrcode's lib/core (src/credentials/qr-*.ts)
 * and nodemailer's lib (src/credentials/letter-mime.ts, smtp-pool.ts). Nothing in their semver
 * promises these, so both packages are pinned exactly, and this test fails naming the module and
 * the export when an upgrade moved or reshaped one: each module is loaded the way src/ loads it
 * (an ESM import from src/credentials/) and every export the code uses is checked for its kind and,
 * for functions, the arity the code calls it with.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FROM = path.join(ROOT, 'src/credentials/letter-mime.ts');
const require = createRequire(FROM);

type Shape = { fn: number } | 'regexp' | 'qr-mode' | 'object' | 'class';

interface Internal {
  module: string;
  usedBy: string;
  /** 'default' is the CommonJS module.exports, as `import x from` sees it. */
  exports: Record<string, Shape | Record<string, Shape>>;
}

const INTERNALS: Internal[] = [
  {
    module: 'qrcode/lib/core/mode.js',
    usedBy: 'qr-segments.ts, qr-symbol.ts',
    exports: { default: { NUMERIC: 'qr-mode', ALPHANUMERIC: 'qr-mode', BYTE: 'qr-mode', getCharCountIndicator: { fn: 2 } } },
  },
  { module: 'qrcode/lib/core/regex.js', usedBy: 'qr-segments.ts', exports: { default: { NUMERIC: 'regexp', ALPHANUMERIC: 'regexp', BYTE_KANJI: 'regexp' } } },
  {
    module: 'qrcode/lib/core/utils.js',
    usedBy: 'qr-segments.ts, qr-symbol.ts',
    exports: { default: { isKanjiModeEnabled: { fn: 0 }, getSymbolSize: { fn: 1 }, getSymbolTotalCodewords: { fn: 1 } } },
  },
  { module: 'qrcode/lib/core/version.js', usedBy: 'qr-symbol.ts', exports: { default: { getEncodedBits: { fn: 1 } } } },
  { module: 'qrcode/lib/core/error-correction-level.js', usedBy: 'qr-mask.ts, qr-symbol.ts', exports: { default: { M: 'object' } } },
  { module: 'qrcode/lib/core/format-info.js', usedBy: 'qr-mask.ts, qr-symbol.ts', exports: { default: { getEncodedBits: { fn: 2 } } } },
  { module: 'qrcode/lib/core/error-correction-code.js', usedBy: 'qr-symbol.ts', exports: { default: { getBlocksCount: { fn: 2 }, getTotalCodewordsCount: { fn: 2 } } } },
  { module: 'qrcode/lib/core/alignment-pattern.js', usedBy: 'qr-symbol.ts', exports: { default: { getPositions: { fn: 1 } } } },
  { module: 'nodemailer/lib/addressparser', usedBy: 'letter-mime.ts', exports: { default: { fn: 2 } } },
  { module: 'nodemailer/lib/mime-funcs', usedBy: 'letter-mime.ts', exports: { encodeWords: { fn: 4 }, foldLines: { fn: 3 }, isPlainText: { fn: 2 } } },
  { module: 'nodemailer/lib/smtp-connection', usedBy: 'smtp-pool.ts', exports: { default: 'class' } },
  { module: 'nodemailer/lib/shared', usedBy: 'smtp-pool.ts', exports: { parseConnectionUrl: { fn: 1 } } },
];

/** SMTPConnection methods smtp-pool.ts calls. */
const SMTP_CONNECTION_METHODS = ['connect', 'login', 'send', 'reset', 'quit', 'close', 'on', 'once'];

/** What is wrong with `value` against `shape`, or null. */
function mismatch(value: unknown, shape: Shape): string | null {
  if (typeof shape === 'object') {
    if (typeof value !== 'function') return `expected a function, found ${typeof value}`;
    return value.length === shape.fn ? null : `expected a function of ${shape.fn} parameters, found ${value.length}`;
  }
  switch (shape) {
    case 'regexp':
      return value instanceof RegExp ? null : `expected a RegExp, found ${typeof value}`;
    case 'object':
      return value !== null && typeof value === 'object' ? null : `expected an object, found ${typeof value}`;
    case 'class':
      return typeof value === 'function' && typeof value.prototype === 'object' ? null : `expected a class, found ${typeof value}`;
    case 'qr-mode': {
      const m = value as { id?: unknown; bit?: unknown; ccBits?: unknown } | null;
      const ok = m !== null && typeof m === 'object' && typeof m.id === 'string' && typeof m.bit === 'number' && Array.isArray(m.ccBits);
      return ok ? null : 'expected a QR mode { id: string, bit: number, ccBits: number[] }';
    }
  }
}

function isShape(v: Shape | Record<string, Shape>): v is Shape {
  return typeof v === 'string' || 'fn' in v;
}

/** Every problem with one internal module, each line naming the module and the export. */
async function problemsOf(internal: Internal): Promise<string[]> {
  const where = `${internal.module} (used by src/credentials/${internal.usedBy})`;
  let file: string;
  try {
    file = require.resolve(internal.module);
  } catch (err) {
    return [`${where}: cannot be resolved any more: ${(err as Error).message.split('\n')[0]}`];
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(internal.exports)) {
    const value = mod[name];
    if (isShape(expected)) {
      const wrong = mismatch(value, expected);
      if (wrong) problems.push(`${where}: export ${name}: ${wrong}`);
      continue;
    }
    for (const [member, shape] of Object.entries(expected)) {
      const wrong = mismatch((value as Record<string, unknown> | undefined)?.[member], shape);
      if (wrong) problems.push(`${where}: ${name}.${member}: ${wrong}`);
    }
  }
  return problems;
}

describe('private internals of qrcode and nodemailer', () => {
  it('has a checker that notices a missing or reshaped export', () => {
    expect(mismatch(undefined, { fn: 2 })).toMatch(/expected a function/);
    expect(mismatch((a: number) => a, { fn: 2 })).toMatch(/2 parameters, found 1/);
    expect(mismatch(/x/, 'regexp')).toBeNull();
    expect(mismatch({ id: 'Byte', bit: 4 }, 'qr-mode')).toMatch(/QR mode/);
  });

  it('pins both packages exactly, to the installed version', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of ['qrcode', 'nodemailer']) {
      const installed = (require(`${name}/package.json`) as { version: string }).version;
      expect(pkg.dependencies[name], `${name}: src/ imports its private modules, so package.json must pin it exactly`).toBe(installed);
    }
  });

  it.each(INTERNALS.map((i) => [i.module, i] as const))('%s still has the exports src/ uses', async (_name, internal) => {
    expect(await problemsOf(internal)).toEqual([]);
  });

  it('nodemailer/lib/smtp-connection still has the methods smtp-pool.ts calls', async () => {
    const { default: SMTPConnection } = (await import(pathToFileURL(require.resolve('nodemailer/lib/smtp-connection')).href)) as {
      default: { prototype: Record<string, unknown> };
    };
    const missing = SMTP_CONNECTION_METHODS.filter((m) => typeof SMTPConnection.prototype[m] !== 'function');
    expect(missing, 'nodemailer/lib/smtp-connection: SMTPConnection methods gone').toEqual([]);
  });
});
