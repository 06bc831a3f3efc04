/** Embedded PGlite under a data dir: created by a child process, sized by PGLITE_SETTINGS, reopened as it is. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteClient, PGLITE_SETTINGS } from '../../src/sql/client.ts';
import { pgliteDataDirExists } from '../../src/sql/pglite-data-dir.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'evote-pglite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('PGlite under a data dir', () => {
  it('creates the database in a child process, runs with the embedded settings, and reopens what it wrote', async () => {
    const dir = path.join(root, 'db');
    expect(pgliteDataDirExists(dir)).toBe(false);
    const sql = await createPgliteClient(dir);
    try {
      expect(pgliteDataDirExists(dir)).toBe(true);
      for (const [name, value] of Object.entries(PGLITE_SETTINGS)) {
        const shown = (await sql.query<Record<string, string>>(`show ${name}`)).rows[0]?.[name];
        expect({ name, value: shown }).toEqual({ name, value });
      }
      await sql.query('create table kept (n int)');
      await sql.query('insert into kept values (7)');
      expect(sql.wasmMemoryBytes?.()).toBeGreaterThan(0);
    } finally {
      await sql.close();
    }
    const again = await createPgliteClient(dir);
    try {
      expect((await again.query<{ n: number }>('select n from kept')).rows).toEqual([{ n: 7 }]);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('says why when the data dir cannot be created', async () => {
    const file = path.join(root, 'not-a-dir');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, 'x'));
    await expect(createPgliteClient(path.join(file, 'db'))).rejects.toThrow(/creating the PGlite database in .* failed/);
  }, 60_000);
});
