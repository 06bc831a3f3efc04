/**
 * followLog, the auditor client's live follow, against the real gateway (real Postgres and Redis):
 * it yields every signed checkpoint of an election in order, each verified from the pushed events,
 * up to the server's latest one; and it ends with a clear error, not silence, when the server goes.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/system.ts';
import { EvoteConnection, EvoteError } from '../../src/client/connection.ts';
import { followLog, type VerifiedCheckpoint } from '../../src/client/auditor.ts';
import type { SignedCheckpoint } from '../../src/audit/log-queries.ts';
import { untilCheckpointed, writeElection, type Fixture } from '../audit/election-fixture.ts';

let cluster: TestCluster | undefined;
let fixture: Fixture;

beforeAll(async () => {
  process.env.EVOTE_LOG_CHECKPOINT_EVENTS = '40';
  process.env.EVOTE_LOG_CHECKPOINT_SECONDS = '0.3';
  cluster = await startTestCluster();
  const system = cluster.systems[0]!;
  fixture = await writeElection(system.store, system.keyStore, { voters: 30, voting: 25 });
  await untilCheckpointed(system.sql, fixture.electionId);
}, 120_000);

afterAll(async () => {
  delete process.env.EVOTE_LOG_CHECKPOINT_EVENTS;
  delete process.env.EVOTE_LOG_CHECKPOINT_SECONDS;
  await cluster?.close();
});

describe('followLog', () => {
  it('yields every checkpoint in order, verified, up to the latest one the server signed', async () => {
    const url = cluster!.systems[0]!.gateway!.url;
    const conn = await EvoteConnection.connect(url);
    const latest = await conn.request<SignedCheckpoint>('query', 'audit.checkpoint', { electionId: fixture.electionId });
    await conn.close();

    const seen: VerifiedCheckpoint[] = [];
    for await (const cp of followLog(url, fixture.electionId)) {
      seen.push(cp);
      if (cp.size >= latest.size) break;
    }
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.map((c) => c.size)).toEqual([...seen.map((c) => c.size)].sort((a, b) => a - b));
    expect(new Set(seen.map((c) => c.size)).size).toBe(seen.length);
    expect(seen.at(-1)).toMatchObject({ size: latest.size, root: latest.root });
  });

  it('stops with CONNECTION_CLOSED when the server goes away', async () => {
    const follow = followLog(cluster!.systems[0]!.gateway!.url, fixture.electionId);
    await follow.next(); // following
    const outcome = (async () => {
      for await (const _ of follow) {
        // drain the checkpoints still pending; the error comes after them
      }
    })().then(
      () => 'ended quietly',
      (err: unknown) => (err instanceof EvoteError ? err.code : String(err)),
    );
    await cluster!.close();
    cluster = undefined;
    expect(await outcome).toBe('CONNECTION_CLOSED');
  });
});
