/**
 * Schema migrations on real PostgreSQL and on PGlite: an empty database and one the previous release
 * created (test/fixtures/schema-0.1.0.sql) reach the same schema, rows survive, a second run and a
 * concurrent one change nothing, and a database from a newer release is refused.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgClient, type SqlClient, type SqlExecutor } from '../../src/sql/client.ts';
import { migrateToLatest, MIGRATIONS_TABLE, schemaStatus, SchemaError } from '../../src/sql/migrate.ts';
import { MIGRATIONS } from '../../src/sql/migrations/index.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { pooledOfElection, storeAdmission } from '../../src/pool/pool-table.ts';
import { createScratchPglite, createScratchPgDatabase } from '../support/scratch-db.ts';
import { runEvote } from '../support/run-cli.ts';

const LATEST = MIGRATIONS.length;

/** The fixture's statements: pg_dump ends each with `;` and a blank line (also inside none of them). */
const previousRelease = readFileSync(new URL('../fixtures/schema-0.1.0.sql', import.meta.url), 'utf8')
  .split(/;\n\s*\n/)
  .map((chunk) =>
    chunk
      .split('\n')
      .filter((line) => !line.startsWith('--'))
      .join('\n')
      .trim(),
  )
  .filter((s) => s.length > 0);

/** Tables, columns, constraints, indexes and functions of `public`, knex's own tables left out. */
async function schemaOf(db: SqlExecutor): Promise<string[]> {
  const parts = await Promise.all([
    db.query<{ d: string }>(
      `select table_name || '.' || column_name || ' #' || ordinal_position || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '-') as d
       from information_schema.columns where table_schema = 'public' and table_name not like 'knex%'`,
    ),
    db.query<{ d: string }>(
      `select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) as d
       from pg_constraint where connamespace = 'public'::regnamespace and conrelid::regclass::text not like 'knex%'`,
    ),
    db.query<{ d: string }>(`select indexdef as d from pg_indexes where schemaname = 'public' and tablename not like 'knex%'`),
    db.query<{ d: string }>(
      `select proname || '(' || pg_get_function_identity_arguments(oid) || ') ' || provolatile::text || ' ' || md5(prosrc) as d
       from pg_proc where pronamespace = 'public'::regnamespace`,
    ),
  ]);
  return parts.flatMap((p) => p.rows.map((r) => r.d)).sort();
}

/** Tables and columns added after 0.1.0, by migration: compared with the release's schema, they are left out. */
const LATER_TABLES = /^elections\.(witnesses|trustees|ballot|weight_classes) |^voters\.weight |^tally_status\.outcome |^(evote_tally_plans|evote_tally_ranges|evote_trustee_partials|evote_trustee_batches)[. ]|^CREATE (UNIQUE )?INDEX \S+ ON public\.(evote_tally_plans|evote_tally_ranges|evote_trustee_partials|evote_trustee_batches) |^CREATE INDEX votes_election_ballot_position ON /;
const asOfRelease = (schema: string[]) => schema.filter((d) => !LATER_TABLES.test(d));

async function emptyPublicSchema(db: SqlExecutor): Promise<void> {
  await db.query('drop schema public cascade');
  await db.query('create schema public');
}

async function loadPreviousRelease(db: SqlExecutor): Promise<void> {
  for (const statement of previousRelease) await db.query(statement);
}

async function appliedRows(db: SqlExecutor): Promise<number> {
  return Number((await db.query<{ n: string }>(`select count(*) as n from ${MIGRATIONS_TABLE}`)).rows[0]?.n);
}

function migrationSuite(name: string, open: () => Promise<{ sql: SqlClient; another: () => SqlClient | undefined; close: () => Promise<void> }>) {
  describe(`schema migrations on ${name}`, () => {
    let sql: SqlClient;
    let another: () => SqlClient | undefined;
    let close: () => Promise<void>;
    let releaseSchema: string[];

    beforeAll(async () => {
      ({ sql, another, close } = await open());
      await emptyPublicSchema(sql);
      await loadPreviousRelease(sql);
      releaseSchema = await schemaOf(sql);
    });
    afterAll(async () => close());
    beforeEach(async () => emptyPublicSchema(sql));

    it('the fixture is the whole previous schema: 17 tables, 27 indexes (19 behind keys), and the append function', () => {
      const tables = new Set(releaseSchema.filter((d) => / #\d+ /.test(d)).map((d) => d.split('.')[0]));
      expect(tables.size).toBe(17);
      expect(releaseSchema.filter((d) => d.startsWith('CREATE INDEX') || d.startsWith('CREATE UNIQUE INDEX')).length).toBe(27);
      expect(releaseSchema.some((d) => d.startsWith('evote_append_group('))).toBe(true);
    });

    it('migrates an empty database to the latest version, with the schema the previous release created', async () => {
      expect(await schemaStatus(sql)).toEqual({ version: 0, latest: LATEST, applied: [], pending: MIGRATIONS.map((m) => m.name) });
      const run = await migrateToLatest(sql);
      expect(run).toMatchObject({ version: LATEST, latest: LATEST, pending: [], ran: MIGRATIONS.map((m) => m.name) });
      const latest = await schemaOf(sql);
      expect(asOfRelease(latest)).toEqual(releaseSchema);
      // 0002: the shared tally's plan and range claims; 0003: the trustees' partial decryptions; with their keys; 0004: the election's pins;
      // 0005: the trustees' batches, and each partial's batch; 0006: the election's ballot rules; 0007: votes' first-copy index;
      // 0008: the election's weight classes and each voter's weight; 0009: the tally's outcome (method, winners, rounds).
      expect(latest.filter((d) => LATER_TABLES.test(d) && / #\d+ /.test(d)).length).toBe(4 + 9 + 5 + 2 + 7 + 1 + 1 + 2 + 1);
      expect(latest.filter((d) => /^tally_status\.outcome #9 jsonb YES -$/.test(d))).toHaveLength(1);
      expect(latest.filter((d) => /^(elections\.weight_classes #\d+ jsonb|voters\.weight #\d+ integer) YES/.test(d))).toHaveLength(2);
      expect(latest.filter((d) => /^evote_trustee_partials\.batch_id #\d+ text YES/.test(d))).toHaveLength(1);
      expect(latest).toContain('evote_trustee_batches evote_trustee_batches_pkey PRIMARY KEY (election_id, trustee_index, batch_id)');
      expect(latest.filter((d) => d.startsWith('CREATE INDEX votes_election_ballot_position ON public.votes USING btree (election_id, ballot_hash, "position")'))).toHaveLength(1);
      expect(latest.filter((d) => /^elections\.(witnesses|trustees|ballot) #\d+ jsonb YES/.test(d))).toHaveLength(3);
      expect(latest).toContain('evote_tally_ranges evote_tally_ranges_pkey PRIMARY KEY (election_id, range_index)');
      expect(latest).toContain('evote_trustee_partials evote_trustee_partials_pkey PRIMARY KEY (election_id, ballot_hash, trustee_index)');
      expect(await schemaStatus(sql)).toMatchObject({ version: LATEST, pending: [] });
    });

    it('adopts a database the previous release created: version recorded, rows intact, schema equal to a fresh one', async () => {
      await loadPreviousRelease(sql);
      const store = await createSqlEventStore(sql);
      const streamId = `election-${randomUUID()}`;
      await store.append(streamId, [{ type: 'ElectionCreated', data: { theme: 'kept' } }], { expectedRevision: 'no_stream' });
      const masterKey = new Uint8Array(randomBytes(32));
      await (await createSqlKeyStore(sql, masterKey)).put('election/e1/secret', new Uint8Array([1, 2, 3]));
      await sql.query(`insert into evote_projection_checkpoints (name, position) values ('elections', 1)`);
      await sql.query(`insert into tally_status (election_id, status, ballots, counted, started_at, position) values ('e1', 'PUBLISHED', 3, 3, now(), 7)`);
      const pooled = { electionId: 'e1', streamId: 'ballot-e1-x', kind: 'cast' as const, expectedRevision: -1, event: { id: randomUUID(), type: 'BallotCast', data: { n: 1 } } };
      await storeAdmission(sql, 'e1', [pooled]);

      const run = await migrateToLatest(sql);
      await store.close();

      expect(run.version).toBe(LATEST);
      expect(run.ran[0]).toBe('0001_baseline');
      const events = await (await createSqlEventStore(sql)).readStream(streamId);
      expect(events.map((e) => [e.type, e.data])).toEqual([['ElectionCreated', { theme: 'kept' }]]);
      expect(await (await createSqlKeyStore(sql, masterKey)).get('election/e1/secret')).toEqual(new Uint8Array([1, 2, 3]));
      const checkpoints = await sql.query<{ position: unknown }>(`select position from evote_projection_checkpoints where name = 'elections'`);
      expect(checkpoints.rows.map((r) => Number(r.position))).toEqual([1]);
      expect(await pooledOfElection(sql, 'e1')).toEqual([pooled]);
      // 0009: a tally published before has no outcome (a projection reset refills it from the log).
      expect((await sql.query(`select ballots, outcome from tally_status where election_id = 'e1'`)).rows).toEqual([{ ballots: 3, outcome: null }]);
      expect(asOfRelease(await schemaOf(sql))).toEqual(releaseSchema);
    });

    it('a second run is a no-op', async () => {
      await migrateToLatest(sql);
      const again = await migrateToLatest(sql);
      expect(again.ran).toEqual([]);
      expect(again.version).toBe(LATEST);
      expect(await appliedRows(sql)).toBe(LATEST);
    });

    it('two migrators at once both succeed and the schema is applied once', async () => {
      const other = another() ?? sql;
      const runs = await Promise.all([migrateToLatest(sql), migrateToLatest(other)]);
      expect(runs.map((r) => r.version)).toEqual([LATEST, LATEST]);
      expect(runs.flatMap((r) => r.ran)).toEqual(MIGRATIONS.map((m) => m.name));
      expect(await appliedRows(sql)).toBe(LATEST);
      expect(asOfRelease(await schemaOf(sql))).toEqual(releaseSchema);
    });

    it('refuses a database at a newer version than this release knows, and leaves it as it is', async () => {
      await migrateToLatest(sql);
      const newer = `${String(LATEST + 1).padStart(4, '0')}_from_a_newer_release`;
      await sql.query(`insert into ${MIGRATIONS_TABLE} (name, batch, migration_time) values ($1, 2, now())`, [newer]);
      const refused = await migrateToLatest(sql).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(SchemaError);
      expect((refused as SchemaError).code).toBe('SCHEMA_TOO_NEW');
      expect((refused as SchemaError).message).toContain(`schema version ${LATEST + 1}`);
      await expect(schemaStatus(sql)).rejects.toMatchObject({ code: 'SCHEMA_TOO_NEW' });
      expect(await appliedRows(sql)).toBe(LATEST + 1);
      // The lock was given back: a later run (after the row goes) proceeds.
      await sql.query(`delete from ${MIGRATIONS_TABLE} where name = $1`, [newer]);
      expect((await migrateToLatest(sql)).ran).toEqual([]);
    });
  });
}

describe('the migration list', () => {
  it('is numbered from 0001 without gaps, each name NNNN_what', () => {
    expect(MIGRATIONS.map((m) => m.name.slice(0, 5))).toEqual(MIGRATIONS.map((_, i) => `${String(i + 1).padStart(4, '0')}_`));
    for (const m of MIGRATIONS) expect(m.name).toMatch(/^\d{4}_[a-z0-9_]+$/);
  });
});

const others: SqlClient[] = [];
migrationSuite('PostgreSQL', async () => {
  const db = await createScratchPgDatabase({ migrated: false });
  const sql = createPgClient(db.url);
  return {
    sql,
    another: () => {
      const c = createPgClient(db.url);
      others.push(c);
      return c;
    },
    close: async () => {
      await Promise.all([...others, sql].map((c) => c.close()));
      await db.drop();
    },
  };
});

migrationSuite('PGlite', async () => {
  const sql = await createScratchPglite({ migrated: false });
  return { sql, another: () => undefined, close: () => sql.close() };
});

describe('evote db migrate / db version (the real CLI, PostgreSQL)', () => {
  let db: { url: string; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await createScratchPgDatabase({ migrated: false });
  });
  afterAll(async () => db?.drop());

  it('migrates, reports the version, refuses a newer database with SCHEMA_TOO_NEW', async () => {
    const env = { DATABASE_URL: db.url };
    const before = await runEvote(['db', 'version'], env);
    expect(before.stdout).toContain(`schema version 0 of ${LATEST}`);

    const first = await runEvote(['db', 'migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`applied ${MIGRATIONS.map((m) => m.name).join(', ')}; schema version ${LATEST} of ${LATEST}; up to date`);

    const second = await runEvote(['--json', 'db', 'migrate'], env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ version: LATEST, latest: LATEST, ran: [], pending: [] });

    const sql = createPgClient(db.url);
    await sql.query(`insert into ${MIGRATIONS_TABLE} (name, batch, migration_time) values ('9999_future', 9, now())`);
    await sql.close();
    const refused = await runEvote(['db', 'migrate'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^evote: SCHEMA_TOO_NEW: the database is at schema version 9999/);
  }, 120_000);
});
