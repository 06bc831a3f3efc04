/**
 * WebSocket round trips through the real gateway: commands (each appends one event and waits for
 * the read models, as a client reading its own writes does) and queries, from concurrent connections.
 */
import { EvoteConnection } from '../src/client/connection.ts';
import type { BenchResult } from './harness.ts';
import { measure } from './harness.ts';

export async function commandRoundTrips(url: string, token: string, connections = 50, perConnection = 60): Promise<BenchResult> {
  const conns = await Promise.all(Array.from({ length: connections }, () => EvoteConnection.connect(url)));
  const elections = await Promise.all(
    conns.map((c) =>
      c.request<{ electionId: string }>('command', 'election.create', { theme: 'bench', choices: ['a', 'b'], expectedVoters: 1_000_000 }, { token }),
    ),
  );
  const { rate } = await measure(async () => {
    await Promise.all(
      conns.map(async (c, i) => {
        for (let j = 0; j < perConnection; j++) {
          await c.request('command', 'election.registerVoter', { electionId: elections[i]!.electionId, email: `v${j}@c${i}.example` }, { token });
        }
      }),
    );
    return connections * perConnection;
  });
  await Promise.all(conns.map((c) => c.close()));
  return { name: `WS command round trips (election.registerVoter), ${connections} connections`, rate, unit: 'commands' };
}

export async function queryRoundTrips(url: string, connections = 50, perConnection = 400): Promise<BenchResult> {
  const conns = await Promise.all(Array.from({ length: connections }, () => EvoteConnection.connect(url)));
  const { rate } = await measure(async () => {
    await Promise.all(
      conns.map(async (c) => {
        for (let j = 0; j < perConnection; j++) await c.request('query', 'election.list', {});
      }),
    );
    return connections * perConnection;
  });
  await Promise.all(conns.map((c) => c.close()));
  return { name: `WS query round trips (election.list), ${connections} connections`, rate, unit: 'queries' };
}
