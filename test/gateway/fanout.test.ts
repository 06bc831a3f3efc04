import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import type { Gateway } from '../../src/gateway/gateway.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import type { PubSub } from '../../src/pubsub/port.ts';
import { createInMemoryElectionServices, startInMemoryGateway } from './in-memory-election-services.ts';
import { TestClient } from './ws-test-client.ts';

const ADMIN = 'fanout-admin-token-0123456789abcdef';

/** The real in-memory pub/sub, with a count of live subscriptions per channel. */
function countingPubSub(inner: PubSub) {
  const live = new Map<string, number>();
  const pubsub: PubSub = {
    publish: (c, m) => inner.publish(c, m),
    async subscribe(channel, onMessage) {
      const off = await inner.subscribe(channel, onMessage);
      live.set(channel, (live.get(channel) ?? 0) + 1);
      return async () => {
        live.set(channel, (live.get(channel) ?? 0) - 1);
        await off();
      };
    },
    close: () => inner.close(),
  };
  return { pubsub, live: (channel: string) => live.get(channel) ?? 0 };
}

const { pubsub, live } = countingPubSub(createMemoryPubSub());
const services = createInMemoryElectionServices(pubsub);
let g: Gateway;

beforeAll(async () => {
  g = await startInMemoryGateway(services, pubsub, ADMIN);
});
afterAll(async () => {
  await g?.close();
  await pubsub.close();
});

const until = async (cond: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('election fan-out', () => {
  it('holds one pub/sub subscription per election, however many sockets watch it', async () => {
    const admin = await TestClient.open(g.url);
    const created = await admin.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 'T', choices: ['a', 'b'], expectedVoters: 1 } });
    const electionId = created.result.electionId as string;
    const channel = `evote:election:${electionId}`;
    const watchers = await Promise.all([1, 2, 3].map(() => TestClient.open(g.url)));
    for (const w of watchers) expect((await w.request({ id: 's1', kind: 'subscribe', name: 'election', payload: { electionId } })).ok).toBe(true);
    // A second subscription on the same socket shares it too.
    expect((await watchers[0]!.request({ id: 's2', kind: 'subscribe', name: 'election', payload: { electionId } })).ok).toBe(true);
    expect(live(channel)).toBe(1);

    await admin.request({ kind: 'command', name: 'election.registerVoter', token: ADMIN, payload: { electionId, email: 'z@example.org' } });
    for (const w of watchers) await w.waitFor((m) => m.kind === 'event' && m.payload.transition === 'voterCount');
    expect(watchers[0]!.messages.filter((m) => m.kind === 'event').map((m) => m.subscription).sort()).toEqual(['s1', 's2']);

    watchers[0]!.close(); // closing a socket releases both of its subscriptions
    await watchers[0]!.closed;
    await watchers[1]!.request({ kind: 'unsubscribe', name: 'election', payload: { subscription: 's1' } });
    expect(live(channel)).toBe(1);
    await watchers[2]!.request({ kind: 'unsubscribe', name: 'election', payload: { subscription: 's1' } });
    await until(() => live(channel) === 0);

    // Subscribing again after the last release opens a fresh subscription that works.
    expect((await watchers[1]!.request({ id: 's3', kind: 'subscribe', name: 'election', payload: { electionId } })).ok).toBe(true);
    expect(live(channel)).toBe(1);
    await admin.request({ kind: 'command', name: 'election.start', token: ADMIN, payload: { electionId } });
    const started = await watchers[1]!.waitFor((m) => m.kind === 'event' && m.payload.transition === 'started');
    expect(started.subscription).toBe('s3');
    for (const c of [admin, ...watchers]) c.close();
  });

  it('caps subscriptions per socket', async () => {
    const small = await startInMemoryGateway(services, pubsub, ADMIN, { maxSubscriptionsPerSocket: 2 });
    try {
      const c = await TestClient.open(small.url);
      const created = await c.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 'T', choices: ['a', 'b'], expectedVoters: 1 } });
      const electionId = created.result.electionId as string;
      expect((await c.request({ kind: 'subscribe', name: 'election', payload: { electionId } })).ok).toBe(true);
      expect((await c.request({ kind: 'subscribe', name: 'election', payload: { electionId } })).ok).toBe(true);
      const third = await c.request({ kind: 'subscribe', name: 'election', payload: { electionId } });
      expect(third.error).toMatchObject({ code: 'TOO_MANY_SUBSCRIPTIONS', details: { max: 2 } });
      c.close();
    } finally {
      await small.close();
    }
  });
});
