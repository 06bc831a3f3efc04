import { describe, it, expect, afterAll } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { createInMemoryElectionServices, startInMemoryGateway } from './in-memory-election-services.ts';
import { TestClient } from './ws-test-client.ts';

const ADMIN = 'ryw-admin-token-0123456789abcdef';
const pubsub = createMemoryPubSub();
const services = createInMemoryElectionServices(pubsub);
const gateways: Gateway[] = [];

afterAll(async () => {
  for (const g of gateways) await g.close();
  await pubsub.close();
});

async function start(waitForProjections: (position: number) => Promise<void>, projectionWaitMs?: number) {
  const g = await startInMemoryGateway(services, pubsub, ADMIN, { waitForProjections, projectionWaitMs });
  gateways.push(g);
  return g;
}

const create = { kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 'T', choices: ['a', 'b'], expectedVoters: 1 } };

describe('read-your-writes', () => {
  it('replies to a command only after the read models reached its position', async () => {
    const reached: number[] = [];
    const g = await start(async (position) => {
      await new Promise((r) => setTimeout(r, 150));
      reached.push(position);
    });
    const c = await TestClient.open(g.url);
    const t0 = Date.now();
    const r = await c.request(create);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(reached).toEqual([r.result.position]);
    // Queries do not wait: the projection wait is not consulted again.
    await c.request({ kind: 'query', name: 'election.list' });
    expect(reached).toEqual([r.result.position]);
    c.close();
  });

  it('is bounded: a stalled projection delays the reply but never withholds it', async () => {
    const g = await start(() => new Promise<void>(() => {}), 200);
    const c = await TestClient.open(g.url);
    const t0 = Date.now();
    const r = await c.request(create);
    const elapsed = Date.now() - t0;
    expect(r.ok).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2000);
    c.close();
  });

  it('a failing wait is logged, not turned into an error reply', async () => {
    const g = await start(async () => {
      throw new Error('runner stopped');
    });
    const c = await TestClient.open(g.url);
    expect((await c.request(create)).ok).toBe(true);
    c.close();
  });
});
