import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Gateway } from '../../src/gateway/gateway.ts';
import { IN_FLIGHT_RETRY_AFTER_MS } from '../../src/gateway/ws-protocol.ts';
import { OPEN_LIMIT_RETRY_AFTER_SECONDS, PENALTY_SECONDS } from '../../src/gateway/source-connection-limiter.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/runtime/metrics.ts';
import { createInMemoryElectionServices, startInMemoryGateway } from './in-memory-election-services.ts';
import { TestClient, type Msg } from './ws-test-client.ts';

const ADMIN = 'fairness-admin-token-0123456789';
const pubsub = createMemoryPubSub();
const services = createInMemoryElectionServices(pubsub);
const gateways: Gateway[] = [];

afterAll(async () => {
  for (const g of gateways) await g.close();
  await pubsub.close();
});

/** `election.list` waits for the gate while it is closed: requests stay in flight as long as the test wants. */
function gatedQueries() {
  let open!: () => void;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const seen = { running: 0, maxRunning: 0 };
  return {
    seen,
    queries: {
      ...services.queries,
      listElections: async () => {
        seen.maxRunning = Math.max(seen.maxRunning, ++seen.running);
        try {
          await gate;
          return await services.queries.listElections();
        } finally {
          seen.running--;
        }
      },
    },
    release: () => open(),
    close: () => (gate = new Promise<void>((resolve) => (open = resolve))),
  };
}

async function start(overrides: Parameters<typeof startInMemoryGateway>[3], queries = services.queries): Promise<Gateway> {
  const g = await startInMemoryGateway({ commands: services.commands, queries }, pubsub, ADMIN, overrides);
  gateways.push(g);
  return g;
}

const list = (id: string) => `{"id":"${id}","kind":"query","name":"election.list"}`;
const replyTo = (id: string) => (m: Msg) => m.id === id && 'ok' in m;

describe('requests in flight per connection', () => {
  let g: Gateway;
  const gate = gatedQueries();
  let metrics: MetricsRegistry;
  beforeAll(async () => {
    metrics = createMetricsRegistry();
    g = await start({ maxInFlightPerConnection: 4, metrics }, gate.queries);
  });

  it('refuses at once beyond the cap, with the request id, while the accepted ones complete', async () => {
    const c = await TestClient.open(g.url);
    for (let i = 0; i < 10; i++) c.send(list(`q${i}`));
    // Id not first: read by the full parse, refused all the same.
    c.send('{"kind":"query","name":"election.list","id":"late"}');
    const refused = await c.waitForCount((m) => m.ok === false, 7);
    expect(refused.map((m) => m.id)).toEqual(['q4', 'q5', 'q6', 'q7', 'q8', 'q9', 'late']);
    for (const r of refused) {
      expect(r.error).toEqual({ code: 'TOO_MANY_IN_FLIGHT', message: 'too many requests in flight', details: { max: 4, retryAfterMs: IN_FLIGHT_RETRY_AFTER_MS } });
    }
    // The first four are still held: no reply yet.
    expect(c.messages.filter((m) => m.ok === true)).toHaveLength(0);

    gate.release();
    const answered = await c.waitForCount((m) => m.ok === true, 4);
    expect(answered.map((m) => m.id).sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
    // Slots freed: the connection is served again, and nothing else arrived.
    c.send(list('after'));
    expect((await c.waitFor(replyTo('after'))).ok).toBe(true);
    expect(c.messages).toHaveLength(12);
    const text = await metrics.renderPrometheus();
    expect(text).toMatch(/^evote_errors_total\{code="TOO_MANY_IN_FLIGHT"\} 7$/m);
    c.close();
  });

  it('holds one connection to its own cap: another connection is served while the first is full', async () => {
    gate.close();
    const full = await TestClient.open(g.url);
    const other = await TestClient.open(g.url);
    for (let i = 0; i < 4; i++) full.send(list(`held${i}`));
    full.send(list('over'));
    expect((await full.waitFor(replyTo('over'))).error.code).toBe('TOO_MANY_IN_FLIGHT');
    // `other` has its own budget: its requests are accepted (and held too) and its queries that wait for nothing answer.
    other.send(list('other-held'));
    const created = await other.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 'Fair', choices: ['a', 'b'], expectedVoters: 1 } });
    expect(created.ok).toBe(true);
    const got = await other.request({ kind: 'query', name: 'election.get', payload: { electionId: created.result.electionId } });
    expect(got.ok).toBe(true);
    gate.release();
    await full.waitForCount((m) => m.ok === true, 4);
    expect((await other.waitFor(replyTo('other-held'))).ok).toBe(true);
    full.close();
    other.close();
  });

  it('lets a connection pipeline requests up to the cap, all answered, fewer running at once than accepted', async () => {
    gate.close();
    gate.seen.maxRunning = 0;
    const g2 = await start({ maxInFlightPerConnection: 8, maxRunningPerConnection: 2 }, gate.queries);
    const c = await TestClient.open(g2.url);
    for (let i = 0; i < 8; i++) c.send(list(`p${i}`));
    c.send(list('p8'));
    expect((await c.waitFor(replyTo('p8'))).error.code).toBe('TOO_MANY_IN_FLIGHT');
    // Eight accepted, two handled: the other six wait in the connection's own queue.
    expect(gate.seen.running).toBe(2);
    gate.release();
    const answered = await c.waitForCount((m) => m.ok === true, 8);
    // Waiting requests start in arrival order as running ones finish.
    expect(answered.map((m) => m.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7']);
    expect(gate.seen.maxRunning).toBe(2);
    c.close();
  });
});

describe('requests per second per connection', () => {
  it('refuses beyond the rate with the request id and a retry hint, and serves again once it has passed', async () => {
    const g = await start({ maxRequestsPerSecondPerConnection: 20 });
    const c = await TestClient.open(g.url);
    for (let i = 0; i < 20; i++) c.send(list(`r${i}`));
    c.send(list('over'));
    const refused = await c.waitFor(replyTo('over'));
    expect(refused.error.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.error.details.perSecond).toBe(20);
    expect(await c.waitForCount((m) => m.ok === true, 20)).toHaveLength(20);
    await new Promise((resolve) => setTimeout(resolve, refused.error.details.retryAfterMs as number));
    expect((await c.request({ kind: 'query', name: 'election.list' })).ok).toBe(true);
    c.close();
  });

  it('cuts a connection that keeps flooding (1008), refuses its source new connections, and keeps serving the others', async () => {
    const metrics = createMetricsRegistry();
    const g = await start({ maxRequestsPerSecondPerConnection: 20, metrics });
    const bystander = await TestClient.open(g.url);
    const flooder = await TestClient.open(g.url);
    for (let i = 0; i < 200; i++) flooder.send(list(`f${i}`));
    expect(await flooder.closed).toEqual({ code: 1008, reason: 'TOO_MANY_REQUESTS' });
    // At most the second's worth was run and the second's worth refused: the rest was never read.
    expect(flooder.messages.length).toBeLessThanOrEqual(40);
    expect(flooder.messages.filter((m) => m.error?.code === 'TOO_MANY_REQUESTS').length).toBeGreaterThan(0);
    const again = await upgrade(g.url);
    expect(again.status).toBe(429);
    expect(Number(again.retryAfter)).toBeGreaterThanOrEqual(PENALTY_SECONDS);
    // The bystander was admitted before the cut, shares the source, and is served as before.
    expect((await bystander.request({ kind: 'query', name: 'election.list' })).ok).toBe(true);
    expect(await metrics.renderPrometheus()).toMatch(/^evote_errors_total\{code="TOO_MANY_REQUESTS"\} [1-9]\d*$/m);
    bystander.close();
  });
});

interface UpgradeOutcome {
  status: number;
  retryAfter?: string;
  ws?: WebSocket;
}

function upgrade(url: string, headers: Record<string, string> = {}): Promise<UpgradeOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
      req.destroy();
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

const closeAll = (outcomes: UpgradeOutcome[]) => {
  for (const o of outcomes) o.ws?.close();
};

describe('connections per source address', () => {
  it('answers 429 with Retry-After beyond the open limit; a different forwarded address (trusted proxy) has its own budget', async () => {
    const metrics = createMetricsRegistry();
    const g = await start({ maxConnectionsPerSource: 3, trustedProxies: 1, metrics });
    const viaProxy = (client: string) => upgrade(g.url, { 'x-forwarded-for': client });
    const first = [await viaProxy('203.0.113.7'), await viaProxy('203.0.113.7'), await viaProxy('203.0.113.7')];
    expect(first.map((o) => o.status)).toEqual([101, 101, 101]);
    const refused = await viaProxy('203.0.113.7');
    expect(refused).toEqual({ status: 429, retryAfter: String(OPEN_LIMIT_RETRY_AFTER_SECONDS) });
    const other = await viaProxy('203.0.113.8');
    expect(other.status).toBe(101);
    // One of the first closes: the source may open one again.
    first[0]!.ws!.close();
    await new Promise<void>((resolve) => first[0]!.ws!.once('close', () => resolve()));
    const deadline = Date.now() + 5_000;
    let again = await viaProxy('203.0.113.7');
    while (again.status !== 101 && Date.now() < deadline) again = await viaProxy('203.0.113.7');
    expect(again.status).toBe(101);
    expect(await metrics.renderPrometheus()).toMatch(/^evote_ws_upgrades_refused_total\{reason="open"\} [1-9]\d*$/m);
    closeAll([...first, other, again]);
  });

  it('ignores X-Forwarded-For when no proxy is trusted: a forged header gets no budget of its own', async () => {
    const g = await start({ maxConnectionsPerSource: 2 });
    const a = await upgrade(g.url, { 'x-forwarded-for': '203.0.113.20' });
    const b = await upgrade(g.url, { 'x-forwarded-for': '203.0.113.21' });
    expect([a.status, b.status]).toEqual([101, 101]);
    expect((await upgrade(g.url, { 'x-forwarded-for': '203.0.113.22' })).status).toBe(429);
    expect((await upgrade(g.url)).status).toBe(429);
    closeAll([a, b]);
  });

  it('answers 429 beyond the new connections per second, and admits again once the bucket refilled', async () => {
    const metrics = createMetricsRegistry();
    const g = await start({ newConnectionsPerSecondPerSource: 2, metrics });
    const opened = [await upgrade(g.url), await upgrade(g.url)];
    expect(opened.map((o) => o.status)).toEqual([101, 101]);
    expect(await upgrade(g.url)).toEqual({ status: 429, retryAfter: '1' });
    expect(await metrics.renderPrometheus()).toMatch(/^evote_ws_upgrades_refused_total\{reason="rate"\} 1$/m);
    await new Promise((resolve) => setTimeout(resolve, 600)); // one token refills in 500 ms
    const later = await upgrade(g.url);
    expect(later.status).toBe(101);
    closeAll([...opened, later]);
  });
});
