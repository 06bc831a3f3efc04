/**
 * The default key store: one SQL table sealed with AES-256-GCM under the master key, each entry's
 * name its AAD, so a ciphertext moved onto another name fails authentication.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import type { SqlClient, SqlExecutor } from '../sql/client.ts';
import { aes256GcmDecrypt, aes256GcmEncrypt, AES_256_KEY_BYTES, GCM_TAG_BYTES, randomGcmNonce } from '../crypto/aes-gcm.ts';
import { utf8 } from '../crypto/bytes.ts';
import { assertKeyName, KeyStoreError, type KeyStore, type KeyStoreEntry } from './port.ts';

/** Sealed at creation: opening it at start tells a wrong master key from a tampered row. */
const CHECK_ENTRY = 'keystore/master-key-check';
const RESERVED_PREFIX = 'keystore/';

/** 3 parameters per row, well under Postgres's 65,535-parameter limit. */
const PUT_BATCH_ROWS = 2_000;
const GET_BATCH_NAMES = 5_000;

interface Sealed {
  name: string;
  nonce: Buffer;
  ciphertext: Buffer;
}

/** Expects a migrated database (src/sql/migrate.ts). */
export async function createSqlKeyStore(sql: SqlClient, masterKey: Uint8Array): Promise<KeyStore> {
  if (masterKey.length !== AES_256_KEY_BYTES) throw new RangeError('the key store master key must be 32 bytes');
  const key: KeyObject = createSecretKey(Buffer.from(masterKey));

  const seal = (name: string, secret: Uint8Array): Sealed => {
    const nonce = randomGcmNonce();
    const { ciphertext, tag } = aes256GcmEncrypt(key, nonce, secret, utf8(name));
    return { name, nonce: Buffer.from(nonce), ciphertext: Buffer.concat([ciphertext, tag]) };
  };

  const open = (name: string, nonce: Uint8Array, sealed: Uint8Array): Uint8Array => {
    const body = sealed.subarray(0, Math.max(0, sealed.length - GCM_TAG_BYTES));
    const tag = sealed.subarray(body.length);
    const r = aes256GcmDecrypt(key, nonce, body, tag, utf8(name));
    if (!r.ok) throw new KeyStoreError('KEYSTORE_INTEGRITY', `key store entry '${name}' failed authentication`);
    return r.value;
  };

  const assertWritable = (name: string): void => {
    assertKeyName(name);
    if (name.startsWith(RESERVED_PREFIX)) throw new RangeError(`key names under '${RESERVED_PREFIX}' are reserved`);
  };

  // Processes starting at once each try; the first row stays and every one of them checks it.
  const sealedCheck = seal(CHECK_ENTRY, utf8('evote key store'));
  await sql.query('insert into evote_keystore (name, nonce, ciphertext) values ($1, $2, $3) on conflict (name) do nothing', [
    sealedCheck.name,
    sealedCheck.nonce,
    sealedCheck.ciphertext,
  ]);
  const check = await readRows(sql, [CHECK_ENTRY]);
  const row = check[0];
  if (!row) throw new KeyStoreError('KEYSTORE_INTEGRITY', 'the key store check entry is missing');
  try {
    open(row.name, row.nonce, row.ciphertext);
  } catch {
    throw new KeyStoreError('MASTER_KEY_MISMATCH', 'the master key does not open this key store (it was created with another key)');
  }

  const upsert = async (db: SqlExecutor, rows: Sealed[]): Promise<void> => {
    const params: unknown[] = [];
    const values = rows.map((r) => {
      params.push(r.name, r.nonce, r.ciphertext);
      const n = params.length;
      return `($${n - 2}, $${n - 1}, $${n})`;
    });
    await db.query(
      `insert into evote_keystore (name, nonce, ciphertext) values ${values.join(', ')}
       on conflict (name) do update set nonce = excluded.nonce, ciphertext = excluded.ciphertext, created_at = now()`,
      params,
    );
  };

  return {
    async put(name, secret) {
      assertWritable(name);
      await upsert(sql, [seal(name, secret)]);
    },

    async putIfAbsent(name, secret) {
      assertWritable(name);
      const s = seal(name, secret);
      const res = await sql.query('insert into evote_keystore (name, nonce, ciphertext) values ($1, $2, $3) on conflict (name) do nothing', [
        s.name,
        s.nonce,
        s.ciphertext,
      ]);
      return res.rowCount === 1;
    },

    async putMany(entries: readonly KeyStoreEntry[]) {
      // One row per name (last wins): ON CONFLICT DO UPDATE refuses to touch a row twice in a statement.
      const latest = new Map<string, Uint8Array>();
      for (const e of entries) {
        assertWritable(e.name);
        latest.set(e.name, e.secret);
      }
      if (latest.size === 0) return;
      const sealed = [...latest].map(([name, secret]) => seal(name, secret));
      await sql.transaction(async (tx) => {
        for (let i = 0; i < sealed.length; i += PUT_BATCH_ROWS) await upsert(tx, sealed.slice(i, i + PUT_BATCH_ROWS));
      });
    },

    async get(name) {
      assertKeyName(name);
      const row = (await readRows(sql, [name]))[0];
      return row ? open(row.name, row.nonce, row.ciphertext) : undefined;
    },

    async getMany(names) {
      const out = new Map<string, Uint8Array>();
      const unique = [...new Set(names)];
      unique.forEach(assertKeyName);
      for (let i = 0; i < unique.length; i += GET_BATCH_NAMES) {
        for (const row of await readRows(sql, unique.slice(i, i + GET_BATCH_NAMES))) out.set(row.name, open(row.name, row.nonce, row.ciphertext));
      }
      return out;
    },

    async delete(name) {
      assertWritable(name);
      const res = await sql.query('delete from evote_keystore where name = $1', [name]);
      return res.rowCount > 0;
    },

    async deletePrefix(prefix) {
      if (prefix.length === 0) throw new RangeError('deletePrefix needs a non-empty prefix');
      const res = await sql.query('delete from evote_keystore where starts_with(name, $1) and not starts_with(name, $2)', [prefix, RESERVED_PREFIX]);
      return res.rowCount;
    },
  };
}

interface Row {
  name: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

async function readRows(db: SqlExecutor, names: string[]): Promise<Row[]> {
  if (names.length === 0) return [];
  const placeholders = names.map((_, i) => `$${i + 1}`).join(', ');
  const res = await db.query<Row>(`select name, nonce, ciphertext from evote_keystore where name in (${placeholders})`, names);
  return res.rows;
}
