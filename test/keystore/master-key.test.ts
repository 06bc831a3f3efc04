import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masterKeyFromEnv, parseMasterKey, MASTER_KEY_FILE } from '../../src/keystore/master-key.ts';
import { KeyStoreError } from '../../src/keystore/port.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'evote-master-key-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<KeyStoreError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeyStoreError);
  return err as KeyStoreError;
}

describe('parseMasterKey', () => {
  const key = new Uint8Array(randomBytes(32));
  const b64 = Buffer.from(key).toString('base64');
  const b64url = Buffer.from(key).toString('base64url');

  it('accepts base64 (padded or not) and base64url of 32 bytes, ignoring surrounding whitespace', () => {
    for (const spelling of [b64, b64.replace(/=$/, ''), b64url, `${b64url}=`, `  ${b64}\n`]) expect(parseMasterKey(spelling)).toEqual(key);
  });

  it('refuses other lengths, hex, garbage, mixed alphabets and non-canonical spellings', () => {
    const short = Buffer.from(randomBytes(31)).toString('base64');
    const long = Buffer.from(randomBytes(33)).toString('base64');
    // The last character of 32 bytes in base64 carries 2 spare bits; 'B' sets one of them.
    const nonCanonical = Buffer.alloc(32).toString('base64url').slice(0, 42) + 'B';
    for (const bad of [short, long, Buffer.from(key).toString('hex'), 'not a key', '', '+'.repeat(21) + '_'.repeat(22), nonCanonical]) {
      expect(parseMasterKey(bad)).toBeUndefined();
    }
    expect(parseMasterKey(Buffer.alloc(32).toString('base64url'))).toEqual(new Uint8Array(32));
  });
});

describe('masterKeyFromEnv', () => {
  it('takes EVOTE_MASTER_KEY when set, with no warning and no file', async () => {
    const key = new Uint8Array(randomBytes(32));
    const dataDir = join(root, 'env');
    const mk = await masterKeyFromEnv({ EVOTE_MASTER_KEY: Buffer.from(key).toString('base64url'), DATABASE_URL: 'postgres://x' }, { dataDir });
    expect(mk).toEqual({ key, source: 'env' });
    await expect(stat(join(dataDir, MASTER_KEY_FILE))).rejects.toThrow();
  });

  it('refuses a malformed EVOTE_MASTER_KEY with a clear error that does not repeat it', async () => {
    const value = Buffer.from(randomBytes(24)).toString('base64');
    const err = await rejection(masterKeyFromEnv({ EVOTE_MASTER_KEY: value }, { dataDir: join(root, 'bad') }));
    expect(err.code).toBe('INVALID_MASTER_KEY');
    expect(err.message).toMatch(/32 bytes/);
    expect(err.message).not.toContain(value);
  });

  it('requires a key outside embedded mode', async () => {
    const err = await rejection(masterKeyFromEnv({ DATABASE_URL: 'postgres://db/evote' }, { dataDir: join(root, 'pg') }));
    expect(err.code).toBe('INVALID_MASTER_KEY');
    expect(err.message).toMatch(/required/);
  });

  it('embedded without a key: generates one into <dataDir>/master-key (0600) once, then reuses it', async () => {
    const dataDir = join(root, 'embedded', 'data');
    const first = await masterKeyFromEnv({}, { dataDir });
    expect(first.source).toBe('generated');
    expect(first.key).toHaveLength(32);
    const encoded = Buffer.from(first.key).toString('base64');
    expect(first.warning).toMatch(/master-key/);
    expect(first.warning).not.toContain(encoded);
    const path = join(dataDir, MASTER_KEY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trim()).toBe(encoded);

    const second = await masterKeyFromEnv({}, { dataDir });
    expect(second.source).toBe('file');
    expect(second.key).toEqual(first.key);
    expect(second.warning).not.toContain(encoded);
  });

  it('processes starting together agree on one generated key', async () => {
    const dataDir = join(root, 'race');
    const keys = await Promise.all(Array.from({ length: 4 }, () => masterKeyFromEnv({}, { dataDir })));
    expect(keys.filter((k) => k.source === 'generated')).toHaveLength(1);
    for (const k of keys) expect(k.key).toEqual(keys[0]!.key);
  });

  it('refuses a corrupted key file and warns about a loose file mode', async () => {
    const corrupt = join(root, 'corrupt');
    await masterKeyFromEnv({}, { dataDir: corrupt });
    await writeFile(join(corrupt, MASTER_KEY_FILE), 'garbage\n');
    expect((await rejection(masterKeyFromEnv({}, { dataDir: corrupt }))).code).toBe('INVALID_MASTER_KEY');

    const loose = join(root, 'loose');
    const generated = await masterKeyFromEnv({}, { dataDir: loose });
    await writeFile(join(loose, MASTER_KEY_FILE), Buffer.from(generated.key).toString('base64'), { mode: 0o644 });
    await chmod(join(loose, MASTER_KEY_FILE), 0o644);
    expect((await masterKeyFromEnv({}, { dataDir: loose })).warning).toMatch(/chmod 600/);
  });
});
