/**
 * Killing a tally half way and running it again: the tally runs in a child process
 * (run-tally-child.ts) against a scratch PostgreSQL database, is SIGKILLed once some VoteCounted
 * batches are in the log, then runs again to completion. The result must equal an uninterrupted
 * run over a copy of the same log, equal the counts recomputed from the voters' known choices,
 * and every ballot must have exactly one VoteCounted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TallyPublished, VoteCounted } from '../../src/domain/tally-events.ts';
import { runTally } from '../../src/tally/tally-run.ts';
import { castBallot, cloneWorld, commitmentOf, encryptFor, endElection, mintCredentials, openElection, signedPlaintext, startTallyWorld, tallyEvents, type TallyWorld, type TestElection } from './fixture.ts';

const CHILD = fileURLToPath(new URL('./run-tally-child.ts', import.meta.url));
const BALLOTS = 1_500;
const APPEND_BATCH = 20;
const CHOICES = ['North', 'South', 'East', 'West'];

function startChild(world: TallyWorld, electionId: string): ChildProcess {
  // Its own process group, so SIGKILL reaches the process whatever wraps it.
  return spawn(process.execPath, ['--import', 'tsx', CHILD], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: world.databaseUrl, MASTER_KEY: world.masterKey, ELECTION_ID: electionId, WORKERS: '1', APPEND_BATCH: String(APPEND_BATCH), CHUNK: '20' },
  });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

describe('tally crash and resume', () => {
  let crashed: TallyWorld;
  let reference: TallyWorld;
  let election: TestElection;
  const expectedCounts: Record<string, number> = Object.fromEntries(CHOICES.map((c) => [c, 0]));

  beforeAll(async () => {
    crashed = await startTallyWorld();
    reference = await startTallyWorld();
    election = await openElection(crashed, CHOICES);
    const creds = await mintCredentials(crashed.store, election.electionId, BALLOTS);
    let group: Promise<unknown>[] = [];
    for (const [i, cred] of creds.entries()) {
      const { n1 } = cred;
      const choice = CHOICES[(i * 7) % CHOICES.length] as string;
      // Every 50th voter reuses the previous voter's commitment: a duplicate, which must stay a duplicate after resuming.
      const duplicate = i % 50 === 49;
      const plaintext = signedPlaintext(election, { choice, n2Commitment: commitmentOf(duplicate ? (creds[i - 1] as typeof cred) : cred), fast: true });
      // Casts race within a group of 49; the duplicate is cast alone after the ballot it copies.
      if (duplicate) {
        await Promise.all(group);
        group = [];
        await castBallot(crashed.store, election.electionId, n1, encryptFor(election, plaintext));
      } else {
        group.push(castBallot(crashed.store, election.electionId, n1, encryptFor(election, plaintext)));
        expectedCounts[choice] = (expectedCounts[choice] ?? 0) + 1;
      }
    }
    await Promise.all(group);
    await endElection(crashed, election.electionId);
    await cloneWorld(crashed, reference, election.electionId);
  }, 180_000);

  afterAll(async () => {
    await crashed?.close();
    await reference?.close();
  });

  it('resumes after SIGKILL and publishes what an uninterrupted run publishes, each ballot counted once', async () => {
    const countedSoFar = async () => (await tallyEvents(crashed.store, election.electionId)).filter((e) => e.type === 'VoteCounted').length;

    const first = startChild(crashed, election.electionId);
    let stderr = '';
    first.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 60_000;
    let atKill: number;
    for (;;) {
      atKill = await countedSoFar();
      if (atKill >= 3 * APPEND_BATCH) break;
      if (first.exitCode !== null) throw new Error(`the child ended before it could be killed: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`no VoteCounted batches appeared: ${stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    process.kill(-(first.pid as number), 'SIGKILL');
    expect((await exited(first)).signal).toBe('SIGKILL');

    const afterCrash = await tallyEvents(crashed.store, election.electionId);
    const countedAtCrash = afterCrash.filter((e) => e.type === 'VoteCounted').length;
    expect(countedAtCrash).toBeGreaterThanOrEqual(atKill);
    expect(countedAtCrash).toBeLessThan(BALLOTS);
    expect(countedAtCrash % APPEND_BATCH).toBe(0); // whole batches only: an append is atomic
    expect(afterCrash.some((e) => e.type === 'TallyPublished')).toBe(false);

    // Run it again, in a new process, to completion.
    const second = startChild(crashed, election.electionId);
    let out = '';
    second.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    second.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    expect((await exited(second)).code, stderr).toBe(0);
    expect(JSON.parse(out.trim())).toMatchObject({ ok: true, ballots: BALLOTS });

    // The uninterrupted run over a copy of the same log.
    const uninterrupted = await runTally({ store: reference.store, keyStore: reference.keyStore, claims: reference.claims, now: () => new Date() }, { electionId: election.electionId, workers: 2 });
    expect(uninterrupted.ok).toBe(true);

    const events = await tallyEvents(crashed.store, election.electionId);
    const refEvents = await tallyEvents(reference.store, election.electionId);
    const votes = events.filter((e) => e.type === 'VoteCounted').map((e) => e.data as VoteCounted['data']);
    expect(votes).toHaveLength(BALLOTS);
    expect(new Set(votes.map((v) => v.ballotHash)).size).toBe(BALLOTS);
    expect(events.filter((e) => e.type === 'TallyStarted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'TallyPublished')).toHaveLength(1);
    // Same VoteCounted, in the same order, as the uninterrupted run.
    expect(votes).toEqual(refEvents.filter((e) => e.type === 'VoteCounted').map((e) => e.data));

    const published = events.at(-1)?.data as TallyPublished['data'];
    const refPublished = refEvents.at(-1)?.data as TallyPublished['data'];
    expect({ ...published, publishedAt: '' }).toEqual({ ...refPublished, publishedAt: '' });
    expect(published.counts).toEqual(expectedCounts);
    expect(published.statuses.DUPLICATE_N2).toBe(BALLOTS / 50);
    expect(published.statuses.VALID).toBe(BALLOTS - BALLOTS / 50);
  });
});
