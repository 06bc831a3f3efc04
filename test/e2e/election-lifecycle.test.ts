/**
 * The whole write side, end to end: two gateway processes on one PostgreSQL database and one Redis.
 * An admin on gateway A creates an election, imports 1,000 voters, starts and ends it; a client
 * subscribed on gateway B receives every transition in order; the read models match; a projection
 * rebuilt from zero gives identical rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection, type Push } from '../../src/client/connection.ts';
import type { ElectionRow, ElectionTransition, VoterRow } from '../../src/projections/read-models.ts';
import { startTestCluster, until, voterCsv, type TestCluster } from '../support/system.ts';

let cluster: TestCluster;
let admin: EvoteConnection;
let watcher: EvoteConnection;

beforeAll(async () => {
  cluster = await startTestCluster({ processes: 2 });
  admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
  watcher = await EvoteConnection.connect(cluster.systems[1]!.gateway!.url);
});

afterAll(async () => {
  await admin?.close();
  await watcher?.close();
  await cluster?.close();
});

async function dump(table: 'elections' | 'voters'): Promise<unknown[]> {
  const key = table === 'elections' ? 'election_id' : 'voter_id';
  const { rows } = await cluster.systems[0]!.sql.query(`select * from ${table} order by ${key}`);
  return rows;
}

describe('an election from creation to the end of voting, over WebSocket', () => {
  it('pushes every transition in order to a subscriber on another gateway and keeps the read models right', async () => {
    const token = cluster.adminToken;
    const created = await admin.request<{ electionId: string }>(
      'command',
      'election.create',
      { theme: 'Board of trustees 2026', choices: ['Alice', 'Bob', 'Carol'], expectedVoters: 1_000 },
      { token },
    );
    const electionId = created.electionId;

    const pushes: ElectionTransition[] = [];
    const { snapshot } = await watcher.subscribe<ElectionRow>('election', { electionId }, (p: Push) => {
      pushes.push(p.payload as ElectionTransition);
    });
    expect(snapshot.status).toBe('REGISTER');
    expect(snapshot.voterCount).toBe(0);

    await admin.request('command', 'election.configure', { electionId, theme: 'Board of trustees, 2026 term' }, { token });

    const progress: { done: number; total: number }[] = [];
    const imported = await admin.request<{ imported: number; skipped: number }>(
      'command',
      'election.importVoters',
      { electionId, csv: voterCsv(1_000), batchSize: 100 },
      { token, onProgress: (p) => progress.push(p as { done: number; total: number }) },
    );
    expect(imported).toMatchObject({ imported: 1_000, skipped: 0 });
    expect(progress.length).toBe(10);
    expect(progress.map((p) => p.done)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);

    await admin.request('command', 'election.start', { electionId }, { token });
    await admin.request('command', 'election.end', { electionId }, { token });

    await until(() => pushes.some((p) => p.transition === 'ended'), 15_000, 'the ended transition');

    // In order: positions strictly increase, and the lifecycle reads configured → voter counts → started → ended.
    const positions = pushes.map((p) => p.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).toBe(positions.length);
    const kinds = pushes.map((p) => p.transition).filter((t, i, all) => t !== 'voterCount' || all[i - 1] !== 'voterCount');
    expect(kinds).toEqual(['configured', 'voterCount', 'started', 'ended']);
    const counts = pushes.flatMap((p) => (p.transition === 'voterCount' ? [p.voterCount] : []));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBe(1_000);
    expect(pushes.find((p) => p.transition === 'ended')!.status).toBe('VOTE_ENDED');

    // The read models, through either gateway.
    const row = await watcher.request<ElectionRow>('query', 'election.get', { electionId });
    expect(row).toMatchObject({
      electionId,
      theme: 'Board of trustees, 2026 term',
      choices: ['Alice', 'Bob', 'Carol'],
      expectedVoters: 1_000,
      status: 'VOTE_ENDED',
      voterCount: 1_000,
    });
    const emails = new Set<string>();
    for (let offset = 0; offset < 1_000; offset += 400) {
      const page = await admin.request<{ voters: VoterRow[] }>('query', 'voters.list', { electionId, offset, limit: 400 }, { token });
      for (const v of page.voters) if (v.email !== null) emails.add(v.email);
    }
    expect(emails.size).toBe(1_000);
    for (let i = 0; i < 1_000; i++) expect(emails.has(`voter${i}@example.org`)).toBe(true);

    // Rebuilding from position zero gives identical rows.
    const before = { elections: await dump('elections'), voters: await dump('voters') };
    expect(before.voters).toHaveLength(1_000);
    await cluster.systems[0]!.runner.rebuild('elections');
    await cluster.systems[0]!.runner.rebuild('voters');
    expect(await dump('elections')).toEqual(before.elections);
    expect(await dump('voters')).toEqual(before.voters);
  });
});
