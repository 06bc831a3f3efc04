import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../src/sql/client.ts';
import { createScratchPglite } from '../support/scratch-db.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import type { KeyStore } from '../../src/keystore/port.ts';
import { decryptEmail, emailHmac, encryptEmail, getOrCreatePiiKey, loadPiiKey, shredPiiKey } from '../../src/keystore/pii.ts';

let sql: SqlClient;
let store: KeyStore;
beforeAll(async () => {
  sql = await createScratchPglite();
  store = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
});
afterAll(async () => {
  await sql?.close();
});

describe('e-mail encryption under the PII key', () => {
  const key = new Uint8Array(randomBytes(32));

  it('round-trips, with a fresh ciphertext each time and no plaintext in it', () => {
    const email = 'ada.lovelace@example.org';
    const a = encryptEmail(key, 'e1', email);
    const b = encryptEmail(key, 'e1', email);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(a, 'base64url').toString('latin1')).not.toContain('lovelace');
    expect(decryptEmail(key, 'e1', a)).toBe(email);
    expect(decryptEmail(key, 'e1', encryptEmail(key, 'e1', 'élève@exemple.fr'))).toBe('élève@exemple.fr');
  });

  it('fails (undefined) for another election, another key, a flipped bit or garbage', () => {
    const c = encryptEmail(key, 'e1', 'x@example.org');
    expect(decryptEmail(key, 'e2', c)).toBeUndefined();
    expect(decryptEmail(new Uint8Array(randomBytes(32)), 'e1', c)).toBeUndefined();
    const bytes = Buffer.from(c, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    expect(decryptEmail(key, 'e1', bytes.toString('base64url'))).toBeUndefined();
    for (const bad of ['', 'abc', '!!!!', c + '='] as const) expect(decryptEmail(key, 'e1', bad)).toBeUndefined();
    expect(decryptEmail(new Uint8Array(16), 'e1', c)).toBeUndefined();
  });

  it('emailHmac: HMAC-SHA256 of the normalised address under HKDF(piiKey, "evote/email-hmac")', () => {
    const subkey = Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), 'evote/email-hmac', 32));
    const expected = createHmac('sha256', subkey).update('ada@example.org').digest('hex');
    expect(emailHmac(key, 'ada@example.org')).toBe(expected);
    expect(emailHmac(key, '  Ada@Example.ORG ')).toBe(expected);
    expect(emailHmac(key, 'bob@example.org')).not.toBe(expected);
    // Another election's key gives an unrelated value: nothing links one voter across elections.
    expect(emailHmac(new Uint8Array(randomBytes(32)), 'ada@example.org')).not.toBe(expected);
    expect(expected).not.toBe(createHmac('sha256', key).update('ada@example.org').digest('hex'));
  });
});

describe('PII key in the key store', () => {
  it('getOrCreatePiiKey returns one key per election, even when called concurrently', async () => {
    const keys = await Promise.all(Array.from({ length: 5 }, () => getOrCreatePiiKey(store, 'concurrent')));
    for (const k of keys) expect(k).toEqual(keys[0]);
    expect(keys[0]).toHaveLength(32);
    expect(await loadPiiKey(store, 'concurrent')).toEqual(keys[0]);
    expect(await getOrCreatePiiKey(store, 'another')).not.toEqual(keys[0]);
  });

  it('crypto-shredding: deleting the PII key makes the stored addresses unrecoverable', async () => {
    const emails = ['a@example.org', 'b@example.org', 'c@example.org'];
    const key = await getOrCreatePiiKey(store, 'shred-me');
    const other = await getOrCreatePiiKey(store, 'keep-me');
    const encrypted = emails.map((e) => encryptEmail(key, 'shred-me', e));
    const kept = encryptEmail(other, 'keep-me', 'd@example.org');
    expect(encrypted.map((c) => decryptEmail(key, 'shred-me', c))).toEqual(emails);

    expect(await shredPiiKey(store, 'shred-me')).toBe(true);
    expect(await loadPiiKey(store, 'shred-me')).toBeUndefined();
    const { rows } = await sql.query<{ n: number }>("select count(*)::int as n from evote_keystore where name = 'election/shred-me/pii'");
    expect(rows[0]?.n).toBe(0);
    // A new key for the same election cannot open the old ciphertexts; other elections are untouched.
    const fresh = await getOrCreatePiiKey(store, 'shred-me');
    expect(fresh).not.toEqual(key);
    for (const c of encrypted) expect(decryptEmail(fresh, 'shred-me', c)).toBeUndefined();
    const reloaded = await loadPiiKey(store, 'keep-me');
    expect(reloaded && decryptEmail(reloaded, 'keep-me', kept)).toBe('d@example.org');
    expect(await shredPiiKey(store, 'never-existed')).toBe(false);
  });
});
