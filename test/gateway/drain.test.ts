import { describe, it, expect, afterAll } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { createInMemoryElectionServices, startInMemoryGateway } from './in-memory-election-services.ts';
import { TestClient } from './ws-test-client.ts';

const ADMIN = 'drain-admin-token-0123456789abcdef';
const pubsub = createMemoryPubSub();
const services = createInMemoryElectionServices(pubsub);
const started: Gateway[] = [];

async function gatewayWith(opts: { drainTimeoutMs?: number } = {}) {
  const g = await startInMemoryGateway(services, pubsub, ADMIN, opts);
  started.push(g);
  return g;
}

async function electionWithVoter(c: TestClient) {
  const created = await c.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 'T', choices: ['a', 'b'], expectedVoters: 1 } });
  const electionId = created.result.electionId as string;
  await c.request({ kind: 'command', name: 'election.registerVoter', token: ADMIN, payload: { electionId, email: 'a@example.org' } });
  return electionId;
}

afterAll(async () => {
  for (const g of started) await g.close();
  await pubsub.close();
});

describe('drain', () => {
  it('stops accepting, refuses new commands, finishes in-flight ones, then closes sockets with 1001', async () => {
    const g = await gatewayWith();
    const c = await TestClient.open(g.url);
    const electionId = await electionWithVoter(c);
    const sub = await c.request({ id: 'watch', kind: 'subscribe', name: 'election', payload: { electionId } });
    expect(sub.ok).toBe(true);

    const release = services.hold('startVoting');
    c.send({ id: 'slow-start', kind: 'command', name: 'election.start', token: ADMIN, payload: { electionId } });
    await new Promise((r) => setTimeout(r, 50)); // the command is now in flight, held
    let drained = false;
    const draining = g.drain().then(() => (drained = true));

    const refused = await c.request({ kind: 'command', name: 'election.end', token: ADMIN, payload: { electionId } });
    expect(refused.error.code).toBe('SHUTTING_DOWN');
    const refusedSub = await c.request({ kind: 'subscribe', name: 'election', payload: { electionId } });
    expect(refusedSub.error.code).toBe('SHUTTING_DOWN');
    // Queries still answer while in-flight work finishes.
    expect((await c.request({ kind: 'query', name: 'voters.count', payload: { electionId } })).result).toEqual({ count: 1 });
    await expect(TestClient.open(g.url)).rejects.toThrow(/ECONNREFUSED/);
    expect(drained).toBe(false);

    release();
    const reply = await c.waitFor((m) => m.id === 'slow-start' && 'ok' in m);
    expect(reply.ok).toBe(true);
    const { code } = await c.closed;
    expect(code).toBe(1001);
    await draining;
    expect(drained).toBe(true);
    // The in-flight command's transition reached the subscriber before the close.
    expect(c.messages.some((m) => m.kind === 'event' && m.payload.transition === 'started')).toBe(true);
  });

  it('is bounded: a handler that never finishes does not hold the shutdown', async () => {
    const g = await gatewayWith({ drainTimeoutMs: 300 });
    const c = await TestClient.open(g.url);
    const electionId = await electionWithVoter(c);
    const release = services.hold('endVoting');
    try {
      c.send({ id: 'stuck', kind: 'command', name: 'election.end', token: ADMIN, payload: { electionId } });
      await new Promise((r) => setTimeout(r, 50));
      const t0 = Date.now();
      await g.close();
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(3000);
      expect((await c.closed).code).toBe(1001);
      expect(c.messages.some((m) => m.id === 'stuck')).toBe(false);
    } finally {
      release();
    }
  });

  it('drain and close are idempotent', async () => {
    const g = await gatewayWith();
    await Promise.all([g.drain(), g.drain(), g.close()]);
    await g.close();
    await expect(TestClient.open(g.url)).rejects.toThrow(/ECONNREFUSED/);
  });
});
