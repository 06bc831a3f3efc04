/**
 * Level 1's credential reads gathered per event-loop turn, on a real key store (PGlite): the
 * reads of one turn are answered by one getMany, each caller gets its own entry (or undefined),
 * nothing is cached between turns, and a failing store fails every read of the batch.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchedKeyReads } from '../../src/auth/batched-key-reads.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import type { KeyStore } from '../../src/keystore/port.ts';
import type { SqlClient } from '../../src/sql/client.ts';
import { createScratchPglite } from '../support/scratch-db.ts';

let sql: SqlClient;
let keyStore: KeyStore;
const secret = (i: number) => new Uint8Array(32).fill(i);

beforeAll(async () => {
  sql = await createScratchPglite();
  keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
  for (let i = 1; i <= 5; i++) await keyStore.put(`credential/e/v${i}`, secret(i));
});
afterAll(async () => {
  await sql?.close();
});

/** The key store, counting getMany calls and the names each was given. */
function counting(store: KeyStore) {
  const calls: string[][] = [];
  return {
    calls,
    getMany: (names: readonly string[]) => {
      calls.push([...names]);
      return store.getMany(names);
    },
  };
}

describe('batched key-store reads', () => {
  it('answers the reads of one turn with one getMany, each with its own entry', async () => {
    const store = counting(keyStore);
    const reader = batchedKeyReads(store);
    const names = ['credential/e/v3', 'credential/e/absent', 'credential/e/v1', 'credential/e/v3', 'credential/e/v5'];
    const got = await Promise.all(names.map((n) => reader.get(n)));
    expect(store.calls).toHaveLength(1);
    expect(got).toEqual([secret(3), undefined, secret(1), secret(3), secret(5)]);
  });

  it('reads again in a later turn: nothing is cached, a deleted entry is gone at once', async () => {
    const store = counting(keyStore);
    const reader = batchedKeyReads(store);
    await keyStore.put('credential/e/temp', secret(9));
    expect(await reader.get('credential/e/temp')).toEqual(secret(9));
    await keyStore.delete('credential/e/temp');
    expect(await reader.get('credential/e/temp')).toBeUndefined();
    expect(store.calls).toHaveLength(2);
  });

  it('refuses a malformed name alone: the other reads of its turn are answered', async () => {
    const reader = batchedKeyReads(keyStore);
    const bad = reader.get('credential/e/\u0000');
    const good = reader.get('credential/e/v4');
    await expect(bad).rejects.toThrow(RangeError);
    expect(await good).toEqual(secret(4));
  });

  it('fails every read of a batch when the store fails, and recovers for the next', async () => {
    let fail = true;
    const reader = batchedKeyReads({
      getMany: (names) => (fail ? Promise.reject(new Error('store down')) : keyStore.getMany(names)),
    });
    const reads = [reader.get('credential/e/v1'), reader.get('credential/e/v2')];
    await expect(Promise.all(reads.map((r) => r.then(() => 'ok', (e: Error) => e.message)))).resolves.toEqual(['store down', 'store down']);
    fail = false;
    expect(await reader.get('credential/e/v2')).toEqual(secret(2));
  });
});
