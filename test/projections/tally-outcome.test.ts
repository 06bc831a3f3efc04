/**
 * The tally projection keeps a method-counted election's outcome (TallyPublished's method, unit and
 * winners, and every RoundCounted without its detail) on real PostgreSQL: the same `tally.results`
 * whatever the batch boundaries (one event a batch puts every round in its own batch), after a
 * rebuild, and its rounds not repeated when a batch is applied twice; a single-choice election keeps
 * its counts and no outcome.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgClient, type SqlClient } from '../../src/sql/client.ts';
import { createScratchPgDatabase } from '../support/scratch-db.ts';
import { createSqlEventStore } from '../../src/eventstore/sql-event-store.ts';
import type { EventData, EventStore } from '../../src/eventstore/port.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { electionChannel } from '../../src/pubsub/port.ts';
import { createProjectionRunner } from '../../src/projections/runner.ts';
import { tallyProjection } from '../../src/projections/tally-projection.ts';
import { createTallyQueries, type TallyResults } from '../../src/projections/tally-queries.ts';
import type { RoundCounted, TallyPublished } from '../../src/domain/tally-events.ts';
import { tallyStreamId } from '../../src/domain/streams.ts';

const STATUSES = { VALID: 3, INVALID_SIGNATURE: 0, DUPLICATE_N2: 0, INVALID_CHOICE: 1, UNDECRYPTABLE: 0 };
const at = '2030-05-01T08:00:00.000Z';

const started = (electionId: string, ballots: number): EventData => ({ type: 'TallyStarted', data: { electionId, ballots, startedAt: at } });
const counted = (electionId: string, i: number, choice: string, status = 'VALID'): EventData => ({
  type: 'VoteCounted',
  data: { electionId, ballotHash: `${electionId}-b${i}`, revealedR: null, n2Commitment: String(i).padStart(64, '0'), choice, status },
});

/** An STV-like count in 10^-5 units, with a tie broken in round 2 and a detail the read side leaves out. */
const rounds = (electionId: string): RoundCounted['data'][] => [
  { electionId, round: 1, tallies: [200000, 100000, 100000], elected: [0], eliminated: [], detail: { quota: 200000, credited: [1, 2, 3] } },
  { electionId, round: 2, tallies: [200000, '150000', 0], elected: [1], eliminated: [2], tieBreak: 'lot: 1 before 2', detail: { quota: 200000 } },
];

function methodElection(electionId: string): EventData[] {
  const published: TallyPublished['data'] = {
    electionId,
    counts: {},
    statuses: STATUSES,
    ballots: 4,
    publishedAt: at,
    method: 'stv-scottish',
    unit: 'votes × 10^-5 (integer units of 0.00001 vote)',
    winners: ['Ada', 'Bob'],
  };
  return [
    started(electionId, 4),
    counted(electionId, 1, 'ranked:0>1'),
    counted(electionId, 2, 'ranked:0'),
    counted(electionId, 3, 'ranked:1>2'),
    counted(electionId, 4, 'Ada', 'INVALID_CHOICE'),
    ...rounds(electionId).map((data) => ({ type: 'RoundCounted', data })),
    { type: 'TallyPublished', data: published },
  ];
}

function pluralityElection(electionId: string): EventData[] {
  return [
    started(electionId, 3),
    counted(electionId, 1, 'Oak'),
    counted(electionId, 2, 'Oak'),
    counted(electionId, 3, 'Elm'),
    { type: 'TallyPublished', data: { electionId, counts: { Oak: 2, Elm: 1 }, statuses: { ...STATUSES, INVALID_CHOICE: 0 }, ballots: 3, publishedAt: at } },
  ];
}

/** What tally.results must say of methodElection: the log's rounds without detail, in order. */
const expectedOutcome = (electionId: string) => ({
  method: 'stv-scottish',
  unit: 'votes × 10^-5 (integer units of 0.00001 vote)',
  winners: ['Ada', 'Bob'],
  rounds: rounds(electionId).map(({ electionId: _e, detail: _d, ...r }) => r),
});

describe('the tally projection keeps the outcome of a method-counted election', () => {
  let drop: () => Promise<void>;
  let sql: SqlClient;
  let store: EventStore;
  const stv = `e${randomUUID().slice(0, 8)}`;
  const plain = `e${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const db = await createScratchPgDatabase();
    drop = db.drop;
    sql = createPgClient(db.url, { max: 4 });
    store = await createSqlEventStore(sql);
    // One append each, as the tally writes its last VoteCounted, rounds and TallyPublished.
    await store.append(tallyStreamId(stv), methodElection(stv), { expectedRevision: 'no_stream' });
    await store.append(tallyStreamId(plain), pluralityElection(plain), { expectedRevision: 'no_stream' });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await sql?.close();
    await drop?.();
  });

  const results = (id: string) => createTallyQueries(sql).results(id);

  it.each([1, 2, 3, 500])('projects the same results in batches of %i, from a rebuild', { timeout: 30_000 }, async (batchSize) => {
    const runner = createProjectionRunner({ store, sql, projections: [tallyProjection()], batchSize, log: silentLogger });
    await runner.rebuild('tally');
    await runner.stop();

    const r = await results(stv);
    expect(r).toMatchObject({ counts: {}, published: true, ballots: 4, counted: 4, statuses: STATUSES });
    expect(r.outcome).toEqual(expectedOutcome(stv));
    // The single-choice election is as before: its counts, no outcome.
    const p = await results(plain);
    expect(p).toMatchObject({ counts: { Oak: 2, Elm: 1 }, published: true, ballots: 3 });
    expect('outcome' in p).toBe(false);
    expect((await sql.query(`SELECT outcome FROM tally_status WHERE election_id = $1`, [plain])).rows).toEqual([{ outcome: null }]);
  });

  it('publishes a `tallied` transition naming the method and the winners; a plurality one stays as it was', { timeout: 30_000 }, async () => {
    const pubsub = createMemoryPubSub();
    const pushes: Record<string, unknown>[] = [];
    const live = `e${randomUUID().slice(0, 8)}`;
    const livePlain = `e${randomUUID().slice(0, 8)}`;
    for (const id of [live, livePlain]) await pubsub.subscribe(electionChannel(id), (m) => pushes.push(m as Record<string, unknown>));
    const runner = createProjectionRunner({ store, sql, projections: [tallyProjection()], batchSize: 1, log: silentLogger, pubsub });
    await runner.start();
    try {
      await store.append(tallyStreamId(live), methodElection(live), { expectedRevision: 'no_stream' });
      const { position } = await store.append(tallyStreamId(livePlain), pluralityElection(livePlain), { expectedRevision: 'no_stream' });
      await runner.waitFor(position, 10_000);
      await expect.poll(() => pushes.filter((m) => m.transition === 'tallied').length).toBe(2);
      const tallied = pushes.filter((m) => m.transition === 'tallied');
      expect(tallied[0]).toMatchObject({ electionId: live, counts: {}, method: 'stv-scottish', unit: expectedOutcome(live).unit, winners: ['Ada', 'Bob'], ballots: 4 });
      expect(tallied[1]).toEqual({ electionId: livePlain, transition: 'tallied', status: 'VOTE_ENDED', position, counts: { Oak: 2, Elm: 1 }, statuses: { ...STATUSES, INVALID_CHOICE: 0 }, ballots: 3 });
      expect((await results(live)).outcome).toEqual(expectedOutcome(live));
    } finally {
      await runner.stop();
    }
  });

  it('applies a batch delivered twice without repeating a round', async () => {
    const projection = tallyProjection();
    await sql.transaction((tx) => projection.reset(tx));
    const events = await store.readStream(tallyStreamId(stv));
    const firstRound = events.findIndex((e) => e.type === 'RoundCounted');
    // Up to the first round, then again from it on (the first round twice), then the whole stream once more.
    await sql.transaction((tx) => projection.apply(tx, events.slice(0, firstRound + 1)));
    await sql.transaction((tx) => projection.apply(tx, events.slice(firstRound)));
    const once: TallyResults = await results(stv);
    expect(once.outcome).toEqual(expectedOutcome(stv));
    await sql.transaction((tx) => projection.apply(tx, events));
    expect((await results(stv)).outcome).toEqual(once.outcome);
  });

  it('shows no outcome before TallyPublished, even with rounds already projected', async () => {
    const projection = tallyProjection();
    await sql.transaction((tx) => projection.reset(tx));
    const events = await store.readStream(tallyStreamId(stv));
    await sql.transaction((tx) => projection.apply(tx, events.filter((e) => e.type !== 'TallyPublished')));
    const r = await results(stv);
    expect(r).toMatchObject({ published: false, counts: {}, counted: 4 });
    expect('outcome' in r).toBe(false);
  });
});
