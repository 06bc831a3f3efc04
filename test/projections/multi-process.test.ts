/**
 * Several processes on one PostgreSQL database: two SqlClients, two event stores and two runners,
 * like two gateway processes, publishing through Redis. Plus the bulk figure: 100,000 voters.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventData, EventStore } from '../../src/eventstore/port.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { electionChannel, type PubSub } from '../../src/pubsub/port.ts';
import type { ElectionTransition } from '../../src/projections/read-models.ts';
import { createRedisPubSub } from '../../src/pubsub/redis-pubsub.ts';
import { createProjectionRunner, type ProjectionRunner } from '../../src/projections/runner.ts';
import { electionsProjection } from '../../src/projections/elections-projection.ts';
import { votersProjection } from '../../src/projections/voters-projection.ts';
import { createReadModelQueries } from '../../src/projections/queries.ts';
import type { Projection } from '../../src/projections/projection.ts';
import type { KeyStore } from '../../src/keystore/port.ts';
import { emailHmac, encryptEmail } from '../../src/keystore/pii.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `evote-test-projections-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;
const AT = '2030-05-01T08:00:00.000Z';
const PII_KEY = new Uint8Array(32).fill(7);

const created = (electionId: string): EventData => ({
  type: 'ElectionCreated',
  data: {
    electionId,
    theme: 'Budget',
    choices: ['a', 'b'],
    expectedVoters: 100_000,
    createdAt: AT,
    authorityPublicKey: 'a'.repeat(392),
    ballotPublicKey: 'b'.repeat(392),
    logPublicKey: 'c'.repeat(43),
  },
});
const voter = (electionId: string, i: number): EventData => ({
  type: 'VoterRegistered',
  data: {
    electionId,
    voterId: `${electionId}-${i}`,
    emailHmac: emailHmac(PII_KEY, `v${i}@example.org`),
    emailEncrypted: encryptEmail(PII_KEY, electionId, `v${i}@example.org`),
    registeredAt: AT,
  },
});
/** These tests only count voters: the queries never need the PII key. */
const NO_KEYS = {} as KeyStore;

/** Counts, per projection, the events handed to apply() in transactions that committed. */
function counted(base: Projection, tally: Map<string, number>): Projection {
  return {
    ...base,
    async apply(tx, events) {
      const out = await base.apply(tx, events);
      // Counted inside the transaction; nothing in this file makes a batch roll back.
      tally.set(base.name, (tally.get(base.name) ?? 0) + events.length);
      return out;
    },
  };
}

describe('projections across two processes on one PostgreSQL database', () => {
  let drop: () => Promise<void>;
  const sqls: SqlClient[] = [];
  const stores: EventStore[] = [];
  const pubsubs: PubSub[] = [];
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    const db = await createScratchPgDatabase();
    drop = db.drop;
    for (let i = 0; i < 2; i++) {
      const sql = createPgClient(db.url, { max: 4 });
      sqls.push(sql);
      stores.push(await createSqlEventStore(sql, { pollIntervalMs: 50 }));
      pubsubs.push(createRedisPubSub(REDIS_URL, { prefix: PREFIX, log: silentLogger }));
    }
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all(pubsubs.map((p) => p.close()));
    await Promise.all(sqls.map((s) => s.close()));
    await drop?.();
  });

  it('applies every event exactly once and notifies each batch once, while both run live', async () => {
    const [storeA, storeB] = stores as [EventStore, EventStore];
    const tallies = [new Map<string, number>(), new Map<string, number>()];
    for (let i = 0; i < 2; i++) {
      const runner = createProjectionRunner({
        store: stores[i] as EventStore,
        sql: sqls[i] as SqlClient,
        projections: [counted(electionsProjection(), tallies[i] as Map<string, number>), counted(votersProjection(), tallies[i] as Map<string, number>)],
        pubsub: pubsubs[i],
        batchSize: 50,
        log: silentLogger,
      });
      runners.push(runner);
    }
    const [runnerA, runnerB] = runners as [ProjectionRunner, ProjectionRunner];
    await Promise.all([runnerA.start(), runnerB.start()]);

    const eid = 'multi';
    const heard: ElectionTransition[] = [];
    await (pubsubs[0] as PubSub).subscribe(electionChannel(eid), (m) => heard.push(m as ElectionTransition));
    await storeA.append(`election-${eid}`, [created(eid)], { expectedRevision: 'no_stream' });

    // Both "processes" write concurrently, one event or a few per append.
    const N = 3_000;
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < N; ) {
      const size = 1 + (i % 7);
      const events = Array.from({ length: Math.min(size, N - i) }, (_, k) => voter(eid, i + k));
      i += events.length;
      writes.push((writes.length % 2 ? storeA : storeB).append(`election-${eid}`, events, { expectedRevision: 'any' }));
    }
    await Promise.all(writes);
    const head = await storeA.headPosition();
    await Promise.all([runnerA.waitFor(head, 30_000), runnerB.waitFor(head, 30_000)]);

    const q = createReadModelQueries(sqls[1] as SqlClient, NO_KEYS);
    expect((await q.getElection(eid))?.voterCount).toBe(N);
    expect(await q.countVoters(eid)).toBe(N);

    // Exactly-once: across both processes, each event reached apply() in a committed batch once.
    const applied = (name: string) => tallies.reduce((sum, t) => sum + (t.get(name) ?? 0), 0);
    expect(applied('voters')).toBe(N);
    expect(applied('elections')).toBe(N + 1);

    // Notifications: one created, and voterCount messages that never repeat a batch. Two publishers
    // may interleave on the wire, so order is checked by position (each message carries it).
    const last = await waitForMessage(heard, (m) => m.transition === 'voterCount' && m.voterCount === N);
    expect(last).toBeDefined();
    expect(heard.filter((m) => m.transition === 'created')).toHaveLength(1);
    const counts = heard.filter((m) => m.transition === 'voterCount').sort((a, b) => a.position - b.position);
    const positions = counts.map((m) => m.position);
    expect(new Set(positions).size).toBe(positions.length);
    const values = counts.map((m) => (m.transition === 'voterCount' ? m.voterCount : 0));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1] as number);
    expect(values.at(-1)).toBe(N);

    const statuses = await Promise.all([runnerA.status(), runnerB.status()]);
    for (const s of statuses.flat()) expect(s.position).toBeLessThanOrEqual(head);
    console.log(`[multi-process] ${N} voters, events applied by A: ${JSON.stringify(Object.fromEntries(tallies[0] ?? []))}, by B: ${JSON.stringify(Object.fromEntries(tallies[1] ?? []))}, voterCount messages: ${counts.length}`);
  });

  it('a rebuild in one process while the other keeps running converges to the same rows', async () => {
    const [runnerA, runnerB] = runners as [ProjectionRunner, ProjectionRunner];
    const sql = sqls[0] as SqlClient;
    const before = (await sql.query('SELECT * FROM elections ORDER BY election_id')).rows;
    const votersBefore = (await sql.query('SELECT count(*)::int AS n FROM voters')).rows[0];
    await runnerA.rebuild('elections');
    await runnerA.rebuild('voters');
    await runnerB.waitFor(await (stores[1] as EventStore).headPosition());
    expect((await sql.query('SELECT * FROM elections ORDER BY election_id')).rows).toEqual(before);
    expect((await sql.query('SELECT count(*)::int AS n FROM voters')).rows[0]).toEqual(votersBefore);
  });

  it('projects 100,000 registrations', { timeout: 240_000 }, async () => {
    const store = stores[0] as EventStore;
    const sql = sqls[0] as SqlClient;
    await Promise.all(runners.map((r) => r.stop()));
    const eid = 'bulk';
    const N = 100_000;
    await store.append(`election-${eid}`, [created(eid)], { expectedRevision: 'no_stream' });
    const t0 = performance.now();
    for (let i = 0; i < N; i += 1_000) {
      await store.append(`election-${eid}`, Array.from({ length: 1_000 }, (_, k) => voter(eid, i + k)), { expectedRevision: 'any' });
    }
    const appendMs = performance.now() - t0;
    const runner = createProjectionRunner({ store, sql, projections: [electionsProjection(), votersProjection()], log: silentLogger });
    const t1 = performance.now();
    await runner.start();
    await runner.waitFor(await store.headPosition(), 120_000);
    const projectMs = performance.now() - t1;
    await runner.stop();
    const q = createReadModelQueries(sql, NO_KEYS);
    expect((await q.getElection(eid))?.voterCount).toBe(N);
    expect(await q.countVoters(eid)).toBe(N);
    console.log(`[bulk] appended ${N} events in ${Math.round(appendMs)} ms; projected in ${Math.round(projectMs)} ms (${Math.round(N / (projectMs / 1000))} events/s)`);
  });
});

async function waitForMessage(heard: ElectionTransition[], ok: (m: ElectionTransition) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = heard.find(ok);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  return undefined;
}
