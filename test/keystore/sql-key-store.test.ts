/**
 * One behaviour suite for the SQL key store, run on PostgreSQL and on PGlite (same SQL, two engines),
 * plus what only a shared server can show: several processes starting at once.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPglite, createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { KeyStoreError, type KeyStore } from '../../src/keystore/port.ts';

let db: { url: string; drop: () => Promise<void> };
let pgSql: SqlClient;
let pglite: SqlClient;
const extra: SqlClient[] = [];
beforeAll(async () => {
  db = await createScratchPgDatabase();
  pgSql = createPgClient(db.url);
  pglite = await createScratchPglite();
});
afterAll(async () => {
  await Promise.all([pgSql, pglite, ...extra].map((c) => c?.close()));
  await db?.drop();
});

const rnd = (n: number) => new Uint8Array(randomBytes(n));
const bytesEqual = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

async function expectKeyStoreError(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeyStoreError);
  expect((err as KeyStoreError).code).toBe(code);
}

function keyStoreSuite(engine: string, getSql: () => SqlClient): void {
  describe(`SQL key store on ${engine}`, () => {
    const masterKey = rnd(32);
    let store: KeyStore;
    beforeAll(async () => {
      store = await createSqlKeyStore(getSql(), masterKey);
    });

    it('round-trips secrets, including empty and binary ones, and misses absent names', async () => {
      const secret = new Uint8Array([0, 1, 2, 255, 0, 0]);
      await store.put('election/e1/authority', secret);
      await store.put('empty', new Uint8Array(0));
      expect(await store.get('election/e1/authority')).toEqual(secret);
      expect(await store.get('empty')).toEqual(new Uint8Array(0));
      expect(await store.get('election/e1/nothing')).toBeUndefined();
    });

    it('put replaces; putIfAbsent stores only the first value', async () => {
      await store.put('replace/me', new Uint8Array([1]));
      await store.put('replace/me', new Uint8Array([2]));
      expect(await store.get('replace/me')).toEqual(new Uint8Array([2]));
      expect(await store.putIfAbsent('once/me', new Uint8Array([7]))).toBe(true);
      expect(await store.putIfAbsent('once/me', new Uint8Array([8]))).toBe(false);
      expect(await store.get('once/me')).toEqual(new Uint8Array([7]));
    });

    it('putMany then getMany: present names only, the last of a repeated name wins', async () => {
      const entries = Array.from({ length: 4_500 }, (_, i) => ({ name: `many/${i}`, secret: rnd(76) }));
      await store.putMany([...entries, { name: 'many/0', secret: new Uint8Array([42]) }]);
      const got = await store.getMany(['many/0', 'many/1', 'many/4499', 'many/absent', 'many/1']);
      expect([...got.keys()].sort()).toEqual(['many/0', 'many/1', 'many/4499']);
      expect(got.get('many/0')).toEqual(new Uint8Array([42]));
      expect(bytesEqual(got.get('many/4499'), entries[4499]!.secret)).toBe(true);
      expect((await store.getMany([])).size).toBe(0);
    });

    it('putMany validates every name before writing anything', async () => {
      const entries = Array.from({ length: 2_500 }, (_, i) => ({ name: `atomic/${i}`, secret: rnd(8) }));
      entries.push({ name: 'bad\nname', secret: rnd(8) });
      await expect(store.putMany(entries)).rejects.toThrow(RangeError);
      expect((await store.getMany(['atomic/0', 'atomic/2499'])).size).toBe(0);
    });

    it('delete and deletePrefix remove exactly the named entries', async () => {
      await store.putMany([
        { name: 'credential/e9/v1', secret: rnd(4) },
        { name: 'credential/e9/v2', secret: rnd(4) },
        { name: 'credential/e90/v1', secret: rnd(4) },
        { name: 'credential/e9%/v1', secret: rnd(4) },
      ]);
      expect(await store.delete('credential/e9/v1')).toBe(true);
      expect(await store.delete('credential/e9/v1')).toBe(false);
      // '%' and '_' are literal in a prefix (no LIKE pattern).
      expect(await store.deletePrefix('credential/e9/')).toBe(1);
      expect(await store.get('credential/e90/v1')).toBeDefined();
      expect(await store.get('credential/e9%/v1')).toBeDefined();
      await expect(store.deletePrefix('')).rejects.toThrow(RangeError);
    });

    it('refuses reserved and malformed names, and never deletes its own check entry', async () => {
      await expect(store.put('keystore/anything', rnd(4))).rejects.toThrow(RangeError);
      await expect(store.put('', rnd(4))).rejects.toThrow(RangeError);
      await expect(store.put('x'.repeat(513), rnd(4))).rejects.toThrow(RangeError);
      expect(await store.deletePrefix('k')).toBeGreaterThanOrEqual(0);
      // Reopening proves the check entry survived a prefix delete that matches it.
      await expect(createSqlKeyStore(getSql(), masterKey)).resolves.toBeDefined();
    });

    it('keeps only ciphertext at rest, with a fresh nonce per entry', async () => {
      const secret = Buffer.from('a very recognisable secret value, 0123456789');
      await store.put('rest/a', secret);
      await store.put('rest/b', secret);
      const { rows } = await getSql().query<{ name: string; nonce: Uint8Array; ciphertext: Uint8Array }>(
        "select name, nonce, ciphertext from evote_keystore where name in ('rest/a', 'rest/b') order by name",
      );
      expect(rows).toHaveLength(2);
      for (const r of rows) {
        expect(Buffer.from(r.ciphertext).includes(secret.subarray(0, 16))).toBe(false);
        expect(r.nonce.length).toBe(12);
        expect(r.ciphertext.length).toBe(secret.length + 16);
      }
      expect(Buffer.from(rows[0]!.nonce).equals(Buffer.from(rows[1]!.nonce))).toBe(false);
      expect(Buffer.from(rows[0]!.ciphertext).equals(Buffer.from(rows[1]!.ciphertext))).toBe(false);
    });

    it('a ciphertext moved to another name, or a flipped bit, fails authentication', async () => {
      await store.put('move/from', rnd(32));
      await store.put('move/to', rnd(32));
      await getSql().query(
        "update evote_keystore set (nonce, ciphertext) = (select nonce, ciphertext from evote_keystore where name = 'move/from') where name = 'move/to'",
      );
      await expectKeyStoreError(store.get('move/to'), 'KEYSTORE_INTEGRITY');
      expect(await store.get('move/from')).toBeDefined();

      await store.put('flip/me', rnd(32));
      await getSql().query("update evote_keystore set ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) where name = 'flip/me'");
      await expectKeyStoreError(store.get('flip/me'), 'KEYSTORE_INTEGRITY');
      await expectKeyStoreError(store.getMany(['flip/me']), 'KEYSTORE_INTEGRITY');
    });

    it('reopens with the same master key and refuses another one', async () => {
      const secret = rnd(32);
      await store.put('reopen/me', secret);
      const again = await createSqlKeyStore(getSql(), new Uint8Array(masterKey));
      expect(await again.get('reopen/me')).toEqual(secret);
      await expectKeyStoreError(createSqlKeyStore(getSql(), rnd(32)), 'MASTER_KEY_MISMATCH');
      await expect(createSqlKeyStore(getSql(), rnd(16))).rejects.toThrow(RangeError);
    });

    it('putMany stores 100,000 entries', async () => {
      const n = 100_000;
      const entries = Array.from({ length: n }, (_, i) => ({ name: `bulk/e1/${String(i).padStart(6, '0')}`, secret: rnd(76) }));
      const t0 = performance.now();
      await store.putMany(entries);
      const seconds = (performance.now() - t0) / 1000;
      console.log(`[keystore ${engine}] putMany ${n} entries: ${seconds.toFixed(2)} s (${Math.round(n / seconds)} rows/s)`);
      const { rows } = await getSql().query<{ n: number }>("select count(*)::int as n from evote_keystore where name like 'bulk/e1/%'");
      expect(rows[0]?.n).toBe(n);
      const sample = [0, 1, 49_999, 99_999].map((i) => entries[i]!);
      const t1 = performance.now();
      const got = await store.getMany(entries.slice(0, 10_000).map((e) => e.name));
      console.log(`[keystore ${engine}] getMany 10000 entries: ${(performance.now() - t1).toFixed(0)} ms`);
      expect(got.size).toBe(10_000);
      for (const e of sample) expect(bytesEqual(await store.get(e.name), e.secret)).toBe(true);
      expect(await store.deletePrefix('bulk/e1/')).toBe(n);
    });
  });
}

describe('SQL key store on PostgreSQL: several processes', () => {
  it('processes starting at once on an empty database agree on one store', async () => {
    const masterKey = new Uint8Array(randomBytes(32));
    for (let i = 0; i < 3; i++) extra.push(createPgClient(db.url, { max: 2 }));
    const stores = await Promise.all(extra.map((c) => createSqlKeyStore(c, masterKey)));
    await stores[0]!.put('shared/secret', new Uint8Array([9, 9]));
    expect(await stores[2]!.get('shared/secret')).toEqual(new Uint8Array([9, 9]));
    const won = await Promise.all(stores.map((s, i) => s.putIfAbsent('shared/once', new Uint8Array([i]))));
    expect(won.filter(Boolean)).toHaveLength(1);
    await pgSql.query('delete from evote_keystore');
  });
});

keyStoreSuite('PostgreSQL', () => pgSql);
keyStoreSuite('PGlite', () => pglite);
