/**
 * The projection runner and the read models, on both SQL back-ends: embedded PGlite (one per file)
 * and a scratch database on the real PostgreSQL server. Events are appended straight to the store.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPglite, createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventData, EventStore } from '../../src/eventstore/port.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { electionChannel } from '../../src/pubsub/port.ts';
import type { ElectionTransition } from '../../src/projections/read-models.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { createProjectionRunner, type ProjectionRunnerOptions } from '../../src/projections/runner.ts';
import { defaultProjections } from '../../src/projections/index.ts';
import { electionsProjection } from '../../src/projections/elections-projection.ts';
import { votersProjection } from '../../src/projections/voters-projection.ts';
import { createReadModelQueries } from '../../src/projections/queries.ts';
import { isProjectionError } from '../../src/projections/errors.ts';
import type { Projection } from '../../src/projections/projection.ts';
import { createSqlKeyStore } from '../../src/keystore/sql-key-store.ts';
import { keyNames, type KeyStore } from '../../src/keystore/port.ts';
import { emailHmac, encryptEmail, shredPiiKey } from '../../src/keystore/pii.ts';
import { randomBytes } from 'node:crypto';

/** One PII key for every election of this file (the key store gets it per election the test reads). */
const PII_KEY = new Uint8Array(randomBytes(32));
const T0 = Date.parse('2030-05-01T08:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const ev = {
  created: (electionId: string, expectedVoters = 100): EventData => ({
    type: 'ElectionCreated',
    data: {
      electionId,
      theme: `Theme of ${electionId}`,
      choices: ['yes', 'no', 'blank'],
      expectedVoters,
      createdAt: at(0),
      authorityPublicKey: 'a'.repeat(392),
      ballotPublicKey: 'b'.repeat(392),
      logPublicKey: 'c'.repeat(43),
    },
  }),
  configured: (electionId: string, closesAt: string | null): EventData => ({
    type: 'ElectionConfigured',
    data: { electionId, theme: 'Renamed theme', closesAt, configuredAt: at(1) },
  }),
  voter: (electionId: string, i: number): EventData => ({
    type: 'VoterRegistered',
    data: {
      electionId,
      voterId: `${electionId}-v${String(i).padStart(6, '0')}`,
      emailHmac: emailHmac(PII_KEY, `voter${i}@example.org`),
      emailEncrypted: encryptEmail(PII_KEY, electionId, `voter${i}@example.org`),
      registeredAt: at(2 + (i % 50)),
    },
  }),
  started: (electionId: string, registeredVoters: number): EventData => ({
    type: 'VotingStarted',
    data: { electionId, startedAt: at(100), registeredVoters },
  }),
  ended: (electionId: string): EventData => ({ type: 'VotingEnded', data: { electionId, endedAt: at(200), reason: 'ADMIN' } }),
};

const voters = (electionId: string, from: number, count: number) => Array.from({ length: count }, (_, i) => ev.voter(electionId, from + i));
const append = async (store: EventStore, electionId: string, events: EventData[]) => (await store.append(`election-${electionId}`, events, { expectedRevision: 'any' })).position;
const newId = () => `e${randomUUID().slice(0, 8)}`;

async function dump(sql: SqlClient) {
  const elections = await sql.query('SELECT * FROM elections ORDER BY election_id');
  const voterRows = await sql.query('SELECT * FROM voters ORDER BY voter_id');
  return { elections: elections.rows, voters: voterRows.rows };
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Backend = { name: string; open: () => Promise<{ sql: SqlClient; close: () => Promise<void> }> };

const backends: Backend[] = [
  {
    name: 'PGlite',
    async open() {
      const sql = await createScratchPglite();
      return { sql, close: () => sql.close() };
    },
  },
  {
    name: 'PostgreSQL',
    async open() {
      const db = await createScratchPgDatabase();
      const sql = createPgClient(db.url);
      return {
        sql,
        async close() {
          await sql.close();
          await db.drop();
        },
      };
    },
  },
];

describe.each(backends)('projection runner on $name', (backend) => {
  let sql: SqlClient;
  let store: EventStore;
  let keyStore: KeyStore;
  let close: () => Promise<void>;
  const runnerOpts = (extra: Partial<ProjectionRunnerOptions> = {}): ProjectionRunnerOptions => ({
    store,
    sql,
    projections: defaultProjections(),
    log: silentLogger,
    retry: { minMs: 10, maxMs: 50 },
    ...extra,
  });

  beforeAll(async () => {
    ({ sql, close } = await backend.open());
    store = await createSqlEventStore(sql, { pollIntervalMs: 50 });
    keyStore = await createSqlKeyStore(sql, new Uint8Array(randomBytes(32)));
  });
  afterAll(async () => {
    await store?.close();
    await close?.();
  });

  it('catches up on existing events into elections and voters rows', async () => {
    const a = newId();
    const b = newId();
    await append(store, a, [ev.created(a, 30), ev.configured(a, at(500)), ...voters(a, 0, 25)]);
    await append(store, b, [ev.created(b), ...voters(b, 0, 3)]);
    const head = await append(store, a, [ev.started(a, 25), ev.ended(a)]);

    const runner = createProjectionRunner(runnerOpts());
    await runner.start();
    try {
      await runner.waitFor(head);
      await keyStore.put(keyNames.pii(a), PII_KEY);
      const q = createReadModelQueries(sql, keyStore);
      const ea = await q.getElection(a);
      expect(ea).toEqual({
        electionId: a,
        theme: 'Renamed theme',
        choices: ['yes', 'no', 'blank'],
        expectedVoters: 30,
        status: 'VOTE_ENDED',
        voterCount: 25,
        closesAt: at(500),
        createdAt: at(0),
        startedAt: at(100),
        endedAt: at(200),
        position: head,
        authorityPublicKey: 'a'.repeat(392),
        ballotPublicKey: 'b'.repeat(392),
        logPublicKey: 'c'.repeat(43),
        witnesses: [],
        trustees: null,
      });
      const eb = await q.getElection(b);
      expect(eb).toMatchObject({ status: 'REGISTER', voterCount: 3, closesAt: null, startedAt: null, theme: `Theme of ${b}` });
      expect(await q.countVoters(a)).toBe(25);
      expect(await q.getElection('nope')).toBeUndefined();

      // Paging follows (registered_at, voter_id) and is capped at 1,000.
      const all = await q.listVoters(a, { offset: 0, limit: 5000 });
      expect(all).toHaveLength(25);
      const sorted = [...all].sort((x, y) => x.registeredAt.localeCompare(y.registeredAt) || x.voterId.localeCompare(y.voterId));
      expect(all).toEqual(sorted);
      expect(await q.listVoters(a, { offset: 10, limit: 5 })).toEqual(all.slice(10, 15));
      expect(all[0]).toMatchObject({ electionId: a, email: expect.stringMatching(/^voter\d+@example\.org$/), credentialStatus: 'none', channel: null });
      expect(new Set(all.map((v) => v.email)).size).toBe(25);
      // The table holds the ciphertext only; the address is decrypted on read.
      expect(JSON.stringify(await sql.query('SELECT * FROM voters WHERE election_id = $1', [a]))).not.toContain('@example.org');
      // Crypto-shredding: without the PII key every address reads as null ("forgotten").
      await shredPiiKey(keyStore, a);
      expect((await q.listVoters(a, { offset: 0, limit: 5 })).map((v) => v.email)).toEqual([null, null, null, null, null]);
      expect((await q.listElections()).map((e) => e.electionId)).toEqual(expect.arrayContaining([a, b]));
    } finally {
      await runner.stop();
    }
  });

  it('follows live appends and reads its own writes through waitFor', async () => {
    const runner = createProjectionRunner(runnerOpts());
    await runner.start();
    const q = createReadModelQueries(sql, keyStore);
    try {
      const id = newId();
      await runner.waitFor(await append(store, id, [ev.created(id, 2)]));
      expect((await q.getElection(id))?.status).toBe('REGISTER');
      await runner.waitFor(await append(store, id, voters(id, 0, 2)));
      expect((await q.getElection(id))?.voterCount).toBe(2);
      const pos = await append(store, id, [ev.started(id, 2)]);
      await runner.waitFor(pos);
      expect(await q.getElection(id)).toMatchObject({ status: 'VOTE_STARTED', startedAt: at(100), position: pos });
    } finally {
      await runner.stop();
    }
  });

  it('publishes transitions after commit, in position order, with one coalesced voterCount per batch', async () => {
    const pubsub = createMemoryPubSub();
    const id = newId();
    const received: ElectionTransition[] = [];
    await pubsub.subscribe(electionChannel(id), (m) => received.push(m as ElectionTransition));
    // Everything is in the log before the runner starts: one batch.
    await append(store, id, [ev.created(id, 5), ev.configured(id, null), ...voters(id, 0, 5)]);
    const head = await append(store, id, [ev.started(id, 5), ev.ended(id)]);
    const runner = createProjectionRunner(runnerOpts({ pubsub }));
    await runner.start();
    try {
      await runner.waitFor(head);
      await until(async () => received.length, (n) => n >= 5);
      expect(received.map((m) => m.transition)).toEqual(['created', 'configured', 'voterCount', 'started', 'ended']);
      const positions = received.map((m) => m.position);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
      const count = received[2];
      expect(count).toMatchObject({ transition: 'voterCount', voterCount: 5, status: 'REGISTER' });
      const started = received[3];
      expect(started?.transition === 'started' && started.election.voterCount).toBe(5);
      const ended = received[4];
      expect(ended).toMatchObject({ transition: 'ended', status: 'VOTE_ENDED', position: head });

      // Live: counts only grow, never repeat a position, and the last one is the total.
      const live: ElectionTransition[] = [];
      const other = newId();
      await pubsub.subscribe(electionChannel(other), (m) => live.push(m as ElectionTransition));
      await runner.waitFor(await append(store, other, [ev.created(other)]));
      const positionsLive = await Promise.all(Array.from({ length: 40 }, (_, i) => append(store, other, [ev.voter(other, i)])));
      await runner.waitFor(Math.max(...positionsLive));
      await until(async () => live.at(-1), (m) => m?.transition === 'voterCount' && m.voterCount === 40);
      const counts = live.filter((m) => m.transition === 'voterCount').map((m) => (m.transition === 'voterCount' ? m.voterCount : -1));
      expect(counts.at(-1)).toBe(40);
      expect(counts.length).toBeLessThanOrEqual(40);
      for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThan(counts[i - 1] as number);
    } finally {
      await runner.stop();
      await pubsub.close();
    }
  });

  it('survives an apply that throws once: retried, rows not doubled, error exposed in status', async () => {
    const base = electionsProjection();
    let failuresLeft = 1;
    const flaky: Projection = {
      ...base,
      async apply(tx, events) {
        const out = await base.apply(tx, events); // rows written inside the transaction...
        if (failuresLeft-- > 0) throw new Error('injected failure'); // ...then rolled back
        return out;
      },
    };
    const id = newId();
    const head = await append(store, id, [ev.created(id), ...voters(id, 0, 7)]);
    const runner = createProjectionRunner(runnerOpts({ projections: [flaky, votersProjection()] }));
    await runner.start();
    try {
      await runner.waitFor(head);
      expect(failuresLeft).toBeLessThan(0); // it did fail once
      expect((await createReadModelQueries(sql, keyStore).getElection(id))?.voterCount).toBe(7);
      const status = (await runner.status()).find((s) => s.name === 'elections');
      expect(status?.lastError).toMatchObject({ message: 'injected failure', attempts: 0 });
    } finally {
      await runner.stop();
    }
  });

  it('keeps retrying a persistently failing batch without advancing, and reports it', async () => {
    const base = votersProjection();
    const broken: Projection = {
      ...base,
      async apply() {
        throw new Error('always broken');
      },
    };
    const id = newId();
    const before = (await sql.query<{ position: number }>(`SELECT position FROM evote_projection_checkpoints WHERE name = 'voters'`)).rows[0]?.position;
    await append(store, id, [ev.created(id), ...voters(id, 0, 3)]);
    const runner = createProjectionRunner(runnerOpts({ projections: [broken] }));
    await runner.start();
    try {
      const status = await until(
        async () => (await runner.status())[0],
        (s) => (s?.lastError?.attempts ?? 0) >= 3,
      );
      expect(status).toMatchObject({ name: 'voters', running: true, lastError: { message: 'always broken' } });
      expect(status?.lastError?.attempts).toBeGreaterThanOrEqual(3);
      expect(status?.position).toBe(before);
      expect(status?.lag).toBeGreaterThan(0);
      const err = await runner.waitFor(status?.head ?? 0, 200).catch((e: unknown) => e);
      expect(isProjectionError(err) && err.code).toBe('PROJECTION_TIMEOUT');
    } finally {
      await runner.stop();
    }
    // The healthy projection then catches up on the same events exactly once.
    const healthy = createProjectionRunner(runnerOpts());
    await healthy.start();
    try {
      await healthy.waitFor(await store.headPosition());
      expect(await createReadModelQueries(sql, keyStore).countVoters(id)).toBe(3);
    } finally {
      await healthy.stop();
    }
  });

  it('rebuild from zero gives identical rows (and repairs a corrupted row)', async () => {
    const id = newId();
    await append(store, id, [ev.created(id), ...voters(id, 0, 40), ev.started(id, 40)]);
    const pubsub = createMemoryPubSub();
    const heard: ElectionTransition[] = [];
    await pubsub.subscribe(electionChannel(id), (m) => heard.push(m as ElectionTransition));
    const runner = createProjectionRunner(runnerOpts({ pubsub }));
    await runner.start();
    try {
      await runner.waitFor(await store.headPosition());
      const original = await dump(sql);
      expect(original.voters.length).toBeGreaterThanOrEqual(40);
      await sql.query(`UPDATE elections SET voter_count = 999 WHERE election_id = $1`, [id]);
      await sql.query(`DELETE FROM voters WHERE election_id = $1 AND voter_id LIKE '%0'`, [id]);
      expect(await dump(sql)).not.toEqual(original);

      const head = await store.headPosition();
      const elections = await runner.rebuild('elections');
      const votersResult = await runner.rebuild('voters');
      expect(elections.position).toBe(head);
      expect(votersResult.position).toBe(head);
      expect(await dump(sql)).toEqual(original);

      // Live again after the rebuild; the replayed history was not announced a second time.
      const end = await append(store, id, [ev.ended(id)]);
      await runner.waitFor(end);
      expect((await createReadModelQueries(sql, keyStore).getElection(id))?.status).toBe('VOTE_ENDED');
      await until(async () => heard.length, (n) => n >= 4);
      expect(heard.map((m) => m.transition)).toEqual(['created', 'voterCount', 'started', 'ended']);
      await expect(runner.rebuild('nope')).rejects.toMatchObject({ code: 'PROJECTION_NOT_FOUND' });
    } finally {
      await runner.stop();
      await pubsub.close();
    }
  });

  it('status reports lag, and checkpoints move past events no filter matches', async () => {
    const runner = createProjectionRunner(runnerOpts());
    const id = newId();
    await append(store, id, [ev.created(id)]);
    const head = (await store.append(`ballot-${id}`, [{ type: 'SomethingElse', data: { n: 1 } }], { expectedRevision: 'any' })).position;
    // Not started: the checkpoints lag behind the head.
    const idle = await runner.status();
    expect(idle.map((s) => s.name).sort()).toEqual(['elections', 'voters']);
    for (const s of idle) {
      expect(s.head).toBe(head);
      expect(s.lag).toBe(s.head - s.position);
      expect(s.lag).toBeGreaterThan(0);
      expect(s.running).toBe(false);
    }
    await runner.start();
    try {
      await runner.waitFor(head, 5_000);
      // The unrelated event at the head moves both checkpoints too, so lag reads 0.
      const caughtUp = await until(() => runner.status(), (all) => all.every((s) => s.lag === 0));
      for (const s of caughtUp) expect(s).toMatchObject({ position: head, head, lag: 0, running: true });
    } finally {
      await runner.stop();
    }
  });
});

