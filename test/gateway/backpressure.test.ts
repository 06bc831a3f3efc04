import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.ts';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/runtime/metrics.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { electionChannel } from '../../src/pubsub/port.ts';
import { createInMemoryElectionServices, startInMemoryGateway } from './in-memory-election-services.ts';
import { TestClient } from './ws-test-client.ts';
import { openUnreadSocket } from '../support/unread-ws.ts';

const ADMIN = 'slow-admin-token-0123456789abcdef';
const MAX_BUFFERED = 256 * 1024;
const pubsub = createMemoryPubSub();
const services = createInMemoryElectionServices(pubsub);
let g: Gateway;
let metrics: MetricsRegistry;

beforeAll(async () => {
  metrics = createMetricsRegistry();
  g = await startInMemoryGateway(services, pubsub, ADMIN, { metrics, maxBufferedBytes: MAX_BUFFERED });
});
afterAll(async () => {
  await g?.close();
  await pubsub.close();
});

describe('slow consumers', () => {
  it('closes a subscriber that stops reading with 1013, while a reading one gets every push', async () => {
    const admin = await TestClient.open(g.url);
    const created = await admin.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 'T', choices: ['a', 'b'], expectedVoters: 1 } });
    const electionId = created.result.electionId as string;
    const slow = await TestClient.open(g.url);
    const fast = await TestClient.open(g.url);
    const snap = await slow.request({ kind: 'subscribe', name: 'election', payload: { electionId } });
    await fast.request({ kind: 'subscribe', name: 'election', payload: { electionId } });

    // Stop reading on the slow client: the kernel buffers fill, then uWS's backlog grows.
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const row = snap.result;
    const big = { ...row, theme: 'x'.repeat(64 * 1024) };
    const N = 600; // ~38 MiB in total: more than loopback socket buffers hold
    for (let i = 1; i <= N; i++) {
      await pubsub.publish(electionChannel(electionId), { electionId, transition: 'configured', status: 'REGISTER', position: row.position + i, election: big });
      // Pace the publisher on the fast reader (client and server share this event loop: an unpaced
      // burst would leave no turn for anyone to read, and every socket would look slow).
      if (i % 8 === 0) await fast.waitForCount((m) => m.kind === 'event', i, 10_000);
    }
    const pushes = await fast.waitForCount((m) => m.kind === 'event', N, 30_000);
    expect(pushes.map((p) => p.payload.position)).toEqual(Array.from({ length: N }, (_, i) => row.position + i + 1));

    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code, reason } = await slow.closed;
    expect(code).toBe(1013);
    expect(reason).toBe('slow consumer');
    const received = slow.messages.filter((m) => m.kind === 'event').length;
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(N);

    // The server is unaffected: the fast client still talks, and the slow socket is gone.
    expect((await fast.request({ kind: 'query', name: 'election.list' })).ok).toBe(true);
    const text = await (await fetch(`${g.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^evote_ws_connections 2$/m);
    admin.close();
    fast.close();
  }, 60_000);

  it('cuts off a raw TCP subscriber that never reads, with the server holding at most the limit plus one message for it', async () => {
    const admin = await TestClient.open(g.url);
    const created = await admin.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 'U', choices: ['a', 'b'], expectedVoters: 1 } });
    const electionId = created.result.electionId as string;
    const row = (await admin.request({ kind: 'query', name: 'election.get', payload: { electionId } })).result;
    const stalled = await openUnreadSocket(g.url, [JSON.stringify({ id: 'sub', kind: 'subscribe', name: 'election', payload: { electionId } })], (text) =>
      text.includes('"id":"sub","ok":true'),
    );
    const gauge = async (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(await metrics.renderPrometheus())?.[1]);
    expect(await gauge('evote_ws_connections')).toBe(2);

    const message = 64 * 1024;
    const big = { ...row, theme: 'x'.repeat(message) };
    let maxBuffered = 0;
    let published = 0;
    // Up to 256 MiB: far beyond what the loopback's kernel buffers hold, bounded if the cut-off never came.
    for (; published < 4_000 && (await gauge('evote_ws_connections')) === 2; published++) {
      await pubsub.publish(electionChannel(electionId), { electionId, transition: 'configured', status: 'REGISTER', position: row.position + published + 1, election: big });
      maxBuffered = Math.max(maxBuffered, await gauge('evote_ws_buffered_bytes'));
    }
    expect(await gauge('evote_ws_connections')).toBe(1);
    expect(published).toBeLessThan(4_000);
    // The backlog grew to the limit (the kernel buffers had filled) and never past it by more than one push.
    expect(maxBuffered).toBeGreaterThan(MAX_BUFFERED / 2);
    expect(maxBuffered).toBeLessThanOrEqual(MAX_BUFFERED + message + 1024);
    expect(await gauge('evote_ws_buffered_bytes')).toBe(0);
    stalled.destroy();
    admin.close();
  }, 60_000);
});

