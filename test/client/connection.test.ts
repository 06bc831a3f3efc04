/**
 * The client connection's reconnection rules against the real gateway (startTestCluster): after a
 * drop, a subscription is re-established (new snapshot, pushes keep coming to the same handler),
 * queries work again, a command in flight is never re-sent (CONNECTION_CLOSED), and the backoff
 * grows exponentially up to its ceiling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvoteConnection, EvoteError, backoffDelay } from '../../src/client/connection.ts';
import { EvoteAdmin } from '../../src/client/admin.ts';
import { startTestCluster, until, type TestCluster } from '../support/system.ts';

let cluster: TestCluster;
let url: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  url = cluster.systems[0]!.gateway!.url;
});
afterAll(async () => {
  await cluster?.close();
});

describe('EvoteConnection', () => {
  it('backs off exponentially with jitter, up to the ceiling', () => {
    const opts = { retries: 8, initialDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, opts, () => 0.5))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(1, opts, () => 0)).toBe(80);
    expect(backoffDelay(1, opts, () => 1)).toBe(120);
  });

  it('re-subscribes after a drop, keeps pushing to the same handler, never re-sends a command', async () => {
    const admin = await EvoteAdmin.connect(url, cluster.adminToken);
    const watcher = await EvoteConnection.connect(url, { reconnect: { initialDelayMs: 20 } });
    try {
      const { electionId } = await admin.createElection({ theme: 'Reconnect', choices: ['A', 'B'], expectedVoters: 1 });
      await admin.registerVoter({ electionId, email: 'r@example.org' });
      const pushes: unknown[] = [];
      const snapshots: { status: string }[] = [];
      const { snapshot } = await watcher.subscribe<{ status: string }>('election', { electionId }, (p) => pushes.push(p.payload), {
        onResubscribed: (s) => snapshots.push(s),
      });
      expect(snapshot.status).toBe('REGISTER');

      watcher.terminate();
      // A command while the socket is down is refused at once, not queued.
      const refused = await watcher.request('command', 'election.end', { electionId }, { token: cluster.adminToken }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(EvoteError);
      expect((refused as EvoteError).code).toBe('CONNECTION_CLOSED');
      // A query waits for the new socket.
      const row = await watcher.request<{ status: string }>('query', 'election.get', { electionId });
      expect(row.status).toBe('REGISTER');
      await until(() => snapshots.length === 1, 5_000, 're-subscription');

      await admin.startVoting(electionId);
      await until(() => pushes.length > 0, 5_000, 'push after reconnection');
      expect(JSON.stringify(pushes)).toContain('VOTE_STARTED');
      // The election was never ended by the refused command.
      expect((await admin.getElection(electionId)).status).toBe('VOTE_STARTED');
    } finally {
      await watcher.close();
      await admin.close();
    }
  });

  it('rejects with UNREACHABLE when nothing listens', async () => {
    const err = await EvoteConnection.connect('ws://127.0.0.1:1/ws').catch((e: unknown) => e);
    expect((err as EvoteError).code).toBe('UNREACHABLE');
  });
});
