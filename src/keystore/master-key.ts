/**
 * Where the key store's master key comes from: EVOTE_MASTER_KEY, or in embedded mode a key generated
 * once into the data directory (docs/credentials.md). The key never appears in an error or a warning.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AES_256_KEY_BYTES } from '../crypto/aes-gcm.ts';
import { fromBase64url } from '../crypto/bytes.ts';
import { KeyStoreError } from './port.ts';

export const MASTER_KEY_FILE = 'master-key';

export interface MasterKey {
  key: Uint8Array;
  source: 'env' | 'file' | 'generated';
  /** Set when the key did not come from the environment; never contains the key. */
  warning?: string;
}

/** Strict: base64 or base64url of exactly 32 bytes, or undefined, so a typo cannot silently yield another key. */
export function parseMasterKey(text: string): Uint8Array | undefined {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return undefined;
  if (/[+/]/.test(t) && /[_-]/.test(t)) return undefined;
  const key = fromBase64url(t.replace(/=$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
  return key?.length === AES_256_KEY_BYTES ? key : undefined;
}

export async function masterKeyFromEnv(
  env: NodeJS.ProcessEnv,
  opts: { dataDir: string; /** Defaults to "no DATABASE_URL", as in src/app/config.ts. */ embedded?: boolean },
): Promise<MasterKey> {
  const raw = env.EVOTE_MASTER_KEY;
  if (raw !== undefined && raw.trim() !== '') {
    const key = parseMasterKey(raw);
    if (!key) throw new KeyStoreError('INVALID_MASTER_KEY', 'EVOTE_MASTER_KEY must be base64 or base64url of exactly 32 bytes (e.g. `openssl rand -base64 32`)');
    return { key, source: 'env' };
  }
  const embedded = opts.embedded ?? !env.DATABASE_URL;
  if (!embedded) {
    // Several processes share Postgres: a key generated into one machine's data directory strands the others.
    throw new KeyStoreError('INVALID_MASTER_KEY', 'EVOTE_MASTER_KEY is required when DATABASE_URL is set (generate one with `openssl rand -base64 32`)');
  }

  const path = join(opts.dataDir, MASTER_KEY_FILE);
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const generated = new Uint8Array(randomBytes(AES_256_KEY_BYTES));
  try {
    // 'wx' creates exclusively: of two processes starting at once, one writes and both read the same key.
    await writeFile(path, Buffer.from(generated).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(path, 0o600); // the umask may have narrowed the mode; never widen beyond 0600
    return {
      key: generated,
      source: 'generated',
      warning: `EVOTE_MASTER_KEY is not set: generated a new key store master key in ${path} (embedded mode only). Back it up: without it the key store cannot be opened.`,
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  generated.fill(0);
  const key = parseMasterKey(await readFile(path, 'utf8'));
  if (!key) throw new KeyStoreError('INVALID_MASTER_KEY', `${path} does not hold base64 of exactly 32 bytes`);
  const mode = (await stat(path)).mode & 0o777;
  const loose = (mode & 0o077) !== 0 ? ` The file is readable by others (mode ${mode.toString(8)}): chmod 600 it.` : '';
  return {
    key,
    source: 'file',
    warning: `EVOTE_MASTER_KEY is not set: using the key store master key in ${path} (embedded mode only).${loose}`,
  };
}
