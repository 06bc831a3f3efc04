/**
 * Where the key store's master key comes from. Production: EVOTE_MASTER_KEY (base64 or base64url
 * of 32 bytes), supplied by the operator's secret manager. Embedded mode (no DATABASE_URL) may run
 * without one: a key is generated once into `<dataDir>/master-key` (mode 0600) and reused, with a
 * warning for the caller to log. The key itself never appears in an error or a warning.
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
  /** Set when the key did not come from the environment: log it (it never contains the key). */
  warning?: string;
}

/**
 * Strict decoding: standard base64 (padded or not) or base64url, exactly 32 bytes, surrounding
 * whitespace ignored. Undefined for anything else, so a typo cannot silently yield another key.
 */
export function parseMasterKey(text: string): Uint8Array | undefined {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) return undefined;
  // One alphabet per key: mixing '+' with '_' is a corrupted value, not a spelling.
  if (/[+/]/.test(t) && /[_-]/.test(t)) return undefined;
  // fromBase64url refuses non-canonical spellings (non-zero spare bits in the last character).
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
    // Shared Postgres means several processes: a key generated into one machine's data directory
    // would leave the others unable to open the store.
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
