import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Ajv } from 'ajv';
import type { Gateway } from '../../src/gateway/gateway.ts';
import { createMetricsRegistry, type MetricsRegistry } from '../../src/runtime/metrics.ts';
import { createMemoryPubSub } from '../../src/pubsub/memory-pubsub.ts';
import { electionChannel, type PubSub } from '../../src/pubsub/port.ts';
import { createLogger } from '../../src/runtime/log.ts';
import { MESSAGE_CATALOGUE, PROGRESS_SCHEMA, PUSH_SCHEMA, REPLY_SCHEMA } from '../../src/gateway/schemas.ts';
import { GATEWAY_ERROR_CODES } from '../../src/gateway/error-codes.ts';
import type { ReadinessReport } from '../../src/gateway/http-routes.ts';
import { createInMemoryElectionServices, startInMemoryGateway, EXPLODING_THEME, INTERNAL_FAILURE_TEXT, type InMemoryElectionServices } from './in-memory-election-services.ts';
import { TestClient, type Msg } from './ws-test-client.ts';

const ADMIN = 'test-admin-token-0123456789abcdef';
const MiB = 1024 * 1024;

let gateway: Gateway;
let metrics: MetricsRegistry;
let pubsub: PubSub;
let services: InMemoryElectionServices;
let ready = true;
const logLines: string[] = [];
const waitedPositions: number[] = [];
const clients: TestClient[] = [];

const open = async (url = gateway.url) => {
  const c = await TestClient.open(url);
  clients.push(c);
  return c;
};

const ajv = new Ajv({ strict: false });
const isReply = ajv.compile(REPLY_SCHEMA);
const isPush = ajv.compile(PUSH_SCHEMA);
const isProgress = ajv.compile(PROGRESS_SCHEMA);
const resultSchema = (kind: string, name: string) => {
  const spec = MESSAGE_CATALOGUE.find((s) => s.kind === kind && s.name === name);
  if (!spec) throw new Error(`no ${kind} ${name}`);
  return ajv.compile(spec.result.schema);
};

async function createElection(c: TestClient, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await c.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 'Board', choices: ['a', 'b'], expectedVoters: 3, ...extra } });
  expect(r.ok).toBe(true);
  return r.result.electionId as string;
}

beforeAll(async () => {
  metrics = createMetricsRegistry();
  pubsub = createMemoryPubSub();
  services = createInMemoryElectionServices(pubsub);
  gateway = await startInMemoryGateway(services, pubsub, ADMIN, {
    metrics,
    readiness: [
      { name: 'eventstore', check: async () => ready },
      { name: 'readmodels', check: async () => true },
    ],
    waitForProjections: async (position) => {
      waitedPositions.push(position);
    },
    log: createLogger({ level: 'debug', destination: { write: (l: string) => logLines.push(l) } }),
    readinessTimeoutMs: 300,
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await gateway?.close();
  await pubsub?.close();
});

describe('envelope and replies', () => {
  it('answers a public query with {id, ok: true, result} matching the catalogue', async () => {
    const c = await open();
    const id = await createElection(c);
    const r = await c.request({ id: 'q-1', kind: 'query', name: 'election.get', payload: { electionId: id } });
    expect(isReply(r)).toBe(true);
    expect(r).toMatchObject({ id: 'q-1', ok: true, result: { electionId: id, theme: 'Board', status: 'REGISTER' } });
    expect(resultSchema('query', 'election.get')(r.result)).toBe(true);
    const list = await c.request({ kind: 'query', name: 'election.list' }); // payload may be omitted
    expect(resultSchema('query', 'election.list')(list.result)).toBe(true);
    expect(list.result.elections.map((e: Msg) => e.electionId)).toContain(id);
  });

  it('BAD_JSON for text that is not JSON and for binary frames, with id null', async () => {
    const c = await open();
    c.send('{"id": "x", oops');
    const r1 = await c.waitFor((m) => m.ok === false);
    expect(r1).toEqual({ id: null, ok: false, error: { code: 'BAD_JSON', message: GATEWAY_ERROR_CODES.BAD_JSON } });
    c.send(Buffer.from(JSON.stringify({ id: 'bin', kind: 'query', name: 'election.list' })));
    const [, r2] = await c.waitForCount((m) => m.ok === false, 2);
    expect(r2.id).toBeNull();
    expect(r2.error.code).toBe('BAD_JSON');
  });

  it('BAD_ENVELOPE with the id when readable, null otherwise', async () => {
    const c = await open();
    const extra = await c.request({ id: 'e-1', kind: 'query', name: 'election.list', ...{ extra: 1 } } as never);
    expect(extra.error.code).toBe('BAD_ENVELOPE');
    expect(extra.id).toBe('e-1');
    c.send({ kind: 'query', name: 'election.list' }); // no id
    c.send({ id: 'x'.repeat(129), kind: 'query', name: 'election.list' }); // id too long
    c.send([1, 2]);
    const replies = await c.waitForCount((m) => m.ok === false && m.id === null, 3);
    for (const r of replies) expect(r.error.code).toBe('BAD_ENVELOPE');
    expect(replies[0].error.details.errors[0]).toMatchObject({ instancePath: '', message: "must have required property 'id'" });
    const badToken = await c.request({ id: 'e-2', kind: 'query', name: 'election.list', token: 42 } as never);
    expect(badToken.error.code).toBe('BAD_ENVELOPE');
  });

  it('UNKNOWN_KIND and UNKNOWN_NAME', async () => {
    const c = await open();
    const k = await c.request({ id: 'k-1', kind: 'mutation', name: 'election.create' });
    expect(k).toMatchObject({ id: 'k-1', ok: false, error: { code: 'UNKNOWN_KIND' } });
    const n = await c.request({ kind: 'query', name: 'election.delete' });
    expect(n.error.code).toBe('UNKNOWN_NAME');
    // A command name used as a query is unknown for that kind.
    const wrongKind = await c.request({ kind: 'query', name: 'election.create', payload: {} });
    expect(wrongKind.error.code).toBe('UNKNOWN_NAME');
  });

  it('INVALID_PAYLOAD names where and why, never the offending value', async () => {
    const c = await open();
    const secretish = 'SENSITIVE-VALUE-' + 'z'.repeat(600);
    const r = await c.request({
      kind: 'command',
      name: 'election.create',
      token: ADMIN,
      payload: { theme: secretish, choices: 'not-an-array', expectedVoters: 1.5, colour: secretish },
    });
    expect(r.error.code).toBe('INVALID_PAYLOAD');
    // Validation stops at the first error (no allErrors: a hostile frame must not choose the work).
    expect(r.error.details.errors).toHaveLength(1);
    expect(['', '/theme', '/choices', '/expectedVoters']).toContain(r.error.details.errors[0].instancePath);
    expect(JSON.stringify(r)).not.toContain('SENSITIVE-VALUE');
    const fraction = await c.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 'T', choices: ['a', 'b'], expectedVoters: 1.5 } });
    expect(fraction.error).toMatchObject({ code: 'INVALID_PAYLOAD', details: { errors: [{ instancePath: '/expectedVoters', message: 'must be integer' }] } });
    const bad = await c.request({ kind: 'query', name: 'election.get', payload: { electionId: 'has spaces/and slashes' } });
    expect(bad.error).toMatchObject({ code: 'INVALID_PAYLOAD', details: { errors: [{ instancePath: '/electionId' }] } });
    const page = await c.request({ kind: 'query', name: 'voters.list', token: ADMIN, payload: { electionId: 'e1', limit: 1001 } });
    expect(page.error.details.errors[0]).toMatchObject({ instancePath: '/limit', message: 'must be <= 1000' });
  });

  it('passes domain errors through unchanged (code, message, details)', async () => {
    const c = await open();
    const missing = await c.request({ kind: 'query', name: 'election.get', payload: { electionId: 'nope' } });
    expect(missing.error).toEqual({ code: 'ELECTION_NOT_FOUND', message: 'election nope not found' });
    const id = await createElection(c);
    const dup = await c.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: 't', choices: ['a', 'b'], expectedVoters: 1, electionId: id } });
    expect(dup.error.code).toBe('ELECTION_ALREADY_EXISTS');
    const noVoters = await c.request({ kind: 'command', name: 'election.start', token: ADMIN, payload: { electionId: id } });
    expect(noVoters.error.code).toBe('NO_VOTERS');
    const end = await c.request({ kind: 'command', name: 'election.end', token: ADMIN, payload: { electionId: id } });
    expect(end.error).toEqual({ code: 'WRONG_STATE', message: 'election is REGISTER', details: { status: 'REGISTER' } });
  });

  it('INTERNAL: the reply carries only an error id; the log has the name and the same id', async () => {
    const c = await open();
    const r = await c.request({ kind: 'command', name: 'election.create', token: ADMIN, payload: { theme: EXPLODING_THEME, choices: ['a', 'b'], expectedVoters: 1 } });
    expect(r.error.code).toBe('INTERNAL');
    const errorId = r.error.details.errorId as string;
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(r)).not.toContain('hunter2');
    const logged = logLines.map((l) => JSON.parse(l)).find((l) => l.errorId === errorId);
    expect(logged).toMatchObject({ level: 'error', name: 'election.create', kind: 'command' });
    expect(logged.error).toContain(INTERNAL_FAILURE_TEXT);
    // The connection survives and the process keeps serving.
    expect((await c.request({ kind: 'query', name: 'election.list' })).ok).toBe(true);
  });
});

describe('admin auth', () => {
  it('refuses admin messages without or with a wrong token, accepts the right one', async () => {
    const c = await open();
    const payload = { theme: 'T', choices: ['a', 'b'], expectedVoters: 2 };
    const none = await c.request({ kind: 'command', name: 'election.create', payload });
    expect(none.error).toEqual({ code: 'UNAUTHORIZED', message: GATEWAY_ERROR_CODES.UNAUTHORIZED });
    const wrong = await c.request({ kind: 'command', name: 'election.create', payload, token: ADMIN.slice(0, -1) + 'X' });
    expect(wrong.error.code).toBe('UNAUTHORIZED');
    const longer = await c.request({ kind: 'command', name: 'election.create', payload, token: ADMIN + 'X' });
    expect(longer.error.code).toBe('UNAUTHORIZED');
    // voters.list is an admin query; voters.count is public.
    const id = await createElection(c);
    expect((await c.request({ kind: 'query', name: 'voters.list', payload: { electionId: id } })).error.code).toBe('UNAUTHORIZED');
    expect((await c.request({ kind: 'query', name: 'voters.count', payload: { electionId: id } })).result).toEqual({ count: 0 });
    const ok = await c.request({ kind: 'command', name: 'election.create', payload, token: ADMIN });
    expect(ok.ok).toBe(true);
  });

  it('checks the token before the payload, so anonymous clients learn nothing about admin schemas', async () => {
    const c = await open();
    const r = await c.request({ kind: 'command', name: 'election.create', payload: { nonsense: true } });
    expect(r.error.code).toBe('UNAUTHORIZED');
  });

  it('refuses to start with a short admin token', async () => {
    await expect(
      startInMemoryGateway(services, pubsub, 'short'),
    ).rejects.toThrow(/at least 16/);
  });
});

describe('commands', () => {
  it('runs the whole lifecycle and waits for projections at each command position', async () => {
    const c = await open();
    const id = await createElection(c);
    const reg = await c.request({ kind: 'command', name: 'election.registerVoter', token: ADMIN, payload: { electionId: id, email: 'ann@example.org' } });
    expect(resultSchema('command', 'election.registerVoter')(reg.result)).toBe(true);
    expect(waitedPositions).toContain(reg.result.position);
    const conf = await c.request({
      kind: 'command',
      name: 'election.configure',
      token: ADMIN,
      payload: { electionId: id, closesAt: '2099-01-01T00:00:00Z', theme: 'New theme' },
    });
    expect(conf.ok).toBe(true);
    const clear = await c.request({ kind: 'command', name: 'election.configure', token: ADMIN, payload: { electionId: id, closesAt: null } });
    expect(clear.ok).toBe(true);
    const badDate = await c.request({ kind: 'command', name: 'election.configure', token: ADMIN, payload: { electionId: id, closesAt: 'tomorrow' } });
    expect(badDate.error.code).toBe('INVALID_PAYLOAD');
    const start = await c.request({ kind: 'command', name: 'election.start', token: ADMIN, payload: { electionId: id } });
    expect(start.ok).toBe(true);
    const end = await c.request({ kind: 'command', name: 'election.end', token: ADMIN, payload: { electionId: id } });
    expect(waitedPositions.slice(-2)).toEqual([start.result.position, end.result.position]);
    const row = await c.request({ kind: 'query', name: 'election.get', payload: { electionId: id } });
    expect(row.result).toMatchObject({ status: 'VOTE_ENDED', theme: 'New theme', closesAt: null, voterCount: 1 });
    const voters = await c.request({ kind: 'query', name: 'voters.list', token: ADMIN, payload: { electionId: id } });
    expect(voters.result).toMatchObject({ offset: 0, limit: 100, voters: [{ email: 'ann@example.org' }] });
    expect(resultSchema('query', 'voters.list')(voters.result)).toBe(true);
  });

  it('sends progress messages before the final reply of a CSV import', async () => {
    const c = await open();
    const id = await createElection(c);
    await c.request({ kind: 'command', name: 'election.registerVoter', token: ADMIN, payload: { electionId: id, email: 'v3@example.org' } });
    const rows = Array.from({ length: 10 }, (_, i) => `v${i}@example.org`);
    const r = await c.request({ id: 'imp-1', kind: 'command', name: 'election.importVoters', token: ADMIN, payload: { electionId: id, csv: ['email', ...rows].join('\n'), batchSize: 4 } });
    expect(r.result).toMatchObject({ imported: 9, skipped: 1 });
    const forThis = c.messages.filter((m) => m.id === 'imp-1');
    const progress = forThis.filter((m) => m.kind === 'progress');
    expect(progress.map((p) => p.payload)).toEqual([
      { done: 3, total: 10, skipped: 1 }, // v3 was registered before the import
      { done: 7, total: 10, skipped: 1 },
      { done: 9, total: 10, skipped: 1 },
    ]);
    for (const p of progress) expect(isProgress(p)).toBe(true);
    expect(forThis.at(-1)).toBe(r); // the final reply comes last
  });
});

describe('frame limits (1 MiB server)', () => {
  let small: Gateway;
  beforeAll(async () => {
    small = await startInMemoryGateway(services, pubsub, ADMIN, { maxFrameBytes: MiB });
  });
  afterAll(async () => {
    await small?.close();
  });

  it('accepts a frame just under the limit (a large CSV)', async () => {
    const c = await open(small.url);
    const id = await createElection(c);
    const rows = Array.from({ length: 30_000 }, (_, i) => `voter${i}@example.org`);
    const csv = ['email', ...rows].join('\n');
    expect(csv.length).toBeGreaterThan(0.6 * MiB);
    expect(csv.length).toBeLessThan(MiB - 1000);
    const r = await c.request({ kind: 'command', name: 'election.importVoters', token: ADMIN, payload: { electionId: id, csv, batchSize: 10_000 } });
    expect(r.result.imported).toBe(30_000);
  });

  it('answers FRAME_TOO_LARGE to a 1.5 MiB frame and keeps the connection open', async () => {
    const c = await open(small.url);
    c.send(JSON.stringify({ id: 'big', kind: 'query', name: 'election.list', payload: { pad: 'x'.repeat(1.5 * MiB) } }));
    const r = await c.waitFor((m) => m.ok === false);
    expect(r).toMatchObject({ id: null, ok: false, error: { code: 'FRAME_TOO_LARGE', details: { maxFrameBytes: MiB } } });
    expect((await c.request({ kind: 'query', name: 'election.list' })).ok).toBe(true);
  });

  it('drops the connection on a 5 MiB frame (uWS, beyond 4 × the limit); the server keeps accepting', async () => {
    const c = await open(small.url);
    c.send(JSON.stringify({ id: 'huge', kind: 'query', name: 'election.list', payload: { pad: 'x'.repeat(5 * MiB) } }));
    const { code } = await c.closed;
    // uWS 20.30 closes the TCP connection without a close frame ("Received too big message"), so the
    // client observes 1006, not 1009 (docs/gateway.md).
    expect(code).toBe(1006);
    expect(c.messages.filter((m) => m.id === 'huge')).toEqual([]);
    const again = await open(small.url);
    expect((await again.request({ kind: 'query', name: 'election.list' })).ok).toBe(true);
    const text = await (await fetch(`${small.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^evote_errors_total\{code="FRAME_TOO_LARGE"\} 2$/m);
  });
});

describe('subscriptions', () => {
  it('fans transitions out to two clients, in order, after the snapshot; unsubscribe stops them', async () => {
    const admin = await open();
    const a = await open();
    const b = await open();
    const id = await createElection(admin);
    const snapA = await a.request({ id: 'sub-a', kind: 'subscribe', name: 'election', payload: { electionId: id } });
    const snapB = await b.request({ id: 'sub-b', kind: 'subscribe', name: 'election', payload: { electionId: id } });
    expect(snapA.result).toMatchObject({ electionId: id, status: 'REGISTER' });
    expect(resultSchema('subscribe', 'election')(snapA.result)).toBe(true);
    expect(snapB.result.position).toBe(snapA.result.position);

    await admin.request({ kind: 'command', name: 'election.registerVoter', token: ADMIN, payload: { electionId: id, email: 'x@example.org' } });
    await admin.request({ kind: 'command', name: 'election.start', token: ADMIN, payload: { electionId: id } });
    const pushesA = await a.waitForCount((m) => m.kind === 'event', 2);
    const pushesB = await b.waitForCount((m) => m.kind === 'event', 2);
    for (const [pushes, sub] of [[pushesA, 'sub-a'], [pushesB, 'sub-b']] as const) {
      expect(pushes.map((p) => p.subscription)).toEqual([sub, sub]);
      expect(pushes.map((p) => p.payload.transition)).toEqual(['voterCount', 'started']);
      expect(pushes[0].payload.position).toBeGreaterThan(snapA.result.position);
      expect(pushes[1].payload.position).toBeGreaterThan(pushes[0].payload.position);
      for (const p of pushes) expect(isPush(p)).toBe(true);
    }

    const un = await a.request({ kind: 'unsubscribe', name: 'election', payload: { subscription: 'sub-a' } });
    expect(un.result).toEqual({ unsubscribed: true });
    await admin.request({ kind: 'command', name: 'election.end', token: ADMIN, payload: { electionId: id } });
    const [, , ended] = await b.waitForCount((m) => m.kind === 'event', 3);
    expect(ended.payload).toMatchObject({ transition: 'ended', status: 'VOTE_ENDED' });
    // Still only two for a: give any stray push the time to arrive, on a round trip.
    await a.request({ kind: 'query', name: 'election.list' });
    expect(a.messages.filter((m) => m.kind === 'event')).toHaveLength(2);
  });

  it('does not push transitions the snapshot already covers, nor out-of-order ones', async () => {
    const admin = await open();
    const c = await open();
    const id = await createElection(admin);
    const snap = await c.request({ id: 'sub-old', kind: 'subscribe', name: 'election', payload: { electionId: id } });
    const pos = snap.result.position as number;
    const row = snap.result;
    // Published by a lagging or duplicate publisher: at or below what the client has.
    await pubsub.publish(electionChannel(id), { electionId: id, transition: 'configured', status: 'REGISTER', position: pos, election: row });
    await pubsub.publish(electionChannel(id), { electionId: id, transition: 'configured', status: 'REGISTER', position: pos + 5, election: row });
    await pubsub.publish(electionChannel(id), { electionId: id, transition: 'configured', status: 'REGISTER', position: pos + 3, election: row });
    await pubsub.publish(electionChannel(id), { junk: true });
    await pubsub.publish(electionChannel(id), { electionId: id, transition: 'configured', status: 'REGISTER', position: pos + 6, election: row });
    const pushes = await c.waitForCount((m) => m.kind === 'event', 2);
    expect(pushes.map((p) => p.payload.position)).toEqual([pos + 5, pos + 6]);
  });

  it('ELECTION_NOT_FOUND, NOT_SUBSCRIBED and ALREADY_SUBSCRIBED', async () => {
    const c = await open();
    const nf = await c.request({ id: 'nf', kind: 'subscribe', name: 'election', payload: { electionId: 'missing' } });
    expect(nf.error.code).toBe('ELECTION_NOT_FOUND');
    const ns = await c.request({ kind: 'unsubscribe', name: 'election', payload: { subscription: 'never' } });
    expect(ns.error).toEqual({ code: 'NOT_SUBSCRIBED', message: GATEWAY_ERROR_CODES.NOT_SUBSCRIBED });
    const id = await createElection(c);
    expect((await c.request({ id: 'twice', kind: 'subscribe', name: 'election', payload: { electionId: id } })).ok).toBe(true);
    const again = await c.request({ id: 'twice', kind: 'subscribe', name: 'election', payload: { electionId: id } });
    expect(again.error.code).toBe('ALREADY_SUBSCRIBED');
    // The failed subscribe left no subscription behind; the good one is there.
    expect((await c.request({ kind: 'unsubscribe', name: 'election', payload: { subscription: 'nf' } })).error.code).toBe('NOT_SUBSCRIBED');
    expect((await c.request({ kind: 'unsubscribe', name: 'election', payload: { subscription: 'twice' } })).ok).toBe(true);
  });
});

describe('HTTP', () => {
  it('GET /healthz', async () => {
    const r = await fetch(`${gateway.httpUrl}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz reports each check, 503 when one fails', async () => {
    const okRes = await fetch(`${gateway.httpUrl}/readyz`);
    expect(okRes.status).toBe(200);
    expect(await okRes.json()).toEqual({
      status: 'ready',
      draining: false,
      down: [],
      checks: [
        { name: 'eventstore', ok: true },
        { name: 'readmodels', ok: true },
      ],
    });
    ready = false;
    try {
      const bad = await fetch(`${gateway.httpUrl}/readyz`);
      expect(bad.status).toBe(503);
      const report = (await bad.json()) as ReadinessReport;
      expect(report.checks[0]).toEqual({ name: 'eventstore', ok: false, reason: 'failed' });
      expect(report.down).toEqual(['eventstore']);
    } finally {
      ready = true;
    }
  });

  it('GET /readyz times out a hanging check', async () => {
    const hanging = await startInMemoryGateway(services, pubsub, ADMIN, {
      readiness: [{ name: 'redis', check: () => new Promise<boolean>(() => {}) }],
      readinessTimeoutMs: 200,
    });
    try {
      const started = Date.now();
      const r = await fetch(`${hanging.httpUrl}/readyz`);
      expect(r.status).toBe(503);
      expect(((await r.json()) as ReadinessReport).checks).toEqual([{ name: 'redis', ok: false, reason: 'timeout' }]);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await hanging.close();
    }
  });

  it('GET /metrics in Prometheus text format with the gateway metrics', async () => {
    const c = await open();
    await createElection(c);
    await c.request({ kind: 'command', name: 'election.start', payload: { electionId: 'x' } }); // UNAUTHORIZED
    metrics.gaugeFn('evote_projection_lag_events', 'Lag', ['projection'], () => [{ labels: { projection: 'elections' }, value: 4 }]);
    const r = await fetch(`${gateway.httpUrl}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await r.text();
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    const openNow = clients.filter((x) => x.ws.readyState === x.ws.OPEN).length;
    expect(value('evote_ws_connections')).toBe(openNow);
    expect(value('evote_commands_total{name="election.create",outcome="ok"}')).toBeGreaterThanOrEqual(5);
    expect(value('evote_commands_total{name="election.start",outcome="rejected"}')).toBeGreaterThanOrEqual(1);
    expect(value('evote_errors_total{code="UNAUTHORIZED"}')).toBeGreaterThanOrEqual(4);
    expect(value('evote_errors_total{code="BAD_JSON"}')).toBe(2);
    expect(value('evote_command_duration_seconds_count{name="election.create"}')).toBeGreaterThanOrEqual(5);
    expect(value('evote_projection_lag_events{projection="elections"}')).toBe(4);
    expect(text).not.toContain('@example.org');
    expect(text).not.toContain(ADMIN);
  });

  it('unknown routes get a JSON 404', async () => {
    const r = await fetch(`${gateway.httpUrl}/nope`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});
