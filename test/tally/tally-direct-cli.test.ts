/**
 * `evote tally <id> --direct`, the real CLI as two processes joining one tally through the database:
 * both print the same published result, each ballot is counted once, every range is done; without
 * the master key it refuses with a code, and neither secret nor URL reaches its output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoteCounted } from '../../src/domain/tally-events.ts';
import { writeElection, type Fixture } from '../audit/election-fixture.ts';
import { runEvote } from '../support/run-cli.ts';
import { startTallyWorld, tallyEvents, type TallyWorld } from './fixture.ts';

describe('evote tally --direct', () => {
  let world: TallyWorld;
  let fixture: Fixture;

  beforeAll(async () => {
    world = await startTallyWorld();
    fixture = await writeElection(world.store, world.keyStore, { voters: 64, voting: 60, until: 'ended', counterKeyInStore: true });
  }, 60_000);
  afterAll(async () => world?.close());

  it('refuses without the master key, naming the setting and printing no URL', async () => {
    const run = await runEvote(['tally', fixture.electionId, '--direct'], { DATABASE_URL: world.databaseUrl, EVOTE_MASTER_KEY: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^evote: INVALID_MASTER_KEY: EVOTE_MASTER_KEY is required/);
    expect(run.stdout + run.stderr).not.toContain(world.databaseUrl);
  }, 60_000);

  it('two processes join one tally and print the same result; each ballot is counted once', async () => {
    const env = { DATABASE_URL: world.databaseUrl, EVOTE_MASTER_KEY: world.masterKey };
    const args = ['--json', 'tally', fixture.electionId, '--direct', '--workers', '1', '--range-size', '8', '--lease-seconds', '2'];
    const runs = await Promise.all([runEvote(args, env), runEvote(args, env)]);
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout + run.stderr).not.toContain(world.masterKey);
    }
    const [a, b] = runs.map((r) => JSON.parse(r.stdout) as { ballots: number; counts: Record<string, number>; excluded?: unknown });
    // `excluded` is reported by a run that counted; one that started after the publication reads the result only.
    const published = (r?: { excluded?: unknown }) => ({ ...r, excluded: undefined });
    expect(published(a)).toEqual(published(b));
    expect([a?.excluded, b?.excluded]).toContainEqual({ afterEnd: 0, repeats: 0 });
    expect(a?.ballots).toBe(fixture.ballots.length);
    expect(a?.counts).toEqual({ yes: 30, no: 30, blank: 0 });

    const votes = (await tallyEvents(world.store, fixture.electionId)).filter((e) => e.type === 'VoteCounted').map((e) => (e.data as VoteCounted['data']).ballotHash);
    expect(votes).toHaveLength(fixture.ballots.length);
    expect(new Set(votes).size).toBe(votes.length);
    const { rows } = await world.sql.query<{ ranges: number; done: number }>(
      'select count(*)::int as ranges, count(done_at)::int as done from evote_tally_ranges where election_id = $1',
      [fixture.electionId],
    );
    expect(rows[0]).toEqual({ ranges: Math.ceil(fixture.ballots.length / 8), done: Math.ceil(fixture.ballots.length / 8) });
  }, 60_000);
});
