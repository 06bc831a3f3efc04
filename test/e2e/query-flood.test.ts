/**
 * One connection floods valid queries without waiting for replies, against the real stack
 * (PostgreSQL read models): it is held to its cap of requests in flight and to its request rate,
 * cut (1008) when it ignores the refusals, and another client keeps being served meanwhile.
 * Correctness and a generous bound, not speed (that is `npm run bench -- flood`).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EvoteConnection } from '../../src/client/connection.ts';
import { DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION } from '../../src/gateway/ws-protocol.ts';
import { CLOSE_POLICY_VIOLATION, DEFAULT_MAX_REQUESTS_PER_SECOND_PER_CONNECTION } from '../../src/gateway/request-rate.ts';
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

it('refuses a flooding connection beyond its cap and its rate, cuts it, and keeps serving another client', async () => {
  const other = await EvoteConnection.connect(url, { timeoutMs: STARVED_MS });
  const flooder = new WebSocket(url);
  await new Promise((resolve, reject) => flooder.once('open', resolve).once('error', reject));
  const replies = { ok: 0, inFlight: 0, rate: 0, other: [] as string[] };
  flooder.on('message', (data) => {
    const r = JSON.parse(data.toString()) as { ok: boolean; error?: { code: string; details?: { max?: number; perSecond?: number } } };
    if (r.ok) replies.ok++;
    else if (r.error?.code === 'TOO_MANY_IN_FLIGHT' && r.error.details?.max === DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION) replies.inFlight++;
    else if (r.error?.code === 'TOO_MANY_REQUESTS' && r.error.details?.perSecond === DEFAULT_MAX_REQUESTS_PER_SECOND_PER_CONNECTION) replies.rate++;
    else replies.other.push(r.error?.code ?? 'unknown');
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => flooder.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  let sent = 0;
  const flood = (async () => {
    const frame = (i: number) => `{"id":"f${i}","kind":"query","name":"election.get","payload":{"electionId":"${electionId}"}}`;
    while (flooder.readyState === WebSocket.OPEN && sent < MAX_FLOOD_FRAMES) {
      for (let i = 0; i < 500; i++) flooder.send(frame(sent++));
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();

  const served: string[] = [];
  for (let i = 0; i < 20; i++) served.push((await other.request<{ electionId: string }>('query', 'election.get', { electionId })).electionId);
  expect(await closed).toEqual({ code: CLOSE_POLICY_VIOLATION, reason: 'TOO_MANY_REQUESTS' });
  await flood;
  expect(served).toEqual(Array(20).fill(electionId));
  expect(replies.other).toEqual([]);
  expect(replies.ok).toBeGreaterThanOrEqual(DEFAULT_MAX_IN_FLIGHT_PER_CONNECTION);
  expect(replies.inFlight).toBeGreaterThan(0);
  expect(replies.rate).toBeGreaterThan(0);
  // Cut after about two seconds' worth of frames (plus what refilled meanwhile): the rest was never answered.
  expect(replies.ok + replies.inFlight + replies.rate).toBeLessThanOrEqual(3 * DEFAULT_MAX_REQUESTS_PER_SECOND_PER_CONNECTION);
  expect(sent).toBeGreaterThan(replies.ok + replies.inFlight + replies.rate);
  // The connection that was already open is still served after the cut.
  expect((await other.request<{ electionId: string }>('query', 'election.get', { electionId })).electionId).toBe(electionId);
  await other.close();
}, 90_000);
