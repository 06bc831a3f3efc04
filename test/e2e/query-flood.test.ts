/**
 * One connection floods valid queries without waiting for replies, against the real stack
 * (PostgreSQL read models): it is held to its cap of requests in flight and refused beyond it, every
 * frame gets a reply, and another client keeps being served meanwhile. Correctness and a generous
 * bound, not speed (that is `npm run bench -- flood`).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EvoteConnection } from '../../src/client/connection.ts';
import { DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION } from '../../src/gateway/ws-protocol.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';

/** A round trip of the other client beyond this counts as starved (without the cap it waits behind the whole flood). */
const STARVED_MS = 5_000;
const MAX_FLOOD_FRAMES = 100_000;

let cluster: TestCluster;
let url: string;
let electionId: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  url = cluster.systems[0]!.gateway!.url;
  const admin = await EvoteConnection.connect(url);
  ({ electionId } = await admin.request<{ electionId: string }>('command', 'election.create', { theme: 'Flood', choices: ['a', 'b'], expectedVoters: 5 }, { token: cluster.adminToken }));
  await admin.close();
}, 60_000);

afterAll(async () => cluster?.close());

it('holds a flooding connection to its cap, answers every frame, and keeps serving another client', async () => {
  const flooder = new WebSocket(url);
  await new Promise((resolve, reject) => flooder.once('open', resolve).once('error', reject));
  const replies = { ok: 0, refused: 0, other: [] as string[] };
  flooder.on('message', (data) => {
    const r = JSON.parse(data.toString()) as { ok: boolean; error?: { code: string; details?: { max: number } } };
    if (r.ok) replies.ok++;
    else if (r.error?.code === 'TOO_MANY_IN_FLIGHT' && r.error.details?.max === DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION) replies.refused++;
    else replies.other.push(r.error?.code ?? 'unknown');
  });
  let flooding = true;
  let sent = 0;
  const flood = (async () => {
    const frame = (i: number) => `{"id":"f${i}","kind":"query","name":"election.get","payload":{"electionId":"${electionId}"}}`;
    while (flooding && sent < MAX_FLOOD_FRAMES) {
      for (let i = 0; i < 500; i++) flooder.send(frame(sent++));
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();

  const other = await EvoteConnection.connect(url, { timeoutMs: STARVED_MS });
  const served: string[] = [];
  try {
    for (let i = 0; i < 20; i++) served.push((await other.request<{ electionId: string }>('query', 'election.get', { electionId })).electionId);
  } finally {
    flooding = false;
    await flood;
    await other.close();
  }
  expect(served).toEqual(Array(20).fill(electionId));
  // The flood overlapped those round trips and went beyond the cap.
  expect(sent).toBeGreaterThan(DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION * 10);

  const deadline = Date.now() + 30_000;
  while (replies.ok + replies.refused + replies.other.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(replies.other).toEqual([]);
  expect(replies.ok + replies.refused).toBe(sent);
  expect(replies.refused).toBeGreaterThan(0);
  expect(replies.ok).toBeGreaterThanOrEqual(DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION);
  expect(flooder.readyState).toBe(WebSocket.OPEN);
  flooder.close();
}, 90_000);
