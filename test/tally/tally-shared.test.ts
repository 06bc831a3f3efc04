/**
 * A tally shared by two processes (run-tally-child.ts, real child processes on one scratch
 * PostgreSQL database): one is SIGKILLed half way, while it holds claimed ranges and after it has
 * counted some; the other takes its ranges over once their leases lapse and publishes. The result
 * must equal a one-process tally of a copy of the same log (VoteCounted for VoteCounted) and the
 * counts known by construction, with exactly one VoteCounted per ballot, and the audit must pass.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TallyPublished, VoteCounted } from '../../src/domain/tally-events.ts';
import { runTally } from '../../src/tally/tally-run.ts';
import { createProjectionRunner } from '../../src/projections/runner.ts';
import { transparencyLogProjection } from '../../src/projections/transparency-log-projection.ts';
import { createCheckpointer } from '../../src/audit/checkpointer.ts';
import { verifyFromStore } from '../../src/audit/verify.ts';
import { silentLogger } from '../../src/runtime/log.ts';
import { writeElection, untilCheckpointed, type Fixture } from '../audit/election-fixture.ts';
import { cloneWorld, startTallyWorld, tallyEvents, type TallyWorld } from './fixture.ts';

const CHILD = fileURLToPath(new URL('./run-tally-child.ts', import.meta.url));
const VOTERS = 600;
const RANGE_SIZE = 15;
const LEASE_MS = 1_500;

function startChild(world: TallyWorld, electionId: string): ChildProcess {
  // Its own process group, so SIGKILL reaches the process whatever wraps it.
  return spawn(process.execPath, ['--import', 'tsx', CHILD], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      WAIT_FOR_GO: '1',
      ...process.env,
      DATABASE_URL: world.databaseUrl,
      MASTER_KEY: world.masterKey,
      ELECTION_ID: electionId,
      WORKERS: '1',
      CHUNK: '20',
      APPEND_BATCH: '20',
      RANGE_SIZE: String(RANGE_SIZE),
      LEASE_MS: String(LEASE_MS),
      POLL_MS: '10',
    },
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

/** The claims table's view of one child: ranges it completed, and ranges it holds unfinished. */
async function rangesOf(world: TallyWorld, electionId: string, pid: number): Promise<{ done: number; held: number[]; allDone: number; ranges: number }> {
  const owner = `%/${pid}/%`;
  const { rows } = await world.sql.query<{ done: number; held: number[] | null; all_done: number; ranges: number }>(
    `select count(*) filter (where done_by like $2)::int as done,
            array_agg(range_index) filter (where owner like $2 and done_at is null) as held,
            count(*) filter (where done_at is not null)::int as all_done,
            count(*)::int as ranges
     from evote_tally_ranges where election_id = $1`,
    [electionId, owner],
  );
  const r = rows[0] as { done: number; held: number[] | null; all_done: number; ranges: number };
  return { done: r.done, held: r.held ?? [], allDone: r.all_done, ranges: r.ranges };
}

describe('a tally shared by two processes, one killed half way', () => {
  let shared: TallyWorld;
  let reference: TallyWorld;
  let fixture: Fixture;

  beforeAll(async () => {
    shared = await startTallyWorld();
    reference = await startTallyWorld();
    fixture = await writeElection(shared.store, shared.keyStore, { voters: VOTERS, voting: VOTERS - 5, until: 'ended', counterKeyInStore: true });
    await cloneWorld(shared, reference, fixture.electionId);
  }, 120_000);

  afterAll(async () => {
    await shared?.close();
    await reference?.close();
  });

  it('the survivor takes over the killed process’s ranges; the result is a one-process tally’s, each ballot counted once, and the audit passes', async () => {
    const { electionId } = fixture;
    const ballots = fixture.ballots.length;
    const children = [startChild(shared, electionId), startChild(shared, electionId)];
    let stderr = '';
    const outs = ['', ''];
    for (const [i, child] of children.entries()) {
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout?.on('data', (d: Buffer) => (outs[i] += d.toString()));
    }
    // Both connected before either starts: process start-up under load would otherwise decide who counts what.
    const deadline = Date.now() + 60_000;
    while (!outs.every((o) => o.startsWith('ready\n'))) {
      if (children.some((c) => c.exitCode !== null) || Date.now() > deadline) throw new Error(`a child did not get ready: ${stderr}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const child of children) child.stdin?.end('go\n');

    // Kill the first that has counted a few ranges and holds one it has not finished, before half of all are done.
    let atKill = { done: 0, held: [] as number[], allDone: 0, ranges: 0 };
    let victim = -1;
    while (victim < 0) {
      if (children.some((c) => c.exitCode !== null)) throw new Error(`a child ended before the kill: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`no process counted 3 ranges: ${stderr}`);
      for (const [i, child] of children.entries()) {
        const seen = await rangesOf(shared, electionId, child.pid as number);
        if (seen.done >= 3 && seen.held.length > 0) {
          atKill = seen;
          victim = i;
          break;
        }
      }
      if (victim < 0) await new Promise((r) => setTimeout(r, 2));
    }
    const killed = children[victim] as ChildProcess;
    const survivor = children[1 - victim] as ChildProcess;
    process.kill(-(killed.pid as number), 'SIGKILL');
    expect((await exited(killed)).signal).toBe('SIGKILL');
    expect(atKill.allDone).toBeLessThan(atKill.ranges / 2);
    // What it left, read once it is dead (it may have finished a range between the look and the kill).
    atKill = await rangesOf(shared, electionId, killed.pid as number);
    expect(atKill.held.length).toBeGreaterThan(0);

    expect((await exited(survivor)).code, stderr).toBe(0);
    expect(JSON.parse((outs[1 - victim] as string).trim().split('\n').at(-1) as string)).toMatchObject({ ok: true, ballots });

    // The killed process's unfinished ranges were claimed again and completed by the survivor.
    const { rows } = await shared.sql.query<{ range_index: number; claims: number; done_by: string | null }>(
      'select range_index, claims, done_by from evote_tally_ranges where election_id = $1 and range_index = any($2::int[])',
      [electionId, atKill.held],
    );
    // done_by is null when the killed process had appended a range's votes but died before marking it:
    // the survivor then finds them counted and only marks it done (done_by names who appended).
    const survivorOwner = new RegExp(`/${survivor.pid}/`);
    for (const r of rows) {
      expect(r.claims, `range ${r.range_index}`).toBeGreaterThanOrEqual(2);
      if (r.done_by !== null) expect(r.done_by).toMatch(survivorOwner);
    }
    const foundCounted = rows.filter((r) => r.done_by === null).length;
    expect(foundCounted).toBeLessThanOrEqual(1);
    const after = await rangesOf(shared, electionId, killed.pid as number);
    expect(after.allDone).toBe(after.ranges);
    expect(after.done).toBe(atKill.done);
    expect((await rangesOf(shared, electionId, survivor.pid as number)).done).toBe(after.ranges - after.done - foundCounted);

    // Exactly one VoteCounted per covered ballot, one start, one publication.
    const events = await tallyEvents(shared.store, electionId);
    const votes = events.filter((e) => e.type === 'VoteCounted').map((e) => e.data as VoteCounted['data']);
    expect(votes).toHaveLength(ballots);
    expect(new Set(votes.map((v) => v.ballotHash))).toEqual(new Set(fixture.ballots.map((b) => b.ballotHash)));
    expect(events.filter((e) => e.type === 'TallyStarted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'TallyPublished')).toHaveLength(1);

    // A one-process tally over a copy of the same log: the same VoteCounted in the same order, the same TallyPublished.
    const alone = await runTally({ store: reference.store, keyStore: reference.keyStore, claims: reference.claims, now: () => new Date() }, { electionId, workers: 1 });
    expect(alone.ok).toBe(true);
    const refEvents = await tallyEvents(reference.store, electionId);
    expect(votes).toEqual(refEvents.filter((e) => e.type === 'VoteCounted').map((e) => e.data));
    const published = events.at(-1)?.data as TallyPublished['data'];
    const refPublished = refEvents.at(-1)?.data as TallyPublished['data'];
    expect({ ...published, publishedAt: '' }).toEqual({ ...refPublished, publishedAt: '' });
    // …and the counts and statuses known by construction (writeElection: VALID i votes yes/no by parity; the duplicate
    // sits in the last range, the ballot it copies in the first).
    const valid = fixture.ballots.filter((b) => b.status === 'VALID').length;
    expect(published.counts).toEqual({ yes: Math.ceil(valid / 2), no: Math.floor(valid / 2), blank: 0 });
    expect(published.statuses).toEqual({ VALID: valid, INVALID_SIGNATURE: 1, DUPLICATE_N2: 1, INVALID_CHOICE: 1, UNDECRYPTABLE: 1 });

    // The independent audit of the shared tally's log.
    const runner = createProjectionRunner({ store: shared.store, sql: shared.sql, projections: [transparencyLogProjection()], log: silentLogger });
    const checkpointer = createCheckpointer({ sql: shared.sql, store: shared.store, keyStore: shared.keyStore, log: silentLogger, now: () => new Date(), everyEvents: 10_000, everyMs: 60_000, pollMs: 50 });
    await runner.start();
    checkpointer.start();
    try {
      await runner.waitFor(await shared.store.headPosition(), 30_000);
      await untilCheckpointed(shared.sql, electionId);
      const report = await verifyFromStore(shared.store, electionId);
      expect(report.failures).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.ballotsCounted).toBe(ballots);
      expect(report.counts).toEqual(published.counts);
    } finally {
      await checkpointer.stop();
      await runner.stop();
    }
  });
});
